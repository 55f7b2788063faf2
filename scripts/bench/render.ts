/**
 * The cost of one /metrics rendering at partition granularity, without Kafka or HTTP: 10,000
 * groups of 3 topics × 8 partitions (240,000 group-partitions, as bench:scale's fixture), the
 * exposition streamed and counted, not kept. Prints the median and fastest of 18 renderings
 * (after 2 warm-ups). `--groups N` for another size.
 *
 *   deno task bench:render [--groups 10000]
 */
import { parseArgs } from "node:util";
import { createExporterMetrics } from "../../src/export/metrics_registry.ts";
import { aggregateGroup } from "../../src/lag/aggregate.ts";
import type { PartitionLag } from "../../src/lag/lag_values.ts";
import type { ClusterStatus } from "../../src/collect/cluster_snapshot.ts";
import { median } from "./scale_probes.ts";

const { values } = parseArgs({ options: { groups: { type: "string", default: "10000" } } });
const GROUPS = Number(values.groups);
const TOPICS = 200;
const TOPICS_PER_GROUP = 3;
const PARTITIONS = 8;
const ROUNDS = 20;
const WARM_UP = 2;

function groupPartitions(group: number): PartitionLag[] {
  const partitions: PartitionLag[] = [];
  for (let slot = 0; slot < TOPICS_PER_GROUP; slot++) {
    const topic = `scale-topic-${String((group * 7 + slot) % TOPICS).padStart(3, "0")}`;
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const committedOffset = 1_000 + group + partition;
      const lagOffsets = (group * 7 + partition) % 50;
      partitions.push({
        topic,
        partition,
        committedOffset,
        endOffset: committedOffset + lagOffsets,
        lagOffsets,
        // Fractional, as interpolated lag in seconds is.
        lagSeconds: lagOffsets * 1.37,
        lagSecondsMethod: "interpolated",
      });
    }
  }
  return partitions.sort((a, b) =>
    a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition
  );
}

const groups = Array.from(
  { length: GROUPS },
  (_, group) =>
    aggregateGroup(`scale-group-${String(group).padStart(6, "0")}`, groupPartitions(group)),
);
const status: ClusterStatus = {
  clusterName: "bench-0",
  up: true,
  iterationErrorsTotal: 0,
  lastDurationSeconds: 0.5,
  lastSuccessMs: Date.now(),
  snapshot: {
    clusterName: "bench-0",
    groupsChecked: GROUPS,
    groups,
    startedAtMs: 0,
    completedAtMs: 1,
  },
};
const metrics = createExporterMetrics(
  { clusters: () => [status], iterationSeconds: () => 0.5, liveInstances: () => 1 },
  { labels: {}, granularity: "partition", version: "bench", commit: "bench" },
);

const timesMs: number[] = [];
let bytes = 0;
for (let round = 0; round < ROUNDS; round++) {
  const startedAt = performance.now();
  bytes = 0;
  for await (const chunk of await metrics.render()) bytes += chunk.byteLength;
  if (round >= WARM_UP) timesMs.push(performance.now() - startedAt);
}
console.log(
  `${GROUPS} groups: render median ${median(timesMs).toFixed(0)} ms (fastest ${
    Math.min(...timesMs).toFixed(0)
  } ms), ${(bytes / 1_048_576).toFixed(1)} MB`,
);
