/**
 * Remote write end to end: the exporter pushes to a real Prometheus 3 (1.0 and 2.0; TLS with basic auth
 * through Prometheus' web config; a bearer token through nginx), and what Prometheus returns
 * equals what /metrics shows. Vanished groups read as stale; an unavailable remote end is retried
 * within the queue bound and delivered to once it is back.
 */
import { assert, assertEquals } from "../assert.ts";
import { makeCertificates } from "../harness/certs.ts";
import { type ExporterProcess, startExporter } from "../harness/exporter.ts";
import { startKafka } from "../harness/kafka.ts";
import { commitOffsets, createTopic, deleteGroups, produce } from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { startSwitchableGateway } from "../harness/gateway.ts";
import { findSamples, sampleValue } from "../harness/prom_text.ts";
import { type PrometheusServer, startBearerProxy, startPrometheus } from "../harness/prometheus.ts";

const LABELS = { env: "remote-write-test" };

/** Offsets lag per (group, topic, partition) as Prometheus returns it. */
async function remoteOffsets(prometheus: PrometheusServer, group: string) {
  const result = await prometheus.query(`kafka_consumer_group_lag_in_offsets{group="${group}"}`);
  return result.map((series) => ({ labels: series.metric, value: Number(series.value[1]) }));
}

/** The same from /metrics, with the `__name__` label Prometheus adds. */
async function localOffsets(exporter: ExporterProcess, group: string) {
  return findSamples(await exporter.scrape(), "kafka_consumer_group_lag_in_offsets", { group }).map(
    (sample) => ({
      labels: { __name__: sample.name, ...sample.labels },
      value: sample.value,
    }),
  );
}

const byPartition = (list: Array<{ labels: Record<string, string> }>) =>
  list.toSorted((a, b) => a.labels.partition.localeCompare(b.labels.partition));

Deno.test({
  name: "remote write to a real Prometheus",
  fn: async (t) => {
    await using broker = await startKafka();
    await createTopic(broker.bootstrap, "pushed", 2);
    await produce(broker.bootstrap, "pushed", [30, 30]);
    await commitOffsets(broker.bootstrap, "rw-kept", "pushed", [10, 25]);
    await commitOffsets(broker.bootstrap, "rw-deleted", "pushed", [1, 2]);
    const exporterConfig = (remote: Record<string, unknown>) => ({
      prometheus_local: { labels: LABELS },
      prometheus_remote_write: { enabled: true, timeout: "5s", ...remote },
      kafka_clusters: [{ name: "main", brokers: [broker.bootstrap] }],
      app: { iteration_interval: "1s" },
    });

    await t.step(
      "plain: Prometheus returns what /metrics shows; a deleted group goes stale",
      async () => {
        await using prometheus = await startPrometheus();
        await using exporter = await startExporter(
          exporterConfig({ url: `${prometheus.url}/api/v1/write` }),
        );
        const remote = await eventually("samples in Prometheus", async () => {
          const found = await remoteOffsets(prometheus, "rw-kept");
          return found.length === 2 ? found : undefined;
        });
        assertEquals(byPartition(remote), byPartition(await localOffsets(exporter, "rw-kept")));
        assertEquals(remote.map((series) => series.value).sort((a, b) => a - b), [5, 20]);
        // Every seed metric arrives, with the configured labels.
        for (
          const name of [
            "kafka_consumer_group_sum_lag_in_offsets",
            "kafka_total_groups_checked",
            "kafka_iteration_time_seconds",
          ]
        ) {
          const series = await prometheus.query(name);
          assert(series.length > 0 && series.every((one) => one.metric.env === LABELS.env), name);
        }
        assert((await remoteOffsets(prometheus, "rw-deleted")).length === 2);
        await deleteGroups(broker.bootstrap, ["rw-deleted"]);
        await eventually(
          "deleted group stale in Prometheus",
          async () => (await remoteOffsets(prometheus, "rw-deleted")).length === 0 || undefined,
        );
        assertEquals((await remoteOffsets(prometheus, "rw-kept")).length, 2);
        const samples = await exporter.scrape();
        assert(
          (sampleValue(samples, "kafka_lag_exporter_remote_write_samples_total", {
            result: "sent",
          }) ?? 0) > 0,
        );
      },
    );
    await commitOffsets(broker.bootstrap, "rw-deleted", "pushed", [1, 2]);

    await t.step("remote write 2.0 to Prometheus 3: the same series as /metrics", async () => {
      await using prometheus = await startPrometheus();
      await using exporter = await startExporter(
        exporterConfig({ url: `${prometheus.url}/api/v1/write`, protocol: "2.0" }),
      );
      const remote = await eventually("samples in Prometheus", async () => {
        const found = await remoteOffsets(prometheus, "rw-kept");
        return found.length === 2 ? found : undefined;
      });
      assertEquals(byPartition(remote), byPartition(await localOffsets(exporter, "rw-kept")));
      const samples = await exporter.scrape();
      const outcome = (result: string) =>
        sampleValue(samples, "kafka_lag_exporter_remote_write_samples_total", { result }) ?? 0;
      assert(outcome("sent") > 0 && outcome("failed") === 0, exporter.logs());
    });

    await t.step("TLS and basic auth through Prometheus' web config", async () => {
      const certs = await makeCertificates();
      const auth = { username: "pusher", password: "basic-secret" };
      await using prometheus = await startPrometheus({ tls: certs, basicAuth: auth });
      const url = `https://127.0.0.1:${prometheus.port}/api/v1/write`;
      const started = await Promise.all([
        startExporter(
          exporterConfig({
            url,
            basic_auth: auth,
            tls_config: { enabled: true, ca_cert_file: certs.caFile },
          }),
        ),
        startExporter(
          exporterConfig({
            url,
            basic_auth: { ...auth, password: "wrong" },
            tls_config: { enabled: true, ca_cert_file: certs.caFile },
          }),
        ),
        startExporter(
          exporterConfig({
            url,
            basic_auth: auth,
            tls_config: { enabled: true, ca_cert_file: certs.otherCaFile },
          }),
        ),
      ]);
      await using verified = started[0];
      await using wrongPassword = started[1];
      await using wrongCa = started[2];
      // Verification off (no CA at all): delivered, through node:https.
      await using unverified = await startExporter(
        exporterConfig({
          url,
          basic_auth: auth,
          tls_config: { enabled: true, insecure_skip_verify: true },
        }),
      );
      await eventually(
        "delivered without verification",
        async () =>
          (sampleValue(await unverified.scrape(), "kafka_lag_exporter_remote_write_samples_total", {
              result: "sent",
            }) ?? 0) > 0 ||
          undefined,
      );
      const remote = await eventually("samples over TLS", async () => {
        const found = await remoteOffsets(prometheus, "rw-kept");
        return found.length === 2 ? found : undefined;
      });
      assertEquals(byPartition(remote), byPartition(await localOffsets(verified, "rw-kept")));
      // 401 is not retried: the samples are counted as failed.
      await eventually(
        "wrong password rejected",
        async () =>
          (sampleValue(
              await wrongPassword.scrape(),
              "kafka_lag_exporter_remote_write_samples_total",
              { result: "failed" },
            ) ?? 0) > 0 ||
          undefined,
      );
      // An unknown CA is a network error: retried, never delivered.
      const wrongCaSamples = await wrongCa.scrape();
      assertEquals(
        sampleValue(wrongCaSamples, "kafka_lag_exporter_remote_write_samples_total", {
          result: "sent",
        }) ?? 0,
        0,
      );
      assert(wrongCa.logs().includes("retrying with backoff"), wrongCa.logs());
      // The log says why, and what kafka-lag-go did differently.
      assert(wrongCa.logs().includes("kafka-lag-go skipped this check"), wrongCa.logs());
      assert(
        wrongCa.logs().includes("prometheus_remote_write.tls_config.ca_cert_file"),
        wrongCa.logs(),
      );
      for (const exporter of [verified, wrongPassword, wrongCa]) {
        assert(!exporter.logs().includes("basic-secret"));
      }
      await Deno.remove(certs.dir, { recursive: true });
    });

    await t.step("bearer token through nginx", async () => {
      await using prometheus = await startPrometheus();
      await using proxy = await startBearerProxy(prometheus.port, "bearer-secret-3");
      await using exporter = await startExporter(
        exporterConfig({ url: `${proxy.url}/api/v1/write`, bearer_token: "bearer-secret-3" }),
      );
      const remote = await eventually("samples through nginx", async () => {
        const found = await remoteOffsets(prometheus, "rw-kept");
        return found.length === 2 ? found : undefined;
      });
      assertEquals(byPartition(remote), byPartition(await localOffsets(exporter, "rw-kept")));
      assert(!exporter.logs().includes("bearer-secret-3"));
    });

    await t.step(
      "remote end answering 500 for a while: retried within the queue bound, then delivered",
      async () => {
        await using prometheus = await startPrometheus();
        await using gateway = startSwitchableGateway(prometheus.url);
        gateway.fail(500);
        {
          await using exporter = await startExporter(exporterConfig({
            url: `${gateway.url}/api/v1/write`,
            queue_max_samples: 300,
            max_samples_per_send: 100,
          }));
          await eventually("samples dropped while failing", async () => {
            const samples = await exporter.scrape();
            const queued = sampleValue(samples, "kafka_lag_exporter_remote_write_queue_samples") ??
              0;
            assert(queued <= 300, `queue at ${queued}`);
            return (sampleValue(samples, "kafka_lag_exporter_remote_write_samples_total", {
                  result: "dropped",
                }) ?? 0) > 0 ||
              undefined;
          });
          assert(gateway.refused() >= 2, `retried ${gateway.refused()} times`);
          // /metrics keeps working during the outage.
          assert(
            findSamples(await exporter.scrape(), "kafka_consumer_group_lag_in_offsets").length > 0,
          );
          gateway.fail(false);
          await eventually(
            "delivered after recovery",
            async () => (await remoteOffsets(prometheus, "rw-kept")).length === 2 || undefined,
          );
          await eventually(
            "queue drained",
            async () =>
              (sampleValue(
                  await exporter.scrape(),
                  "kafka_lag_exporter_remote_write_queue_samples",
                ) ?? 1) < 300 || undefined,
          );
        }
      },
    );
  },
});
