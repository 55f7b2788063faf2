/**
 * OTLP push end to end against Prometheus 3's OTLP receiver: every native lag series pushed is
 * queryable with the labels and value /metrics shows (offsets exactly; seconds, which grow with
 * the clock, within an iteration), under the resource's job and instance; then an outage of the
 * receiver is ridden out by the queue: every push made during it arrives afterwards, none dropped.
 */
import { assert, assertEquals } from "../assert.ts";
import { startExporter } from "../harness/exporter.ts";
import { startKafka } from "../harness/kafka.ts";
import { commitOffsets, createTopic, produce } from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { startSwitchableGateway } from "../harness/gateway.ts";
import { sampleValue } from "../harness/prom_text.ts";
import { startPrometheus } from "../harness/prometheus.ts";
import { LAG_METRICS } from "../../src/export/lag_series.ts";

const NODE_ID = "otlp-test-node";
/** Labels the receiver adds from the resource (service.name, service.instance.id). */
const RESOURCE_LABELS = new Set(["job", "instance"]);

const seriesKey = (labels: Record<string, string>) =>
  JSON.stringify(Object.entries(labels).filter(([name]) => !RESOURCE_LABELS.has(name)).sort());

Deno.test("OTLP push to Prometheus 3: the series of /metrics, and an outage ridden out", async (t) => {
  await using broker = await startKafka();
  await createTopic(broker.bootstrap, "pushed", 2);
  await produce(broker.bootstrap, "pushed", [30, 30]);
  await commitOffsets(broker.bootstrap, "otlp-app", "pushed", [10, 25]);
  await commitOffsets(broker.bootstrap, "otlp-done", "pushed", [30, 30]);
  await using prometheus = await startPrometheus();
  // The receiver sits behind a gateway the test can turn off (503, as a restarting collector).
  await using gateway = startSwitchableGateway(prometheus.url);
  {
    await using exporter = await startExporter({
      kafka_clusters: [{ name: "main", brokers: [broker.bootstrap] }],
      otlp: {
        enabled: true,
        url: `${gateway.url}/api/v1/otlp/v1/metrics`,
        queue_max_samples: 100_000,
        resource_attributes: { "deployment.environment": "test" },
      },
      app: { iteration_interval: "1s", node_id: NODE_ID },
    });

    await t.step("every native lag series, with the value /metrics shows", async () => {
      const names = LAG_METRICS.map((metric) => metric.name);
      const selector = `{__name__=~"${names.join("|")}"}`;
      const [remote, local] = await eventually("both groups' series in Prometheus", async () => {
        const found = await prometheus.query(selector);
        const scraped = (await exporter.scrape()).filter((sample) => names.includes(sample.name));
        const groups = new Set(found.map((series) => series.metric.group));
        return groups.has("otlp-app") && groups.has("otlp-done") && found.length === scraped.length
          ? [found, scraped] as const
          : undefined;
      }, 30_000);
      const scraped = new Map(
        local.map((
          sample,
        ) => [seriesKey({ __name__: sample.name, ...sample.labels }), sample.value]),
      );
      assert(remote.length >= 10, `${remote.length} series`);
      for (const series of remote) {
        assertEquals(series.metric.job, "kafka-lag-deno");
        assertEquals(series.metric.instance, NODE_ID);
        const key = seriesKey(series.metric);
        assert(scraped.has(key), `${key} is not on /metrics`);
        const value = Number(series.value[1]);
        const expected = scraped.get(key)!;
        // Lag in seconds grows with the clock between the push and the scrape: one iteration.
        const tolerance = series.metric.__name__.includes("seconds") ? 2.5 : 0;
        assert(
          Math.abs(value - expected) <= tolerance,
          `${key}: pushed ${value}, /metrics ${expected}`,
        );
      }
      const [lag] = remote.filter((series) =>
        series.metric.__name__ === "kafka_consumer_group_sum_lag_in_offsets" &&
        series.metric.group === "otlp-app"
      );
      assertEquals(Number(lag.value[1]), 25);
      // The resource's other attributes: the Kafka cluster and the user's.
      const info = await prometheus.query(`target_info{instance="${NODE_ID}"}`);
      assert(
        info.some((one) =>
          one.metric.kafka_cluster_name === "main" && one.metric.deployment_environment === "test"
        ),
        JSON.stringify(info),
      );
    });

    await t.step(
      "an outage: every push made during it arrives afterwards, none dropped",
      async () => {
        gateway.fail(503);
        const outageStart = Date.now() / 1_000;
        await eventually(
          "pushes refused for 8 s",
          () => {
            return Date.now() / 1_000 - outageStart >= 8 && gateway.refused() >= 3
              ? true
              : undefined;
          },
          20_000,
          200,
        );
        const outageEnd = Date.now() / 1_000;
        gateway.fail(false);
        const query = `count_over_time(kafka_consumer_group_sum_lag_in_offsets{group="otlp-app"}[${
          Math.floor(outageEnd - outageStart)
        }s])`;
        const counted = await eventually(
          "the outage's pushes in Prometheus",
          async () => {
            const url = `${prometheus.url}/api/v1/query?query=${
              encodeURIComponent(query)
            }&time=${outageEnd}`;
            const answer = await (await fetch(url)).json();
            const count = Number(answer.data.result[0]?.value[1] ?? 0);
            return count >= 6 ? count : undefined;
          },
          60_000,
          500,
        );
        console.log(
          `${counted} pushes of the ${Math.round(outageEnd - outageStart)} s outage delivered`,
        );
        const samples = await exporter.scrape();
        const outcome = (result: string) =>
          sampleValue(samples, "kafka_lag_exporter_otlp_data_points_total", { result }) ?? 0;
        assertEquals(outcome("dropped"), 0);
        assertEquals(outcome("failed"), 0);
        assert(outcome("sent") > 0);
      },
    );
  }
});
