/**
 * The metric names and labels of the exporters users switch from — kafka_exporter (danielqsj)
 * and kafka-lag-exporter (seglo/Lightbend) — and where each value comes from in a snapshot.
 * Names and label sets follow those projects' documentation; the mapping and what cannot be
 * mapped are in docs/migrating-from-kafka_exporter.md and docs/migrating-from-kafka-lag-exporter.md.
 */
import type { Granularity, Labels, MetricFamily } from "./metric_family.ts";
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";
import { type GroupReport, partitionOwner } from "../lag/group_report.ts";
import type { EndOffset } from "../kafka/kafka_admin.ts";

/** The naming schemes the exporter can speak besides its own. */
export type CompatScheme = "kafka_exporter" | "kafka_lag_exporter";

export type Visit = (labels: Labels, value: number) => void;

export interface SampleContext {
  status: ClusterStatus;
  /** Label pairs identifying the cluster (empty for kafka_exporter with one cluster). */
  cluster: Labels;
}

/**
 * One metric of a scheme, a family of the one metric model with its documented label names (in
 * the order the projects document them; the user's labels follow).
 */
export interface CompatMetric extends MetricFamily {
  labelNames: readonly string[];
  level: Granularity;
  /** Those projects write `name=""` for an empty value (a partition nobody owns). */
  keepEmptyLabels: true;
}

type ClusterSamples = (context: SampleContext, visit: Visit) => void;

/** The samples of every cluster, with the cluster labelled as `clusterLabel` names it. */
function eachCluster(
  samples: ClusterSamples,
  clusterLabel: (clusterCount: number) => string | undefined,
): MetricFamily["samples"] {
  return function* (state, emit) {
    const label = clusterLabel(state.statuses.length);
    for (const status of state.statuses) {
      const cluster: Labels = label ? [[label, status.clusterName]] : [];
      samples({ status, cluster }, (labels, value) => emit.sample(labels, value));
      yield;
    }
  };
}

// kafka_exporter has no cluster label; with several clusters one is needed to keep series apart.
const ke = (samples: ClusterSamples) =>
  eachCluster(samples, (count) => (count > 1 ? "clustername" : undefined));
const kle = (samples: ClusterSamples) => eachCluster(samples, () => "cluster_name");

function groupsOf(context: SampleContext): GroupReport[] {
  return context.status.snapshot?.groups ?? [];
}

function partitionOffsetsOf(context: SampleContext): EndOffset[] {
  return context.status.snapshot?.partitionOffsets ?? [];
}

/** Every group-partition: labels built by `labels`, value by `value`. */
function perGroupPartition(
  labels: (context: SampleContext, group: GroupReport, index: number) => Labels,
  value: (group: GroupReport, index: number) => number | undefined,
) {
  return (context: SampleContext, visit: Visit) => {
    for (const group of groupsOf(context)) {
      for (let index = 0; index < group.partitions.length; index++) {
        const sample = value(group, index);
        if (sample !== undefined) visit(labels(context, group, index), sample);
      }
    }
  };
}

// kafka_exporter: one exporter per cluster, so no cluster label; `consumergroup` names the group.
// arity-ok: called for every group-partition sample; no options object per call
const keGroupPartition = (context: SampleContext, group: GroupReport, index: number): Labels => [
  ...context.cluster,
  ["consumergroup", group.groupId],
  ["topic", group.partitions.topic(index)],
  ["partition", String(group.partitions.partition(index))],
];

function keTopicSums(pick: (group: GroupReport, index: number) => number) {
  return (context: SampleContext, visit: Visit) => {
    for (const group of groupsOf(context)) {
      const sums = new Map<string, number>();
      for (let index = 0; index < group.partitions.length; index++) {
        const topic = group.partitions.topic(index);
        sums.set(topic, (sums.get(topic) ?? 0) + pick(group, index));
      }
      for (const [topic, sum] of sums) {
        visit([...context.cluster, ["consumergroup", group.groupId], ["topic", topic]], sum);
      }
    }
  };
}

const KAFKA_EXPORTER: readonly CompatMetric[] = [
  {
    name: "kafka_consumergroup_lag",
    help: "Current approximate lag of a consumer group at topic/partition.",
    labelNames: ["consumergroup", "topic", "partition"],
    level: "partition",
    keepEmptyLabels: true,
    samples: ke(perGroupPartition(keGroupPartition, (group, i) => group.partitions.lagOffsets(i))),
  },
  {
    name: "kafka_consumergroup_lag_sum",
    help: "Current approximate lag of a consumer group at topic for all partitions.",
    labelNames: ["consumergroup", "topic"],
    level: "topic",
    keepEmptyLabels: true,
    samples: ke(keTopicSums((group, i) => group.partitions.lagOffsets(i))),
  },
  {
    name: "kafka_consumergroup_current_offset",
    help: "Current offset of a consumer group at topic/partition.",
    labelNames: ["consumergroup", "topic", "partition"],
    level: "partition",
    keepEmptyLabels: true,
    samples: ke(
      perGroupPartition(keGroupPartition, (group, i) => group.partitions.committedOffset(i)),
    ),
  },
  {
    name: "kafka_consumergroup_current_offset_sum",
    help: "Current offset of a consumer group at topic for all partitions.",
    labelNames: ["consumergroup", "topic"],
    level: "topic",
    keepEmptyLabels: true,
    samples: ke(keTopicSums((group, i) => group.partitions.committedOffset(i))),
  },
  {
    name: "kafka_consumergroup_members",
    help: "Amount of members in a consumer group.",
    labelNames: ["consumergroup"],
    level: "group",
    keepEmptyLabels: true,
    samples: ke((context, visit) => {
      for (const group of groupsOf(context)) {
        if (!group.activity) continue;
        visit(
          [...context.cluster, ["consumergroup", group.groupId]],
          group.activity.members.length,
        );
      }
    }),
  },
  {
    name: "kafka_topic_partition_current_offset",
    help: "Current offset of a broker at topic/partition.",
    labelNames: ["topic", "partition"],
    level: "group",
    keepEmptyLabels: true,
    samples: ke((context, visit) => {
      for (const end of partitionOffsetsOf(context)) {
        visit(
          [...context.cluster, ["topic", end.topic], ["partition", String(end.partition)]],
          end.offset,
        );
      }
    }),
  },
  {
    name: "kafka_topic_partition_oldest_offset",
    help: "Oldest offset of a broker at topic/partition.",
    labelNames: ["topic", "partition"],
    level: "group",
    keepEmptyLabels: true,
    samples: ke((context, visit) => {
      for (const end of partitionOffsetsOf(context)) {
        if (end.logStartOffset === undefined) continue;
        visit(
          [...context.cluster, ["topic", end.topic], ["partition", String(end.partition)]],
          end.logStartOffset,
        );
      }
    }),
  },
  {
    name: "kafka_topic_partitions",
    help: "Number of partitions for this topic.",
    labelNames: ["topic"],
    level: "group",
    keepEmptyLabels: true,
    samples: ke((context, visit) => {
      const counts = new Map<string, number>();
      for (const end of partitionOffsetsOf(context)) {
        counts.set(end.topic, (counts.get(end.topic) ?? 0) + 1);
      }
      for (const [topic, count] of counts) visit([...context.cluster, ["topic", topic]], count);
    }),
  },
];

// kafka-lag-exporter: the member owning each partition, as it labels them (empty for a partition
// nobody owns: Prometheus treats an empty label as absent).
// arity-ok: called for every group-partition sample; no options object per call
const kleGroupPartition = (context: SampleContext, group: GroupReport, index: number): Labels => {
  const owner = partitionOwner(group, index);
  return [
    ...context.cluster,
    ["group", group.groupId],
    ["topic", group.partitions.topic(index)],
    ["partition", String(group.partitions.partition(index))],
    ["member_host", owner?.host ?? ""],
    ["consumer_id", owner?.memberId ?? ""],
    ["client_id", owner?.clientId ?? ""],
  ];
};
const PARTITION_LABELS = [
  "cluster_name",
  "group",
  "topic",
  "partition",
  "member_host",
  "consumer_id",
  "client_id",
] as const;

function kleGroupTotal(pick: (group: GroupReport) => number | undefined, simpleLabel: boolean) {
  return (context: SampleContext, visit: Visit) => {
    for (const group of groupsOf(context)) {
      const value = pick(group);
      if (value === undefined) continue;
      const labels: Labels = [...context.cluster, ["group", group.groupId]];
      if (simpleLabel) labels.push(["is_simple_consumer", ""]);
      visit(labels, value);
    }
  };
}

function klePartitionOffsets(pick: (end: EndOffset) => number | undefined) {
  return (context: SampleContext, visit: Visit) => {
    for (const end of partitionOffsetsOf(context)) {
      const value = pick(end);
      if (value === undefined) continue;
      visit(
        [...context.cluster, ["topic", end.topic], ["partition", String(end.partition)]],
        value,
      );
    }
  };
}

const KAFKA_LAG_EXPORTER: readonly CompatMetric[] = [
  {
    name: "kafka_consumergroup_group_offset",
    help:
      "The offset of the last consumed offset for this partition in this topic partition for this group.",
    labelNames: PARTITION_LABELS,
    level: "partition",
    keepEmptyLabels: true,
    samples: kle(perGroupPartition(
      kleGroupPartition,
      (group, i) => group.partitions.committedOffset(i),
    )),
  },
  {
    name: "kafka_consumergroup_group_lag",
    help: "Group offset lag of a partition.",
    labelNames: PARTITION_LABELS,
    level: "partition",
    keepEmptyLabels: true,
    samples: kle(
      perGroupPartition(kleGroupPartition, (group, i) => group.partitions.lagOffsets(i)),
    ),
  },
  {
    name: "kafka_consumergroup_group_lag_seconds",
    help: "Group time lag of a partition.",
    labelNames: PARTITION_LABELS,
    level: "partition",
    keepEmptyLabels: true,
    samples: kle(
      perGroupPartition(kleGroupPartition, (group, i) => group.partitions.lagSeconds(i)),
    ),
  },
  {
    name: "kafka_consumergroup_group_max_lag",
    help: "Max group offset lag.",
    labelNames: ["cluster_name", "group", "is_simple_consumer"],
    level: "group",
    keepEmptyLabels: true,
    samples: kle(kleGroupTotal((group) => group.total?.maxLagOffsets, true)),
  },
  {
    name: "kafka_consumergroup_group_max_lag_seconds",
    help: "Max group time lag.",
    labelNames: ["cluster_name", "group", "is_simple_consumer"],
    level: "group",
    keepEmptyLabels: true,
    samples: kle(kleGroupTotal((group) => group.total?.maxLagSeconds, true)),
  },
  {
    name: "kafka_consumergroup_group_sum_lag",
    help: "Sum of group offset lag.",
    labelNames: ["cluster_name", "group"],
    level: "group",
    keepEmptyLabels: true,
    samples: kle(kleGroupTotal((group) => group.total?.sumLagOffsets, false)),
  },
  {
    name: "kafka_consumergroup_group_topic_sum_lag",
    help: "Sum of group offset lag across topic partitions.",
    labelNames: ["cluster_name", "group", "topic"],
    level: "topic",
    keepEmptyLabels: true,
    samples: kle((context, visit) => {
      for (const group of groupsOf(context)) {
        for (const topic of group.topics) {
          if (topic.sumLagOffsets === undefined) continue;
          visit(
            [...context.cluster, ["group", group.groupId], ["topic", topic.topic]],
            topic.sumLagOffsets,
          );
        }
      }
    }),
  },
  {
    name: "kafka_partition_latest_offset",
    help: "Latest offset of a partition.",
    labelNames: ["cluster_name", "topic", "partition"],
    level: "group",
    keepEmptyLabels: true,
    samples: kle(klePartitionOffsets((end) => end.offset)),
  },
  {
    name: "kafka_partition_earliest_offset",
    help: "Earliest offset of a partition.",
    labelNames: ["cluster_name", "topic", "partition"],
    level: "group",
    keepEmptyLabels: true,
    samples: kle(klePartitionOffsets((end) => end.logStartOffset)),
  },
];

/** The metrics of each scheme, for the exposition and for tests and docs. */
export const COMPAT_METRICS: Record<CompatScheme, readonly CompatMetric[]> = {
  kafka_exporter: KAFKA_EXPORTER,
  kafka_lag_exporter: KAFKA_LAG_EXPORTER,
};
