import { assert, assertEquals } from "../../tests/assert.ts";
import { findSamples, parsePrometheusText, sampleValue } from "../../tests/harness/prom_text.ts";
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";
import { aggregateGroup } from "../lag/aggregate.ts";
import type { PartitionLag } from "../lag/lag_values.ts";
import { createExporterMetrics, type Granularity } from "./metrics_registry.ts";

const partition = (
  topic: string,
  index: number,
  lagOffsets: number,
  lagSeconds?: number,
): PartitionLag => ({
  topic,
  partition: index,
  committedOffset: 0,
  endOffset: lagOffsets,
  lagOffsets,
  lagSeconds,
});

function status(groups: Record<string, PartitionLag[]>): ClusterStatus {
  return {
    clusterName: "k",
    up: true,
    iterationErrorsTotal: 0,
    lastDurationSeconds: 0.25,
    lastSuccessMs: 1_000,
    snapshot: {
      clusterName: "k",
      groupsChecked: Object.keys(groups).length,
      groups: Object.entries(groups).map(([groupId, partitions]) =>
        aggregateGroup(groupId, partitions)
      ),
      startedAtMs: 0,
      completedAtMs: 1_000,
    },
  };
}

function setup(granularity: Granularity = "partition") {
  let clusters: ClusterStatus[] = [];
  const metrics = createExporterMetrics(
    { clusters: () => clusters, iterationSeconds: () => 0.25, liveInstances: () => 1 },
    {
      labels: { env: "test" },
      granularity,
      version: "1.2.3",
      commit: "abc",
      memoryUsage: () => ({ rss: 1, heapUsed: 2 }),
    },
  );
  return {
    set: (next: ClusterStatus[]) => (clusters = next),
    scrape: async () => parsePrometheusText(await new Response(await metrics.render()).text()),
  };
}

Deno.test("metrics are rendered from the latest snapshot only", async (t) => {
  const { set, scrape } = setup();
  await t.step("every seed series with values and extra labels", async () => {
    set([status({ g: [partition("t", 0, 5, 1.5), partition("t", 1, 3)] })]);
    const samples = await scrape();
    assertEquals(
      sampleValue(samples, "kafka_consumer_group_lag_in_offsets", { partition: "0" }),
      5,
    );
    assertEquals(
      sampleValue(samples, "kafka_consumer_group_lag_in_seconds", { partition: "0" }),
      1.5,
    );
    assertEquals(
      findSamples(samples, "kafka_consumer_group_lag_in_seconds", { partition: "1" }),
      [],
    );
    assertEquals(
      sampleValue(samples, "kafka_consumer_group_sum_lag_in_offsets", { group: "g" }),
      8,
    );
    assertEquals(
      sampleValue(samples, "kafka_consumer_group_max_lag_in_seconds", { group: "g" }),
      1.5,
    );
    assertEquals(sampleValue(samples, "kafka_total_groups_checked", { clustername: "k" }), 1);
    assertEquals(sampleValue(samples, "kafka_iteration_time_seconds"), 0.25);
    assertEquals(
      sampleValue(samples, "kafka_lag_exporter_build_info", { version: "1.2.3", commit: "abc" }),
      1,
    );
    for (const sample of samples) assertEquals(sample.labels.env, "test", sample.name);
  });
  await t.step("a vanished group and partition leave no series behind", async () => {
    set([status({ h: [partition("t", 0, 1, 0)] })]);
    const samples = await scrape();
    assertEquals(samples.filter((sample) => sample.labels.group === "g"), []);
    assertEquals(sampleValue(samples, "kafka_consumer_group_lag_in_offsets", { group: "h" }), 1);
  });
  await t.step("a cluster that went down keeps only its up=0 and error counter", async () => {
    set([{ clusterName: "k", up: false, iterationErrorsTotal: 2, lastDurationSeconds: 1 }]);
    const samples = await scrape();
    assertEquals(samples.filter((sample) => sample.name.startsWith("kafka_consumer_group")), []);
    assertEquals(sampleValue(samples, "kafka_lag_exporter_cluster_up", { clustername: "k" }), 0);
    assertEquals(
      sampleValue(samples, "kafka_lag_exporter_cluster_iteration_errors_total", {
        clustername: "k",
      }),
      2,
    );
  });
  await t.step("no sample is ever NaN, infinite or negative", async () => {
    set([status({ g: [partition("t", 0, 0, 0), partition("u", 0, 9)] })]);
    for (const sample of await scrape()) {
      assert(Number.isFinite(sample.value) && sample.value >= 0, `${sample.name} ${sample.value}`);
    }
  });
});

Deno.test("granularity drops the finer series", async (t) => {
  const groups = { g: [partition("t", 0, 5, 1)] };
  const cases: Array<[Granularity, boolean, boolean]> = [["partition", true, true], [
    "topic",
    false,
    true,
  ], ["group", false, false]];
  for (const [granularity, hasPartition, hasTopic] of cases) {
    await t.step(granularity, async () => {
      const { set, scrape } = setup(granularity);
      set([status(groups)]);
      const samples = await scrape();
      assertEquals(
        findSamples(samples, "kafka_consumer_group_lag_in_offsets").length > 0,
        hasPartition,
      );
      assertEquals(
        findSamples(samples, "kafka_consumer_group_topic_sum_lag_in_offsets").length > 0,
        hasTopic,
      );
      assertEquals(
        sampleValue(samples, "kafka_consumer_group_sum_lag_in_offsets", { group: "g" }),
        5,
      );
    });
  }
});

Deno.test("how lag in seconds was obtained is exported, and disappears with the snapshot", async () => {
  const { set, scrape } = setup();
  const withCounts = status({ g: [partition("t", 0, 5, 1.5)], h: [partition("t", 0, 9, 2)] });
  withCounts.snapshot = {
    ...withCounts.snapshot!,
    recordLookups: {
      fetched: 2,
      found: 3,
      missing: 1,
      untrusted: 1,
      malformed: 1,
      tooLarge: 2,
      deferred: 4,
    },
    lagSecondsMethods: { "record-timestamp": 3, "lower-bound": 1, none: 2 },
    groupsWithEstimates: [{ groupId: "h", partitions: 1 }],
  };
  set([withCounts]);
  let samples = await scrape();
  const expected: Array<[string, number]> = [
    ["found", 3],
    ["missing", 1],
    ["untrusted", 1],
    ["malformed", 1],
    ["too_large", 2],
    ["deferred", 4],
  ];
  for (const [result, count] of expected) {
    assertEquals(sampleValue(samples, "kafka_lag_exporter_record_lookups", { result }), count);
  }
  assertEquals(sampleValue(samples, "kafka_lag_exporter_record_lookups_fetched"), 2);
  assertEquals(
    sampleValue(samples, "kafka_lag_exporter_lag_seconds_partitions", { method: "none" }),
    2,
  );
  assertEquals(
    findSamples(samples, "kafka_lag_exporter_group_lag_seconds_estimated_partitions").map((
      sample,
    ) => [sample.labels.group, sample.value]),
    [["h", 1]],
  );
  set([status({ g: [partition("t", 0, 5, 1.5)] })]);
  samples = await scrape();
  assertEquals(
    findSamples(samples, "kafka_lag_exporter_group_lag_seconds_estimated_partitions"),
    [],
  );
  assertEquals(findSamples(samples, "kafka_lag_exporter_record_lookups"), []);
});

Deno.test("OpenMetrics: the same series, counters by their family name, one # EOF at the end", async () => {
  let clusters: ClusterStatus[] = [status({ g: [partition("t", 0, 5, 1.5)] })];
  const metrics = createExporterMetrics(
    { clusters: () => clusters, iterationSeconds: () => 0.25, liveInstances: () => 1 },
    { labels: { env: "test" }, granularity: "partition", version: "1", commit: "c" },
  );
  const read = async (openMetrics: boolean) =>
    await new Response(await metrics.render({ openMetrics })).text();
  const text = await read(false);
  const openMetrics = await read(true);
  assert(
    openMetrics.endsWith("\n# EOF\n") && openMetrics.indexOf("# EOF") === openMetrics.length - 6,
  );
  assert(!text.includes("# EOF"));
  assert(!openMetrics.includes("\n\n"), "OpenMetrics has no blank line");
  // A counter's family drops _total in OpenMetrics; its sample keeps it.
  assert(openMetrics.includes("# TYPE kafka_lag_exporter_cluster_iteration_errors counter\n"));
  assert(text.includes("# TYPE kafka_lag_exporter_cluster_iteration_errors_total counter\n"));
  // Every sample of one syntax is in the other with the same value (OpenMetrics adds nothing).
  const values = (exposition: string) =>
    new Map(
      parsePrometheusText(exposition).map((sample) => [
        `${sample.name}${JSON.stringify(sample.labels)}`,
        sample.value,
      ]),
    );
  const fromText = values(text);
  const fromOpenMetrics = values(openMetrics);
  for (const [key, value] of fromText) {
    if (/^(process_|kafka_lag_exporter_process_)/.test(key)) continue; // read again meanwhile
    assertEquals(fromOpenMetrics.get(key), value, key);
  }
  clusters = [];
});
