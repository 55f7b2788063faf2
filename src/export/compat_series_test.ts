import { groupActivity } from "../lag/group_report.ts";
import { assertEquals } from "../../tests/assert.ts";
import { parsePrometheusText } from "../../tests/harness/prom_text.ts";
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";
import { aggregateGroup } from "../lag/aggregate.ts";
import { COMPAT_METRICS, compatFamilies, type CompatScheme } from "./compat_series.ts";
import {
  familySeriesValues,
  familyTextChunks,
  type Granularity,
  type ScrapeState,
} from "./metric_family.ts";

type Options = {
  schemes: CompatScheme[];
  labels: Record<string, string>;
  granularity: Granularity;
};
const stateOf = (statuses: ClusterStatus[]): ScrapeState => ({
  statuses,
  liveInstances: 1,
  memory: { rss: 0, heapUsed: 0 },
});
/** The schemes' families walked into text, as /metrics writes them. */
const compatTextChunks = (statuses: ClusterStatus[], options: Options) =>
  familyTextChunks(compatFamilies(options.schemes), { ...options, state: stateOf(statuses) });
/** The same walked into values, as remote write sends them. */
const compatSeriesValues = (statuses: ClusterStatus[], options: Options) =>
  familySeriesValues(compatFamilies(options.schemes), { ...options, state: stateOf(statuses) });

function status(clusterName: string): ClusterStatus {
  const group = aggregateGroup("g", [
    {
      topic: "t",
      partition: 0,
      committedOffset: 10,
      endOffset: 40,
      lagOffsets: 30,
      lagSeconds: 12.5,
    },
    { topic: "t", partition: 1, committedOffset: 4, endOffset: 9, lagOffsets: 5 },
  ]);
  // One member owns partition 0; partition 1 is not assigned.
  group.activity = groupActivity({
    state: "Stable",
    protocol: "classic",
    members: [{
      memberId: "m-1",
      clientId: "app",
      host: "/10.0.0.5",
      assignment: [{ topic: "t", partition: 0 }],
    }],
  });
  return {
    clusterName,
    up: true,
    iterationErrorsTotal: 0,
    snapshot: {
      clusterName,
      groupsChecked: 1,
      startedAtMs: 0,
      completedAtMs: 0,
      partitionOffsets: [
        { topic: "t", partition: 0, offset: 40, observedAtMs: 0, logStartOffset: 2 },
        { topic: "t", partition: 1, offset: 9, observedAtMs: 0 },
      ],
      groups: [group],
    },
  };
}

function scrape(statuses: ClusterStatus[], scheme: "kafka_exporter" | "kafka_lag_exporter") {
  const text = [...compatTextChunks(statuses, {
    schemes: [scheme],
    labels: { env: "test" },
    granularity: "partition",
  })].join("");
  return parsePrometheusText(text);
}

function value(samples: ReturnType<typeof scrape>, name: string, labels: Record<string, string>) {
  return samples.find((sample) =>
    sample.name === name &&
    Object.entries(labels).every(([key, expected]) => sample.labels[key] === expected)
  )?.value;
}

Deno.test("kafka_exporter names: documented labels only, values from the snapshot", () => {
  const samples = scrape([status("k")], "kafka_exporter");
  for (const sample of samples) {
    const metric = COMPAT_METRICS.kafka_exporter.find((entry) => entry.name === sample.name)!;
    assertEquals(Object.keys(sample.labels).sort(), [...metric.labelNames, "env"].sort());
  }
  const partition0 = { consumergroup: "g", topic: "t", partition: "0" };
  assertEquals(value(samples, "kafka_consumergroup_lag", partition0), 30);
  assertEquals(value(samples, "kafka_consumergroup_current_offset", partition0), 10);
  assertEquals(value(samples, "kafka_consumergroup_lag_sum", { consumergroup: "g" }), 35);
  assertEquals(value(samples, "kafka_consumergroup_current_offset_sum", { topic: "t" }), 14);
  assertEquals(value(samples, "kafka_topic_partition_current_offset", { partition: "1" }), 9);
  assertEquals(value(samples, "kafka_topic_partition_oldest_offset", { partition: "0" }), 2);
  assertEquals(
    value(samples, "kafka_topic_partition_oldest_offset", { partition: "1" }),
    undefined,
  );
  assertEquals(value(samples, "kafka_topic_partitions", { topic: "t" }), 2);
  assertEquals(value(samples, "kafka_consumergroup_members", { consumergroup: "g" }), 1);
});

Deno.test("kafka_exporter names get a clustername label only when several clusters would clash", () => {
  const samples = scrape([status("a"), status("b")], "kafka_exporter");
  assertEquals(value(samples, "kafka_consumergroup_lag", { clustername: "b", partition: "0" }), 30);
});

Deno.test("kafka-lag-exporter names: documented labels, the owning member's on partitions", () => {
  const samples = scrape([status("k")], "kafka_lag_exporter");
  assertEquals(
    samples.find((sample) =>
      sample.name === "kafka_consumergroup_group_lag" && sample.labels.partition === "0"
    )?.labels,
    {
      cluster_name: "k",
      group: "g",
      topic: "t",
      partition: "0",
      member_host: "/10.0.0.5",
      consumer_id: "m-1",
      client_id: "app",
      env: "test",
    },
  );
  for (const sample of samples) {
    const metric = COMPAT_METRICS.kafka_lag_exporter.find((entry) => entry.name === sample.name)!;
    // Empty labels (is_simple_consumer; member labels of partition 1, which nobody owns) are
    // written but, as in Prometheus, count as absent.
    const owned = sample.labels.partition === "0";
    const documented = metric.labelNames.filter((name) =>
      !["is_simple_consumer", ...(owned ? [] : ["member_host", "consumer_id", "client_id"])]
        .includes(name)
    );
    assertEquals(
      Object.keys(sample.labels).filter((name) => sample.labels[name] !== "").sort(),
      [
        ...documented,
        "env",
      ].sort(),
    );
  }
  const partition0 = { cluster_name: "k", group: "g", topic: "t", partition: "0" };
  assertEquals(value(samples, "kafka_consumergroup_group_lag", partition0), 30);
  assertEquals(value(samples, "kafka_consumergroup_group_lag_seconds", partition0), 12.5);
  assertEquals(value(samples, "kafka_consumergroup_group_offset", partition0), 10);
  assertEquals(value(samples, "kafka_consumergroup_group_max_lag", { group: "g" }), 30);
  assertEquals(value(samples, "kafka_consumergroup_group_max_lag_seconds", { group: "g" }), 12.5);
  assertEquals(value(samples, "kafka_consumergroup_group_sum_lag", { group: "g" }), 35);
  assertEquals(value(samples, "kafka_consumergroup_group_topic_sum_lag", { topic: "t" }), 35);
  assertEquals(value(samples, "kafka_partition_latest_offset", { partition: "0" }), 40);
  assertEquals(value(samples, "kafka_partition_earliest_offset", { partition: "0" }), 2);
});

Deno.test("granularity drops the finer compat series; remote write gets the same samples", () => {
  const options = {
    schemes: ["kafka_lag_exporter" as const],
    labels: {},
    granularity: "group" as const,
  };
  const names = new Set(
    [...compatSeriesValues([status("k")], options)].map((s) => s.labels.__name__),
  );
  assertEquals([...names].sort(), [
    "kafka_consumergroup_group_max_lag",
    "kafka_consumergroup_group_max_lag_seconds",
    "kafka_consumergroup_group_sum_lag",
    "kafka_partition_earliest_offset",
    "kafka_partition_latest_offset",
  ]);
  const text = parsePrometheusText([...compatTextChunks([status("k")], options)].join(""));
  assertEquals(new Set(text.map((sample) => sample.name)), names);
});
