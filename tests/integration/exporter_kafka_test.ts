/**
 * End to end on a real Kafka broker: --once against kafka-consumer-groups, and the running
 * exporter's /metrics and health endpoints, with exact offsets and plausible seconds.
 */
import { assert, assertAlmostEquals, assertEquals, assertStringIncludes } from "../assert.ts";
import { startKafka } from "../harness/kafka.ts";
import { runCli, startExporter, writeConfig } from "../harness/exporter.ts";
import {
  commitOffsets,
  consumeAll,
  createTopic,
  deleteGroups,
  produce,
} from "../harness/kafka_fixtures.ts";
import { eventually, freePort } from "../harness/processes.ts";
import { findSamples, type Sample, sampleValue } from "../harness/prom_text.ts";
import { parseDescribe, SEED_METRICS } from "../harness/seed_contract.ts";

const EXTRA_LABELS = { env: "integration", region: "eu-test" };

Deno.test({
  name: "exporter on a real Kafka broker",
  fn: async (t) => {
    await using broker = await startKafka();
    const bootstrap = broker.bootstrap;
    console.log(`Kafka ${broker.version} on ${bootstrap}`);

    // orders: a real consumer group read all 22 records and left; 7 more arrived since.
    await createTopic(bootstrap, "orders", 3);
    await produce(bootstrap, "orders", [10, 7, 5]);
    await consumeAll(bootstrap, "billing", "orders", 22);
    await produce(bootstrap, "orders", [5, 0, 2]);
    // audit: offsets committed by hand (an Empty group, no member ever joined).
    await commitOffsets(bootstrap, "audit", "orders", [3, 7, 1]);
    // quiet: fully consumed, then idle.
    await createTopic(bootstrap, "quiet", 2);
    await produce(bootstrap, "quiet", [4, 4]);
    await consumeAll(bootstrap, "idle-reader", "quiet", 8);
    // modern: a group of the consumer rebalance protocol (KIP-848, on by default from Kafka 4.0),
    // which kafkajs cannot join: the Java console consumer reads 7 of its 12 records and leaves.
    const newProtocol = Number(broker.version.split(".")[0]) >= 4;
    const newProtocolGroups = newProtocol ? ["modern", "modern-live"] : [];
    if (newProtocol) {
      await createTopic(bootstrap, "events", 3);
      await produce(bootstrap, "events", [6, 4, 2]);
      const consumed = await broker.runTool("org.apache.kafka.tools.consumer.ConsoleConsumer", [
        ...["--bootstrap-server", bootstrap, "--topic", "events", "--group", "modern"],
        ...["--from-beginning", "--max-messages", "7", "--timeout-ms", "60000"],
        ...["--consumer-property", "group.protocol=consumer"],
      ]);
      assertEquals(consumed.code, 0, consumed.stderr);
      const listed = await broker.runTool("org.apache.kafka.tools.GroupsCommand", [
        ...["--bootstrap-server", bootstrap, "--list"],
      ]);
      assert(/^modern\s+Consumer\s+consumer\s*$/m.test(listed.stdout), listed.stdout);
    } else {
      console.log(`Kafka ${broker.version}: no KIP-848 group (the new protocol is GA from 4.0)`);
    }
    // modern-live: the same protocol with its member still in the group (it read all and waits).
    await using _liveConsumer = newProtocol
      ? broker.spawnTool("org.apache.kafka.tools.consumer.ConsoleConsumer", [
        ...["--bootstrap-server", bootstrap, "--topic", "events", "--group", "modern-live"],
        ...["--from-beginning", "--consumer-property", "group.protocol=consumer"],
        ...["--consumer-property", "auto.commit.interval.ms=500"],
      ])
      : undefined;
    if (newProtocol) {
      await eventually(
        "modern-live has its member and has committed everything",
        async () => {
          const described = await broker.runTool(
            "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
            ["--bootstrap-server", bootstrap, "--describe", "--group", "modern-live"],
          );
          const rows = [...parseDescribe(described.stdout, "modern-live").values()];
          const live = !described.stdout.includes("no active members");
          return live && rows.length === 3 && rows.every(([, , lag]) => lag === 0)
            ? true
            : undefined;
        },
        90_000,
        1_000,
      );
    }

    const cluster = {
      name: "local",
      brokers: [bootstrap],
      client_request_timeout: "10s",
      metadata_fetch_timeout: "5s",
    };

    await t.step("--once prints what kafka-consumer-groups prints", async () => {
      const configPath = await writeConfig({ kafka_clusters: [cluster] });
      const json = await runCli(["--once", "--format", "json", "-c", configPath]);
      assertEquals(json.code, 0, json.stderr);
      const report = JSON.parse(json.stdout);
      assertEquals(report.clusters[0].up, true);
      for (const group of ["billing", "audit", ...newProtocolGroups]) {
        const tool = await broker.runTool(
          "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
          [
            "--bootstrap-server",
            bootstrap,
            "--describe",
            "--group",
            group,
          ],
        );
        assertEquals(tool.code, 0, tool.stderr);
        const expected = parseDescribe(tool.stdout, group);
        assertEquals(expected.size, 3, tool.stdout);
        const ours = new Map<string, [number, number, number]>();
        for (
          const entry of report.clusters[0].groups.find((g: { group: string }) => g.group === group)
            .partitions
        ) {
          ours.set(`${entry.topic}/${entry.partition}`, [entry.committed, entry.latest, entry.lag]);
        }
        assertEquals(ours, expected, `group ${group}`);
      }
      const table = await runCli(["--once", "-c", configPath]);
      assertEquals(table.code, 0, table.stderr);
      assertStringIncludes(table.stdout, "CLUSTER  GROUP");
      assert(/local\s+audit\s+orders\s+0\s+3\s+15\s+12\s/.test(table.stdout), table.stdout);
      await Deno.remove(configPath);
    });

    const deadPort = freePort();
    await using exporter = await startExporter({
      prometheus_local: { labels: EXTRA_LABELS },
      kafka_clusters: [
        cluster,
        {
          name: "dead",
          brokers: [`127.0.0.1:${deadPort}`],
          client_request_timeout: "2s",
          metadata_fetch_timeout: "1s",
        },
      ],
      app: { iteration_interval: "1s" },
    });
    const scrapeWhen = (what: string, ready: (samples: Sample[]) => boolean) =>
      eventually(what, async () => {
        const samples = await exporter.scrape();
        return ready(samples) ? samples : undefined;
      }, 40_000);

    await t.step("/metrics has exact offset lag for every partition", async () => {
      const samples = await scrapeWhen(
        "lag of audit",
        (s) =>
          findSamples(s, "kafka_consumer_group_lag_in_offsets", { group: "audit" }).length === 3,
      );
      const lag = (group: string, partition: number) =>
        sampleValue(samples, "kafka_consumer_group_lag_in_offsets", {
          clustername: "local",
          group,
          topic: "orders",
          partition: String(partition),
        });
      assertEquals([0, 1, 2].map((p) => lag("billing", p)), [5, 0, 2]);
      assertEquals([0, 1, 2].map((p) => lag("audit", p)), [12, 0, 6]);
      assertEquals(
        sampleValue(samples, "kafka_consumer_group_sum_lag_in_offsets", { group: "audit" }),
        18,
      );
      assertEquals(
        sampleValue(samples, "kafka_consumer_group_max_lag_in_offsets", { group: "audit" }),
        12,
      );
      assertEquals(
        sampleValue(samples, "kafka_consumer_group_topic_sum_lag_in_offsets", {
          group: "billing",
          topic: "orders",
        }),
        7,
      );
    });

    await t.step(
      "all 12 seed metrics, with the seed's labels plus the configured ones",
      async () => {
        const samples = await scrapeWhen(
          "lag in seconds",
          (s) =>
            findSamples(s, "kafka_consumer_group_lag_in_seconds", { group: "audit" }).length === 3,
        );
        for (const [name, labelNames] of SEED_METRICS) {
          const found = findSamples(samples, name);
          assert(found.length > 0, `no ${name}`);
          for (const sample of found) {
            assertEquals(
              Object.keys(sample.labels).sort(),
              [...labelNames, ...Object.keys(EXTRA_LABELS)].sort(),
              name,
            );
            assertEquals(sample.labels.env, "integration");
            assert(Number.isFinite(sample.value) && sample.value >= 0, `${name} = ${sample.value}`);
          }
        }
        assertEquals(
          sampleValue(samples, "kafka_total_groups_checked", { clustername: "local" }),
          3 + newProtocolGroups.length,
        );
      },
    );

    await t.step("a caught-up group on an idle topic shows 0 seconds", async () => {
      const samples = await exporter.scrape();
      const seconds = findSamples(samples, "kafka_consumer_group_lag_in_seconds", {
        group: "idle-reader",
      });
      assertEquals(seconds.map((sample) => sample.value), [0, 0]);
      assertEquals(
        sampleValue(samples, "kafka_consumer_group_max_lag_in_seconds", { group: "idle-reader" }),
        0,
      );
    });

    await t.step("lag in seconds follows the records' age within a loose bound", async () => {
      // The exporter watches "stream" grow (1 record per 250 ms); "stream-reader" stays at offset 8.
      await createTopic(bootstrap, "stream", 1);
      const producedAtMs: number[] = [];
      for (let index = 0; index < 20; index++) {
        producedAtMs.push(Date.now());
        await produce(bootstrap, "stream", [1], () => producedAtMs[index]);
        // sleep-ok: paces the producer: records 250 ms apart
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      await commitOffsets(bootstrap, "stream-reader", "stream", [8]);
      const samples = await scrapeWhen(
        "stream-reader seconds",
        (s) =>
          findSamples(s, "kafka_consumer_group_lag_in_seconds", { group: "stream-reader" })
            .length === 1,
      );
      const exported = sampleValue(samples, "kafka_consumer_group_lag_in_seconds", {
        group: "stream-reader",
      })!;
      const truthAtScrape = (Date.now() - producedAtMs[8]) / 1_000;
      // The value belongs to the last iteration (≤ 1 interval + its duration before the scrape).
      assert(
        exported <= truthAtScrape + 1.5 && exported >= truthAtScrape - 3,
        `exported ${exported} s, truth at scrape ${truthAtScrape} s`,
      );
      assertEquals(
        sampleValue(samples, "kafka_consumer_group_lag_in_offsets", { group: "stream-reader" }),
        12,
      );
    });

    await t.step("health: the dead cluster is listed, the live one keeps it healthy", async () => {
      const health = await eventually("dead cluster marked", async () => {
        const body = await (await fetch(`${exporter.healthUrl}/healthz`)).json();
        return body.unhealthy_clusters.includes("dead") ? body : undefined;
      });
      assertEquals(health, { status: "OK", unhealthy_clusters: ["dead"] });
      const ready = await fetch(`${exporter.healthUrl}/readyz`);
      await ready.body?.cancel();
      assertEquals(ready.status, 200);
      const missing = await fetch(`${exporter.healthUrl}/nope`);
      await missing.body?.cancel();
      assertEquals(missing.status, 404);
      const samples = await exporter.scrape();
      assertEquals(
        sampleValue(samples, "kafka_lag_exporter_cluster_up", { clustername: "dead" }),
        0,
      );
      assertEquals(
        sampleValue(samples, "kafka_lag_exporter_cluster_up", { clustername: "local" }),
        1,
      );
      assert(
        (sampleValue(samples, "kafka_lag_exporter_cluster_iteration_errors_total", {
          clustername: "dead",
        }) ?? 0) >= 1,
      );
      assertEquals(
        findSamples(samples, "kafka_consumer_group_lag_in_offsets", { clustername: "dead" }).length,
        0,
      );
    });

    await t.step(
      "the live cluster keeps updating every iteration while the other is dead",
      async () => {
        const lastSuccess = async () =>
          sampleValue(
            await exporter.scrape(),
            "kafka_lag_exporter_cluster_last_success_timestamp_seconds",
            { clustername: "local" },
          )!;
        const first = await lastSuccess();
        // sleep-ok: the window over which the update rate is measured
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        const second = await lastSuccess();
        assert(
          second - first >= 1.5,
          `local cluster last success moved ${second - first} s in 2.5 s`,
        );
      },
    );

    await t.step("a deleted group's series are gone after the next iteration", async () => {
      await deleteGroups(bootstrap, ["audit"]);
      // Gone from the series and from the count: right after the deletion, ListGroups may still
      // list the group for an iteration while OffsetFetch already finds no offsets.
      const samples = await scrapeWhen(
        "audit gone",
        (s) =>
          findSamples(s, "kafka_consumer_group_lag_in_offsets", { group: "audit" }).length === 0 &&
          sampleValue(s, "kafka_total_groups_checked", { clustername: "local" }) ===
            3 + newProtocolGroups.length,
      );
      for (const sample of samples) {
        assert(sample.labels.group !== "audit", `${sample.name} still has audit`);
      }
      assertEquals(
        sampleValue(samples, "kafka_total_groups_checked", { clustername: "local" }),
        3 + newProtocolGroups.length,
      );
      assertAlmostEquals(
        sampleValue(samples, "kafka_consumer_group_lag_in_offsets", {
          group: "billing",
          partition: "0",
        })!,
        5,
        0,
      );
    });

    await t.step("SIGTERM stops the exporter with exit code 0", async () => {
      assertEquals(await exporter.stop("SIGTERM"), 0);
      assertStringIncludes(exporter.logs(), "stopped");
    });
  },
});
