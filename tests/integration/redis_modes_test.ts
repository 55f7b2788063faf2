/**
 * The exporter against real Redis servers in each mode operators run: an outage and recovery,
 * an ACL user with a password file, TLS (and a wrong CA), and a 3-master Redis Cluster.
 */
import { assert, assertEquals } from "../assert.ts";
import { makeCertificates } from "../harness/certs.ts";
import { startKafka } from "../harness/kafka.ts";
import { type ExporterProcess, startExporter } from "../harness/exporter.ts";
import { commitOffsets, createTopic, produce } from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { findSamples, sampleValue } from "../harness/prom_text.ts";
import { startRedis, startRedisCluster } from "../harness/redis.ts";

const health = async (exporter: ExporterProcess) =>
  await (await fetch(`${exporter.healthUrl}/healthz`)).json();
const readyStatus = async (exporter: ExporterProcess) => {
  const response = await fetch(`${exporter.healthUrl}/readyz`);
  await response.body?.cancel();
  return response.status;
};
const waitForHealth = (exporter: ExporterProcess, status: "OK" | "Unhealthy", timeoutMs = 20_000) =>
  eventually(
    `health ${status}`,
    async () => (await health(exporter)).status === status || undefined,
    timeoutMs,
  );

Deno.test({
  name: "Redis modes with a real Kafka broker",
  fn: async (t) => {
    await using broker = await startKafka();
    await createTopic(broker.bootstrap, "events", 2);
    await produce(broker.bootstrap, "events", [20, 20]);
    await commitOffsets(broker.bootstrap, "reader", "events", [5, 15]);
    const kafka = { name: "main", brokers: [broker.bootstrap] };
    const redisConfig = (redis: Record<string, unknown>) => ({
      kafka_clusters: [kafka],
      storage: { type: "redis", redis: { heartbeat_ttl: "3s", ...redis } },
      app: { iteration_interval: "1s", node_id: `node-${crypto.randomUUID().slice(0, 8)}` },
    });

    await t.step(
      "Redis down: offsets keep flowing, seconds from memory, unhealthy, then recovers",
      async () => {
        await using redis = await startRedis();
        await using exporter = await startExporter(
          redisConfig({ address: redis.host, port: redis.port }),
        );
        await waitForHealth(exporter, "OK");
        await eventually(
          "lag in seconds",
          async () =>
            findSamples(await exporter.scrape(), "kafka_consumer_group_lag_in_seconds", {
                group: "reader",
              }).length === 2 ||
            undefined,
        );

        await redis.kill();
        await waitForHealth(exporter, "Unhealthy");
        assertEquals(await readyStatus(exporter), 503);
        await produce(broker.bootstrap, "events", [7, 0]);
        const during = await eventually("offsets updated during the outage", async () => {
          const samples = await exporter.scrape();
          return sampleValue(samples, "kafka_consumer_group_lag_in_offsets", {
              group: "reader",
              partition: "0",
            }) === 22
            ? samples
            : undefined;
        });
        assertEquals(
          findSamples(during, "kafka_consumer_group_lag_in_seconds", { group: "reader" }).length,
          2,
        );
        assert(
          (sampleValue(during, "kafka_lag_exporter_store_errors_total", { store: "redis" }) ?? 0) >=
            1,
        );

        await redis.restart();
        await waitForHealth(exporter, "OK");
        assertEquals(await readyStatus(exporter), 200);
        const errorLines = exporter.logs().split("\n").filter((line) =>
          line.includes("continuing with this instance's memory")
        );
        assert(
          errorLines.length >= 1 && errorLines.length <= 3,
          `logged ${errorLines.length} times:\n${errorLines.join("\n")}`,
        );
        assert(exporter.logs().includes("Redis answers again"), exporter.logs());
      },
    );

    await t.step(
      "ACL user with a password file; a wrong password is unhealthy, never logged",
      async () => {
        await using redis = await startRedis({
          aclUser: { username: "lag-exporter", password: "acl-secret-1" },
        });
        const passwordFile = await Deno.makeTempFile();
        await Deno.writeTextFile(passwordFile, "acl-secret-1\n");
        const auth = (password: Record<string, string>) => ({
          address: redis.host,
          port: redis.port,
          auth: { enabled: true, username: "lag-exporter", ...password },
        });
        await using good = await startExporter(redisConfig(auth({ password_file: passwordFile })));
        await waitForHealth(good, "OK");
        assertEquals(sampleValue(await good.scrape(), "kafka_lag_exporter_live_instances"), 1);

        await using bad = await startExporter(redisConfig(auth({ password: "wrong-secret-2" })));
        // Unhealthy is also the state before the first iteration: wait for the refused
        // authentication itself (counted as a Redis error) and for an iteration to complete.
        await eventually("the refused Redis authentication", async () => {
          const samples = await bad.scrape();
          const errors = sampleValue(samples, "kafka_lag_exporter_store_errors_total", {
            store: "redis",
          }) ?? 0;
          const iterated = findSamples(samples, "kafka_consumer_group_lag_in_offsets").length > 0;
          return errors > 0 && iterated || undefined;
        });
        assertEquals((await health(bad)).status, "Unhealthy");
        // Offsets are still exported without Redis.
        assert(findSamples(await bad.scrape(), "kafka_consumer_group_lag_in_offsets").length > 0);
        for (const exporter of [good, bad]) {
          assert(
            !exporter.logs().includes("acl-secret-1") &&
              !exporter.logs().includes("wrong-secret-2"),
            "secret in logs",
          );
        }
        await Deno.remove(passwordFile);
      },
    );

    await t.step(
      "TLS: verified against the CA; a wrong CA fails unless verification is turned off",
      async () => {
        const certs = await makeCertificates();
        await using redis = await startRedis({ tls: certs });
        const tls = (ssl: Record<string, unknown>) => ({
          address: "127.0.0.1",
          port: redis.port,
          ssl: { enabled: true, ...ssl },
        });
        await using verified = await startExporter(redisConfig(tls({ ca_file: certs.caFile })));
        await waitForHealth(verified, "OK");
        await using wrongCa = await startExporter(redisConfig(tls({ ca_file: certs.otherCaFile })));
        await using unverified = await startExporter(
          redisConfig(tls({ ca_file: certs.otherCaFile, insecure_skip_verify: true })),
        );
        await waitForHealth(unverified, "OK");
        assertEquals((await health(wrongCa)).status, "Unhealthy");
        await eventually(
          "the wrong CA explained in the log",
          () =>
            wrongCa.logs().includes("kafka-lag-go skipped this check") &&
              wrongCa.logs().includes("storage.redis.ssl.insecure_skip_verify") || undefined,
        );
        await Deno.remove(certs.dir, { recursive: true });
      },
    );

    await t.step(
      "Redis Cluster: two instances share the groups, each exported once, with lag in seconds",
      async () => {
        await using cluster = await startRedisCluster();
        await commitOffsets(broker.bootstrap, "second-reader", "events", [1, 2]);
        await commitOffsets(broker.bootstrap, "third-reader", "events", [3, 4]);
        const config = () => redisConfig({ cluster_nodes: cluster.nodes });
        await using first = await startExporter(config());
        await using second = await startExporter(config());
        const groups = ["reader", "second-reader", "third-reader"];
        await eventually("each group exported once, with seconds", async () => {
          const scrapes = [await first.scrape(), await second.scrape()];
          return groups.every((group) => {
                const exporting = scrapes.filter((samples) =>
                  sampleValue(samples, "kafka_consumer_group_sum_lag_in_offsets", { group }) !==
                    undefined
                );
                return exporting.length === 1 &&
                  sampleValue(exporting[0], "kafka_consumer_group_max_lag_in_seconds", {
                      group,
                    }) !== undefined;
              }) &&
              scrapes.every((samples) =>
                sampleValue(samples, "kafka_lag_exporter_live_instances") === 2
              ) || undefined;
        });
        for (const exporter of [first, second]) assertEquals((await health(exporter)).status, "OK");
        // The history is spread over the cluster's nodes by hash tags.
        const keysPerNode = await Promise.all(cluster.nodes.map(async (node) => {
          const [host, port] = node.split(":");
          const output = await new Deno.Command("redis-cli", {
            args: ["-h", host, "-p", port, "dbsize"],
          }).output();
          return Number(new TextDecoder().decode(output.stdout).trim());
        }));
        assert(
          keysPerNode.filter((count) => count > 0).length >= 2,
          `keys per node: ${keysPerNode}`,
        );
      },
    );
  },
});
