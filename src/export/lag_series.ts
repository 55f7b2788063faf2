/**
 * The native lag series (the seed's ten) and what each group is doing (state, members, status,
 * rates, retention ratio, time to catch up), as families of the one metric model
 * (metric_family.ts), straight from the cluster snapshots. Not prom-client: at tens of thousands
 * of groups there are hundreds of thousands of series, and labelled gauges would hash every
 * label set on every scrape and hold every series twice; here a family walks the snapshot's
 * tables, reusing one label array per sample.
 */
import type { GroupMember } from "../lag/group_members.ts";
import { type GroupReport, partitionOwner } from "../lag/group_report.ts";
import type { LagAggregate } from "../lag/lag_values.ts";
import type {
  Granularity,
  Labels,
  MetricFamily,
  SampleEmitter,
  ScrapeState,
} from "./metric_family.ts";

export { exportedAt, type Granularity } from "./metric_family.ts";

/** Which lag series to export. */
export interface LagSeriesOptions {
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

/** Groups between two pauses of a family: a pause lets the walker hand out its text. */
const GROUPS_PER_PAUSE = 8;

/** A family of every group of every cluster; pauses every few groups (large output streams). */
function eachGroup(
  family: { name: string; help: string; level: Granularity },
  samples: (group: GroupReport, emit: SampleEmitter, labels: Labels) => void,
): MetricFamily {
  return {
    ...family,
    *samples(state: ScrapeState, emit: SampleEmitter) {
      // [clustername, group]: filled in place, then the family's own labels follow.
      const labels: Labels = [["clustername", ""], ["group", ""]];
      let sincePause = 0;
      for (const status of state.statuses) {
        labels[0][1] = status.clusterName;
        for (const group of status.snapshot?.groups ?? []) {
          labels[1][1] = group.groupId;
          samples(group, emit, labels);
          if (++sincePause === GROUPS_PER_PAUSE) {
            sincePause = 0;
            yield;
          }
        }
      }
    },
  };
}

/** Per group: the aggregate over all its partitions. */
function groupAggregate({ name, help }: { name: string; help: string }, pick: Pick): MetricFamily {
  return eachGroup({ name, help, level: "group" }, (group, emit, labels) => {
    const value = group.total && pick(group.total);
    if (value !== undefined) emit.sample(labels, value);
  });
}

/** Per group and topic: the aggregate over the group's partitions of the topic. */
function topicAggregate({ name, help }: { name: string; help: string }, pick: Pick): MetricFamily {
  const withTopic: Labels = [["clustername", ""], ["group", ""], ["topic", ""]];
  return eachGroup({ name, help, level: "topic" }, (group, emit, labels) => {
    withTopic[0][1] = labels[0][1];
    withTopic[1][1] = labels[1][1];
    for (const topic of group.topics) {
      const value = pick(topic);
      if (value === undefined) continue;
      withTopic[2][1] = topic.topic;
      emit.sample(withTopic, value);
    }
  });
}

/** The member labels of a partition (empty values for an unassigned one: no label). */
function setMemberLabels(labels: Labels, owner: GroupMember | undefined): void {
  labels[4][1] = owner?.memberId ?? "";
  labels[5][1] = owner?.clientId ?? "";
  labels[6][1] = owner?.host ?? "";
}

/** Per group-partition, with the owning member's labels when `withMembers`. */
function perPartition(
  { name, help, seconds, withMembers }: {
    name: string;
    help: string;
    seconds: boolean;
    withMembers: boolean;
  },
): MetricFamily {
  const names = ["clustername", "group", "topic", "partition"];
  if (withMembers) names.push("consumer_id", "client_id", "member_host");
  const row: Labels = names.map((labelName) => [labelName, ""]);
  // Partition numbers as label values, each made once (a few distinct ones).
  const partitionTexts: string[] = [];
  return eachGroup({ name, help, level: "partition" }, (group, emit, labels) => {
    row[0][1] = labels[0][1];
    row[1][1] = labels[1][1];
    const table = group.partitions;
    // The group's first sample starts afresh; then cluster and group stay, and the topic too
    // while it lasts (a table lists each topic's partitions together).
    let same = 0;
    for (let index = 0; index < table.length; index++) {
      const value = seconds ? table.lagSeconds(index) : table.lagOffsets(index);
      if (value === undefined) continue;
      const topic = table.topic(index);
      if (same > 0) same = topic === row[2][1] ? 3 : 2;
      row[2][1] = topic;
      const partition = table.partition(index);
      row[3][1] = partitionTexts[partition] ??= String(partition);
      if (withMembers) setMemberLabels(row, partitionOwner(group, index));
      emit.sample(row, value, same);
      same = 3;
    }
  });
}

/** Per group: a value (and labels of its own) from what the group is doing. */
function ofGroup(
  { name, help }: { name: string; help: string },
  value: (group: GroupReport) => { value: number; labels?: Labels } | undefined,
): MetricFamily {
  return eachGroup({ name, help, level: "group" }, (group, emit, labels) => {
    const sample = value(group);
    if (!sample) return;
    emit.sample(sample.labels ? [...labels, ...sample.labels] : labels, sample.value);
  });
}

/**
 * The native families: the seed's ten lag metrics (the other two seed metrics are per cluster:
 * state_families.ts), then what each group is doing.
 */
export function nativeFamilies(options: LagSeriesOptions): MetricFamily[] {
  const withMembers = options.memberLabels ?? false;
  const lag: MetricFamily[] = [
    perPartition({
      name: "kafka_consumer_group_lag_in_offsets",
      help:
        "Offsets the group has not consumed yet on the partition (log-end offset minus committed offset).",
      seconds: false,
      withMembers,
    }),
    perPartition({
      name: "kafka_consumer_group_lag_in_seconds",
      help:
        "Estimated age in seconds of the oldest record the group has not consumed on the partition.",
      seconds: true,
      withMembers,
    }),
    groupAggregate(
      {
        name: "kafka_consumer_group_max_lag_in_offsets",
        help: "Largest partition lag in offsets of the group.",
      },
      (a) => a.maxLagOffsets,
    ),
    groupAggregate(
      {
        name: "kafka_consumer_group_max_lag_in_seconds",
        help: "Largest partition lag in seconds of the group.",
      },
      (a) => a.maxLagSeconds,
    ),
    groupAggregate(
      {
        name: "kafka_consumer_group_sum_lag_in_offsets",
        help: "Sum of the partition lags in offsets of the group.",
      },
      (a) => a.sumLagOffsets,
    ),
    groupAggregate(
      {
        name: "kafka_consumer_group_sum_lag_in_seconds",
        help: "Sum of the partition lags in seconds of the group.",
      },
      (a) => a.sumLagSeconds,
    ),
    topicAggregate(
      {
        name: "kafka_consumer_group_topic_max_lag_in_offsets",
        help: "Largest partition lag in offsets of the group on the topic.",
      },
      (a) => a.maxLagOffsets,
    ),
    topicAggregate(
      {
        name: "kafka_consumer_group_topic_max_lag_in_seconds",
        help: "Largest partition lag in seconds of the group on the topic.",
      },
      (a) => a.maxLagSeconds,
    ),
    topicAggregate(
      {
        name: "kafka_consumer_group_topic_sum_lag_in_offsets",
        help: "Sum of the partition lags in offsets of the group on the topic.",
      },
      (a) => a.sumLagOffsets,
    ),
    topicAggregate(
      {
        name: "kafka_consumer_group_topic_sum_lag_in_seconds",
        help: "Sum of the partition lags in seconds of the group on the topic.",
      },
      (a) => a.sumLagSeconds,
    ),
  ];
  const activity: MetricFamily[] = [
    ofGroup(
      {
        name: "kafka_lag_exporter_group_state",
        help:
          "1 for the group's current state (Stable, Empty, PreparingRebalance, CompletingRebalance, " +
          "Reconciling, Assigning, Dead, …) and protocol (classic or consumer, KIP-848).",
      },
      ({ activity }) =>
        activity && {
          value: 1,
          labels: [["state", activity.state], ["protocol", activity.protocol]],
        },
    ),
    ofGroup(
      {
        name: "kafka_lag_exporter_group_members",
        help: "Members of the group (consumers that joined it); 0 when it is Empty.",
      },
      ({ activity }) => activity && { value: activity.members.length },
    ),
    ofGroup(
      {
        name: "kafka_lag_exporter_group_status",
        help:
          "1 for the group's consumer status over app.status_window, the worst of its partitions': " +
          "OK, WARN (lag growing at every commit), REWIND (committed offset went back), STALL " +
          "(members, committed offset still, lag > 0) or STOP (no members, offset still, lag > 0).",
      },
      ({ status }) => status && { value: 1, labels: [["status", status]] },
    ),
    ofGroup(
      {
        name: "kafka_lag_exporter_group_consume_rate",
        help: "Offsets the group commits per second, summed over its partitions (exponentially " +
          "weighted over app.status_window).",
      },
      ({ rates }) => rates?.consumeRate === undefined ? undefined : { value: rates.consumeRate },
    ),
    ofGroup(
      {
        name: "kafka_lag_exporter_group_produce_rate",
        help:
          "Offsets written per second to the partitions the group reads, summed (exponentially " +
          "weighted over app.status_window).",
      },
      ({ rates }) => rates?.produceRate === undefined ? undefined : { value: rates.produceRate },
    ),
    ofGroup(
      {
        name: "kafka_lag_exporter_group_retention_ratio",
        help:
          "Share of the retained log the group has not read, on its worst partition: 0 caught up, " +
          "1 when its next record is the oldest kept (retention deletes unread records next) or gone.",
      },
      ({ retentionRatio }) => retentionRatio === undefined ? undefined : { value: retentionRatio },
    ),
    ofGroup(
      {
        name: "kafka_lag_exporter_group_time_to_catch_up_seconds",
        help:
          "Seconds until the group's slowest partition has no lag at the current rates (lag / " +
          "(consumption - production)); 0 when caught up, no series when a lagging partition is not gaining.",
      },
      ({ rates }) =>
        rates?.catchUpSeconds === undefined ? undefined : { value: rates.catchUpSeconds },
    ),
  ];
  return options.native === false ? activity : [...lag, ...activity];
}

/** Every native family (member labels off), for documentation and tests. */
export const LAG_METRICS: readonly MetricFamily[] = nativeFamilies({});
