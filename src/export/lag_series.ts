/**
 * The seed's lag series, straight from the cluster snapshots: as Prometheus text for /metrics
 * and as values for remote write. Written without prom-client because at tens of thousands of
 * groups there are hundreds of thousands of series, and labelled gauges would hash every label
 * set on every scrape and hold every series twice; here each line is one string concatenation,
 * made while the scrape is being sent.
 */
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";
import { type GroupLag, partitionOwner } from "../lag/group_lag.ts";
import type { GroupMember } from "../kafka/kafka_admin.ts";
import type { LagAggregate } from "../lag/lag_values.ts";
import type { SeriesValue } from "./push/remote_writer.ts";

/** Which lag series to export: finer ones are dropped to bound cardinality. */
export type Granularity = "partition" | "topic" | "group";

/** Whether series of `level` are exported at `granularity` (group ⊂ topic ⊂ partition). */
export function exportedAt(level: Granularity, granularity: Granularity): boolean {
  return GRANULARITY_RANK[level] <= GRANULARITY_RANK[granularity];
}

const GRANULARITY_RANK: Record<Granularity, number> = { group: 0, topic: 1, partition: 2 };

/** Options shared by both outputs. */
export interface LagSeriesOptions {
  /** Extra labels on every series (prometheus_local.labels). */
  labels: Record<string, string>;
  granularity: Granularity;
  /**
   * Label partition lag series with the member that owns the partition (consumer_id, client_id,
   * member_host; prometheus_local.member_labels): a rebalance then starts new series.
   */
  memberLabels?: boolean;
  /**
   * Export the seed's ten lag metrics (false when only compat names are wanted: the group state,
   * status and rate series are the exporter's own and always exported).
   */
  native?: boolean;
}

type Pick = (aggregate: LagAggregate) => number | undefined;

interface LagMetric {
  name: string;
  help: string;
  level: Granularity;
  pick?: Pick;
  seconds?: boolean;
  /** A group-level value with labels of its own, from what the group is doing. */
  ofGroup?: (group: GroupLag) => { value: number; labels?: Array<[string, string]> } | undefined;
}

/**
 * The ten lag metrics of the seed (the other two seed metrics are per cluster and stay in
 * prom-client), then what each group is doing (state, members, status, rates, retention ratio):
 * per group as well, so rendered here rather than by prom-client.
 */
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
  {
    name: "kafka_lag_exporter_group_state",
    help:
      "1 for the group's current state (Stable, Empty, PreparingRebalance, CompletingRebalance, " +
      "Reconciling, Assigning, Dead, …) and protocol (classic or consumer, KIP-848).",
    level: "group",
    ofGroup: ({ activity }) =>
      activity && {
        value: 1,
        labels: [["state", activity.state], ["protocol", activity.protocol]],
      },
  },
  {
    name: "kafka_lag_exporter_group_members",
    help: "Members of the group (consumers that joined it); 0 when it is Empty.",
    level: "group",
    ofGroup: ({ activity }) => activity && { value: activity.members.length },
  },
  {
    name: "kafka_lag_exporter_group_status",
    help:
      "1 for the group's consumer status over app.status_window, the worst of its partitions': " +
      "OK, WARN (lag growing at every commit), REWIND (committed offset went back), STALL " +
      "(members, committed offset still, lag > 0) or STOP (no members, offset still, lag > 0).",
    level: "group",
    ofGroup: ({ status }) => status && { value: 1, labels: [["status", status]] },
  },
  {
    name: "kafka_lag_exporter_group_consume_rate",
    help: "Offsets the group commits per second, summed over its partitions (exponentially " +
      "weighted over app.status_window).",
    level: "group",
    ofGroup: ({ rates }) =>
      rates?.consumeRate === undefined ? undefined : { value: rates.consumeRate },
  },
  {
    name: "kafka_lag_exporter_group_produce_rate",
    help: "Offsets written per second to the partitions the group reads, summed (exponentially " +
      "weighted over app.status_window).",
    level: "group",
    ofGroup: ({ rates }) =>
      rates?.produceRate === undefined ? undefined : { value: rates.produceRate },
  },
  {
    name: "kafka_lag_exporter_group_retention_ratio",
    help:
      "Share of the retained log the group has not read, on its worst partition: 0 caught up, " +
      "1 when its next record is the oldest kept (retention deletes unread records next) or gone.",
    level: "group",
    ofGroup: ({ retentionRatio }) =>
      retentionRatio === undefined ? undefined : { value: retentionRatio },
  },
  {
    name: "kafka_lag_exporter_group_time_to_catch_up_seconds",
    help: "Seconds until the group's slowest partition has no lag at the current rates (lag / " +
      "(consumption - production)); 0 when caught up, no series when a lagging partition is not gaining.",
    level: "group",
    ofGroup: ({ rates }) =>
      rates?.catchUpSeconds === undefined ? undefined : { value: rates.catchUpSeconds },
  },
];

function included(metric: LagMetric, options: LagSeriesOptions): boolean {
  if (options.native === false && !metric.ofGroup) return false;
  return exportedAt(metric.level, options.granularity);
}

/** The user's extra labels as they follow the exporter's own in a sample: `,name="value"…`. */
export function extraLabelsText(labels: Record<string, string>): string {
  return Object.entries(labels).map(([name, value]) => `,${name}="${escapeLabelValue(value)}"`)
    .join("");
}

/** Escapes a label value for the text format. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (character) => (character === "\n" ? "\\n" : `\\${character}`));
}

/** The labels a sample adds after the group's: topic, partition, member, state… */
type SampleLabels = Array<[string, string]>;

const NO_LABELS: SampleLabels = [];

/** The member labels of a partition (empty values for an unassigned one: no label, in Prometheus). */
function memberLabels(owner: GroupMember | undefined): SampleLabels {
  return [
    ["consumer_id", owner?.memberId ?? ""],
    ["client_id", owner?.clientId ?? ""],
    ["member_host", owner?.host ?? ""],
  ];
}

/** Visits every sample of one metric: the group, the topic/partition labels, the value. */
function forEachSampleOf(
  { metric, group, withMembers }: { metric: LagMetric; group: GroupLag; withMembers?: boolean },
  visit: (
    topic: string | undefined,
    partition: number | undefined,
    value: number,
    labels: SampleLabels,
  ) => void,
) {
  if (metric.ofGroup) {
    const sample = metric.ofGroup(group);
    if (sample) visit(undefined, undefined, sample.value, sample.labels ?? NO_LABELS);
  } else if (metric.level === "group") {
    const value = group.total && metric.pick!(group.total);
    if (value !== undefined) visit(undefined, undefined, value, NO_LABELS);
  } else if (metric.level === "topic") {
    for (const topic of group.topics) {
      const value = metric.pick!(topic);
      if (value !== undefined) visit(topic.topic, undefined, value, NO_LABELS);
    }
  } else {
    const partitions = group.partitions;
    for (let index = 0; index < partitions.length; index++) {
      const value = metric.seconds ? partitions.lagSeconds(index) : partitions.lagOffsets(index);
      if (value === undefined) continue;
      const topic = partitions.topic(index);
      const partition = partitions.partition(index);
      const labels = withMembers ? memberLabels(partitionOwner(group, index)) : NO_LABELS;
      visit(topic, partition, value, labels);
    }
  }
}

/** Text is handed out in pieces of about this many characters. */
const TEXT_CHUNK_CHARS = 64 * 1024;

/**
 * The lag metrics in Prometheus text format (HELP and TYPE for each, even without samples), in
 * pieces of about 64 KiB: each metric's samples together, one pass over the snapshots per
 * metric. Generated while the response is sent, so a large exposition is never held whole.
 */
export function* lagTextChunks(
  statuses: readonly ClusterStatus[],
  options: LagSeriesOptions,
): Generator<string> {
  const extra = extraLabelsText(options.labels);
  const withMembers = options.memberLabels;
  let text = "";
  let lastTopic: string | undefined;
  let lastTopicLabel = "";
  for (const metric of LAG_METRICS) {
    if (!included(metric, options)) continue;
    // No blank line between families: OpenMetrics forbids it, Prometheus text does not need it.
    text += `# HELP ${metric.name} ${metric.help}\n# TYPE ${metric.name} gauge\n`;
    for (const status of statuses) {
      const cluster = escapeLabelValue(status.clusterName);
      for (const group of status.snapshot?.groups ?? []) {
        const prefix = `${metric.name}{clustername="${cluster}",group="${
          escapeLabelValue(group.groupId)
        }"`;
        forEachSampleOf({ metric, group, withMembers }, (topic, partition, value, labels) => {
          text += prefix;
          if (topic !== undefined) {
            // A group's partitions come topic by topic: escaped once per run of one topic.
            if (topic !== lastTopic) {
              lastTopic = topic;
              lastTopicLabel = `,topic="${escapeLabelValue(topic)}"`;
            }
            text += lastTopicLabel;
          }
          if (partition !== undefined) text += `,partition="${partition}"`;
          for (let label = 0; label < labels.length; label++) {
            const [name, labelValue] = labels[label];
            if (labelValue !== "") text += `,${name}="${escapeLabelValue(labelValue)}"`;
          }
          text += `${extra}} ${value}\n`;
        });
        if (text.length >= TEXT_CHUNK_CHARS) {
          yield text;
          text = "";
        }
      }
    }
  }
  yield text;
}

/** The same samples as values with labels (`__name__` included), for remote write, one at a time. */
export function* lagSeriesValues(
  statuses: readonly ClusterStatus[],
  options: LagSeriesOptions,
): Generator<SeriesValue> {
  for (const metric of LAG_METRICS) {
    if (!included(metric, options)) continue;
    for (const status of statuses) {
      for (const group of status.snapshot?.groups ?? []) {
        const ofGroup: SeriesValue[] = [];
        const withMembers = options.memberLabels;
        forEachSampleOf({ metric, group, withMembers }, (topic, partition, value, extra) => {
          const labels: Record<string, string> = {
            __name__: metric.name,
            clustername: status.clusterName,
            group: group.groupId,
          };
          if (topic !== undefined) labels.topic = topic;
          if (partition !== undefined) labels.partition = String(partition);
          for (const [name, labelValue] of extra) if (labelValue !== "") labels[name] = labelValue;
          for (const name in options.labels) labels[name] = options.labels[name];
          ofGroup.push({ labels, value });
        });
        yield* ofGroup;
      }
    }
  }
}
