/**
 * The seed's lag series, straight from the cluster snapshots: as Prometheus text for /metrics
 * and as values for remote write. Written without prom-client because at tens of thousands of
 * groups there are hundreds of thousands of series, and labelled gauges would hash every label
 * set on every scrape; here each line is one string concatenation and the text is cached until
 * the snapshots change.
 */
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";
import type { GroupLag, LagAggregate } from "../lag/types.ts";
import type { SeriesValue } from "./remote_write/remote_writer.ts";

/** Which lag series to export: finer ones are dropped to bound cardinality. */
export type Granularity = "partition" | "topic" | "group";

/** Options shared by both outputs. */
export interface LagSeriesOptions {
  /** Extra labels on every series (prometheus_local.labels). */
  labels: Record<string, string>;
  granularity: Granularity;
}

type Level = "partition" | "topic" | "group";
type Pick = (aggregate: LagAggregate) => number | undefined;

interface LagMetric {
  name: string;
  help: string;
  level: Level;
  pick?: Pick;
  seconds?: boolean;
}

/** The ten lag metrics of the seed (the other two seed metrics are per cluster and stay in prom-client). */
export const LAG_METRICS: readonly LagMetric[] = [
  {
    name: "kafka_consumer_group_lag_in_offsets",
    help:
      "Offsets the group has not consumed yet on the partition (log-end offset minus committed offset).",
    level: "partition",
  },
  {
    name: "kafka_consumer_group_lag_in_seconds",
    help:
      "Estimated age in seconds of the oldest record the group has not consumed on the partition.",
    level: "partition",
    seconds: true,
  },
  {
    name: "kafka_consumer_group_max_lag_in_offsets",
    help: "Largest partition lag in offsets of the group.",
    level: "group",
    pick: (a) => a.maxLagOffsets,
  },
  {
    name: "kafka_consumer_group_max_lag_in_seconds",
    help: "Largest partition lag in seconds of the group.",
    level: "group",
    pick: (a) => a.maxLagSeconds,
  },
  {
    name: "kafka_consumer_group_sum_lag_in_offsets",
    help: "Sum of the partition lags in offsets of the group.",
    level: "group",
    pick: (a) => a.sumLagOffsets,
  },
  {
    name: "kafka_consumer_group_sum_lag_in_seconds",
    help: "Sum of the partition lags in seconds of the group.",
    level: "group",
    pick: (a) => a.sumLagSeconds,
  },
  {
    name: "kafka_consumer_group_topic_max_lag_in_offsets",
    help: "Largest partition lag in offsets of the group on the topic.",
    level: "topic",
    pick: (a) => a.maxLagOffsets,
  },
  {
    name: "kafka_consumer_group_topic_max_lag_in_seconds",
    help: "Largest partition lag in seconds of the group on the topic.",
    level: "topic",
    pick: (a) => a.maxLagSeconds,
  },
  {
    name: "kafka_consumer_group_topic_sum_lag_in_offsets",
    help: "Sum of the partition lags in offsets of the group on the topic.",
    level: "topic",
    pick: (a) => a.sumLagOffsets,
  },
  {
    name: "kafka_consumer_group_topic_sum_lag_in_seconds",
    help: "Sum of the partition lags in seconds of the group on the topic.",
    level: "topic",
    pick: (a) => a.sumLagSeconds,
  },
];

const LEVEL_RANK: Record<Level, number> = { group: 0, topic: 1, partition: 2 };

function included(metric: LagMetric, granularity: Granularity): boolean {
  return LEVEL_RANK[metric.level] <= LEVEL_RANK[granularity];
}

/** Escapes a label value for the text format. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (character) => (character === "\n" ? "\\n" : `\\${character}`));
}

/** Visits every lag sample: metric index, the group, the topic/partition labels, the value. */
function forEachSample(
  statuses: readonly ClusterStatus[],
  granularity: Granularity,
  visit: (
    metric: number,
    clusterName: string,
    group: GroupLag,
    topic: string | undefined,
    partition: number | undefined,
    value: number,
  ) => void,
) {
  const metrics = LAG_METRICS.map((metric) => included(metric, granularity));
  for (const status of statuses) {
    for (const group of status.snapshot?.groups ?? []) {
      LAG_METRICS.forEach((metric, index) => {
        if (!metrics[index]) return;
        if (metric.level === "group") {
          const value = group.total && metric.pick!(group.total);
          if (value !== undefined) {
            visit(index, status.clusterName, group, undefined, undefined, value);
          }
        } else if (metric.level === "topic") {
          for (const topic of group.topics) {
            const value = metric.pick!(topic);
            if (value !== undefined) {
              visit(index, status.clusterName, group, topic.topic, undefined, value);
            }
          }
        } else {
          for (const partition of group.partitions) {
            const value = metric.seconds ? partition.lagSeconds : partition.lagOffsets;
            if (value !== undefined) {
              visit(index, status.clusterName, group, partition.topic, partition.partition, value);
            }
          }
        }
      });
    }
  }
}

/** Appends text to a list of byte chunks, so a large exposition never exists as one string. */
class ChunkWriter {
  static readonly #encoder = new TextEncoder();
  readonly chunks: Uint8Array<ArrayBuffer>[] = [];
  #buffer = new Uint8Array(64 * 1024);
  #used = 0;

  write(text: string): void {
    for (;;) {
      const { read, written } = ChunkWriter.#encoder.encodeInto(
        text,
        this.#buffer.subarray(this.#used),
      );
      this.#used += written;
      if (read === text.length) return;
      text = text.slice(read);
      this.#flush(Math.max(64 * 1024, text.length * 3));
    }
  }

  finish(): Uint8Array<ArrayBuffer>[] {
    this.#flush(0);
    return this.chunks;
  }

  #flush(nextSize: number) {
    if (this.#used > 0) this.chunks.push(this.#buffer.slice(0, this.#used));
    this.#buffer = new Uint8Array(nextSize);
    this.#used = 0;
  }
}

/**
 * The lag metrics in Prometheus text format (HELP and TYPE for each, even without samples), as a
 * Blob: written line by line into byte chunks, each metric's samples kept together.
 */
export function renderLagBlob(statuses: readonly ClusterStatus[], options: LagSeriesOptions): Blob {
  const extra = Object.entries(options.labels).map(([name, value]) =>
    `,${name}="${escapeLabelValue(value)}"`
  ).join("");
  const writers = LAG_METRICS.map((metric) => {
    const writer = new ChunkWriter();
    writer.write(`# HELP ${metric.name} ${metric.help}\n# TYPE ${metric.name} gauge\n`);
    return writer;
  });
  let groupPrefix = "";
  let lastGroup: GroupLag | undefined;
  forEachSample(
    statuses,
    options.granularity,
    (metric, clusterName, group, topic, partition, value) => {
      if (group !== lastGroup) {
        groupPrefix = `{clustername="${escapeLabelValue(clusterName)}",group="${
          escapeLabelValue(group.groupId)
        }"`;
        lastGroup = group;
      }
      let labels = groupPrefix;
      if (topic !== undefined) labels += `,topic="${escapeLabelValue(topic)}"`;
      if (partition !== undefined) labels += `,partition="${partition}"`;
      writers[metric].write(`${LAG_METRICS[metric].name}${labels}${extra}} ${value}\n`);
    },
  );
  const parts: Uint8Array<ArrayBuffer>[] = [];
  writers.forEach((writer, index) => {
    if (!included(LAG_METRICS[index], options.granularity)) return;
    parts.push(...writer.finish(), new TextEncoder().encode("\n"));
  });
  return new Blob(parts, { type: "text/plain" });
}

/** renderLagBlob() as a string (tests and small outputs). */
export function renderLagText(
  statuses: readonly ClusterStatus[],
  options: LagSeriesOptions,
): Promise<string> {
  return renderLagBlob(statuses, options).text();
}

/** The same samples as values with labels (`__name__` included), for remote write. */
export function lagSeriesValues(
  statuses: readonly ClusterStatus[],
  options: LagSeriesOptions,
): SeriesValue[] {
  const series: SeriesValue[] = [];
  forEachSample(
    statuses,
    options.granularity,
    (metric, clusterName, group, topic, partition, value) => {
      const labels: Record<string, string> = {
        __name__: LAG_METRICS[metric].name,
        clustername: clusterName,
        group: group.groupId,
      };
      if (topic !== undefined) labels.topic = topic;
      if (partition !== undefined) labels.partition = String(partition);
      series.push({ labels: { ...labels, ...options.labels }, value });
    },
  );
  return series;
}
