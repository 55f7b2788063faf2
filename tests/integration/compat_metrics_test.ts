/**
 * Users of kafka_exporter and kafka-lag-exporter keep their dashboards: with
 * `prometheus_local.metric_names`, a scrape carries exactly those projects' documented metric
 * names and labels, and a real Prometheus scraping us answers their dashboards' queries.
 */
import { assert, assertEquals } from "../assert.ts";
import { startKafka } from "../harness/kafka.ts";
import { commitOffsets, createTopic, produce } from "../harness/kafka_fixtures.ts";
import { startExporter } from "../harness/exporter.ts";
import { startPrometheus } from "../harness/prometheus.ts";
import { eventually } from "../harness/processes.ts";
import { COMPAT_METRICS, type CompatScheme } from "../../src/export/compat_series.ts";

const LABELS = { env: "compat-test" };
/**
 * Labels written empty here (Prometheus drops empty labels): the test's groups have no members,
 * and is_simple_consumer is not read.
 */
const EMPTY_LABELS = new Set(["member_host", "consumer_id", "client_id", "is_simple_consumer"]);

/** The exporter's own per-cluster metrics of the seed, exported whatever the naming scheme. */
const OWN_SEED_METRICS = new Set(["kafka_iteration_time_seconds", "kafka_total_groups_checked"]);

/** The lag metrics of a scrape (our own kafka_lag_exporter_*, seed and process_* metrics aside). */
function lagMetricNames(names: string[]): string[] {
  return [...new Set(names)].filter((name) =>
    !name.startsWith("kafka_lag_exporter_") && !name.startsWith("process_") &&
    !OWN_SEED_METRICS.has(name)
  ).sort();
}

Deno.test({
  name: "compat metric names: exact names and labels, dashboards' queries on a real Prometheus",
  fn: async (t) => {
    await using broker = await startKafka();
    await createTopic(broker.bootstrap, "orders", 2);
    await produce(broker.bootstrap, "orders", [50, 30]);
    await commitOffsets(broker.bootstrap, "billing", "orders", [20, 30]);
    const exporterFor = (scheme: CompatScheme) =>
      startExporter({
        prometheus_local: { labels: LABELS, metric_names: [scheme] },
        kafka_clusters: [{
          name: "main",
          brokers: [broker.bootstrap],
          exact_lag_seconds: { enabled: true },
        }],
        app: { iteration_interval: "1s" },
      });
    await using kafkaExporterStyle = await exporterFor("kafka_exporter");
    await using lagExporterStyle = await exporterFor("kafka_lag_exporter");

    for (
      const [scheme, exporter] of [
        ["kafka_exporter", kafkaExporterStyle],
        ["kafka_lag_exporter", lagExporterStyle],
      ] as const
    ) {
      await t.step(`${scheme}: exactly the documented names and labels`, async () => {
        const samples = await eventually(`${scheme} lag series`, async () => {
          const scraped = await exporter.scrape();
          return scraped.some((sample) => sample.name.endsWith("_lag")) ? scraped : undefined;
        });
        const documented = COMPAT_METRICS[scheme];
        assertEquals(
          lagMetricNames(samples.map((sample) => sample.name)),
          documented.map((metric) => metric.name).sort(),
        );
        for (const sample of samples) {
          const metric = documented.find((entry) => entry.name === sample.name);
          if (!metric) continue;
          assertEquals(
            Object.keys(sample.labels).sort(),
            [...metric.labelNames, ...Object.keys(LABELS)].sort(),
            sample.name,
          );
          for (const [name, value] of Object.entries(sample.labels)) {
            assert(EMPTY_LABELS.has(name) === (value === ""), `${sample.name} ${name}="${value}"`);
          }
        }
        // The standard process metrics, readable under the binary's own permissions.
        for (const name of ["process_cpu_seconds_total", "process_resident_memory_bytes"]) {
          assert(samples.some((sample) => sample.name === name && sample.value > 0), name);
        }
        const started = samples.find((sample) => sample.name === "process_start_time_seconds");
        assert(started && Math.abs(started.value - Date.now() / 1_000) < 600, "start time");
        // Our own names are not exported when only a compat scheme is asked for.
        assert(!samples.some((sample) => sample.name.startsWith("kafka_consumer_group_")));
      });
    }

    await using prometheus = await startPrometheus({
      scrapeTargets: [kafkaExporterStyle, lagExporterStyle].map((exporter) =>
        new URL(exporter.metricsUrl).host
      ),
    });
    /** Polls a query until it returns series; returns them as label→value rows. */
    const answer = (promql: string) =>
      eventually(promql, async () => {
        const result = await prometheus.query(promql);
        return result.length > 0
          ? result.map((series) => ({ labels: series.metric, value: Number(series.value[1]) }))
          : undefined;
      });

    await t.step("kafka_exporter dashboard queries return data", async () => {
      // Lag by group and topic (Kafka Exporter Overview dashboard; AWS' documented query).
      const lag = await answer(
        'sum(kafka_consumergroup_lag{topic=~"orders"}) by (consumergroup, topic)',
      );
      assertEquals(lag.map((row) => [row.labels.consumergroup, row.value]), [["billing", 30]]);
      const committed = await answer(
        "sum by (consumergroup, topic) (kafka_consumergroup_lag >= 0)",
      );
      assertEquals(committed[0].value, 30);
      // Messages produced per second and partitions per topic.
      await answer(
        'sum(delta(kafka_topic_partition_current_offset{topic=~"orders"}[1m])) by (topic)',
      );
      const partitions = await answer('sum(kafka_topic_partitions{topic="orders"}) by (topic)');
      assertEquals(partitions[0].value, 2);
      const offsets = await answer(
        "sum(kafka_consumergroup_current_offset) by (consumergroup, topic)",
      );
      assertEquals(offsets[0].value, 50);
    });

    await t.step("kafka-lag-exporter dashboard queries return data", async () => {
      const maxLagSeconds = await answer(
        'max(kafka_consumergroup_group_max_lag_seconds{cluster_name="main", group=~"billing"}) by (group)',
      );
      assert(maxLagSeconds[0].value >= 0, JSON.stringify(maxLagSeconds));
      const maxLag = await answer(
        'max(kafka_consumergroup_group_max_lag{cluster_name="main"}) by (group)',
      );
      assertEquals(maxLag[0].value, 30);
      const byPartition = await answer(
        'kafka_consumergroup_group_lag{cluster_name="main", group="billing", topic="orders"}',
      );
      assertEquals(
        byPartition.map((row) => [row.labels.partition, row.value]).sort(),
        [["0", 30], ["1", 0]],
      );
      const topicSum = await answer(
        'sum by (group, topic) (kafka_consumergroup_group_topic_sum_lag{cluster_name="main"})',
      );
      assertEquals(topicSum[0].value, 30);
      const latest = await answer(
        'sum by (topic) (kafka_partition_latest_offset{cluster_name="main", topic="orders"})',
      );
      assertEquals(latest[0].value, 80);
      await answer('kafka_partition_earliest_offset{cluster_name="main"}');
      await answer("sum by (group) (kafka_consumergroup_group_sum_lag)");
    });
  },
});
