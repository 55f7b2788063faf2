/**
 * The JSON documents of the read-only API (/api/v1/...) and of `--once --format json`: a cluster,
 * a group summary, a group with its partitions. Built from the last completed snapshot, so they
 * hold exactly what /metrics shows. Unknown values are null, never a guess.
 */
import {
  type ClusterSnapshot,
  type ClusterStatus,
  isDegraded,
  snapshotGaps,
} from "../collect/cluster_snapshot.ts";
import {
  CONSUMER_STATUSES,
  consumeRateOf,
  produceRateOf,
  timeToCatchUpSeconds,
} from "../lag/consumer_status.ts";
import { type GroupReport, partitionOwner } from "../lag/group_report.ts";
import { lagTrailSamples } from "../lag/lag_trail.ts";

/**
 * Whether a cluster is measured in full ("up"), measured with parts missing or carried over from
 * the last iteration ("degraded": partitions without a leader, brokers or coordinators not
 * answering), not measured ("down"), or not yet ("starting").
 */
export function clusterState(status: ClusterStatus): "up" | "degraded" | "down" | "starting" {
  if (status.up === undefined) return "starting";
  if (!status.up) return "down";
  return isDegraded(status.snapshot) ? "degraded" : "up";
}

/** The worst consumer status among a snapshot's groups (null: none judged). */
function worstStatus(status: ClusterStatus): string | null {
  let worst = -1;
  for (const group of status.snapshot?.groups ?? []) {
    if (group.status !== undefined) {
      worst = Math.max(worst, CONSUMER_STATUSES.indexOf(group.status));
    }
  }
  return worst < 0 ? null : CONSUMER_STATUSES[worst];
}

/** A cluster as /api/v1/clusters lists it. */
export function clusterDocument(status: ClusterStatus) {
  const gaps = snapshotGaps(status.snapshot);
  return {
    name: status.clusterName,
    up: status.up === true,
    state: clusterState(status),
    worst_status: worstStatus(status),
    gaps: {
      unavailable_partitions: gaps.unavailablePartitions,
      carried_end_offsets: gaps.carriedEndOffsets,
      unlisted_brokers: gaps.unlistedBrokers,
      unread_groups: gaps.unreadGroups,
      carried_groups: gaps.carriedGroups,
    },
    error: status.lastError ?? null,
    last_success: status.lastSuccessMs === undefined
      ? null
      : new Date(status.lastSuccessMs).toISOString(),
    iteration_seconds: status.lastDurationSeconds ?? null,
    groups_checked: status.snapshot?.groupsChecked ?? 0,
    groups_measured: status.snapshot?.groups.length ?? 0,
  };
}

const orNull = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? null : value;

/** A group without its partitions, as the cluster-wide list shows it. */
export function groupSummary(group: GroupReport) {
  return {
    group: group.groupId,
    state: group.activity?.state ?? null,
    protocol: group.activity?.protocol ?? null,
    member_count: group.activity?.members.length ?? null,
    status: group.status ?? null,
    partition_count: group.partitions.length,
    lag: {
      sum: orNull(group.total?.sumLagOffsets),
      max: orNull(group.total?.maxLagOffsets),
      sum_seconds: orNull(group.total?.sumLagSeconds),
      max_seconds: orNull(group.total?.maxLagSeconds),
    },
    consume_rate: orNull(group.rates?.consumeRate),
    produce_rate: orNull(group.rates?.produceRate),
    time_to_catch_up_seconds: orNull(group.rates?.catchUpSeconds),
    retention_ratio: orNull(group.retentionRatio),
  };
}

/** A group with its members and every partition: offsets, lag, status, owner, rates. */
export function groupDocument(group: GroupReport, snapshot?: ClusterSnapshot) {
  const table = group.partitions;
  const progress = group.progress;
  const partitions = [];
  for (let index = 0; index < table.length; index++) {
    const topic = table.topic(index);
    const partition = table.partition(index);
    const owner = partitionOwner(group, index);
    const statusCode = group.partitionStatuses?.[index];
    partitions.push({
      topic,
      partition,
      committed: table.committedOffset(index),
      latest: table.endOffset(index),
      log_start: snapshot?.logStartOffset?.(topic, partition) ?? null,
      lag: table.lagOffsets(index),
      lag_seconds: table.lagSeconds(index) ?? null,
      lag_seconds_method: table.lagSecondsMethod(index) ?? null,
      status: statusCode === undefined ? null : CONSUMER_STATUSES[statusCode],
      owner: owner
        ? { member_id: owner.memberId, client_id: owner.clientId, host: owner.host }
        : null,
      consume_rate: orNull(progress && consumeRateOf(progress, index)),
      produce_rate: orNull(progress && produceRateOf(progress, index)),
      time_to_catch_up_seconds: orNull(progress && timeToCatchUpSeconds(progress, index)),
    });
  }
  return {
    ...groupSummary(group),
    members: group.activity?.members.map((member) => ({
      member_id: member.memberId,
      instance_id: member.instanceId ?? null,
      client_id: member.clientId,
      host: member.host,
      assignment: member.assignment.map(({ topic, partition }) => ({ topic, partition })),
    })) ?? null,
    partitions,
    // The chart of the status page: the group's lag at each iteration across the status window.
    lag_history: group.lagTrail
      ? lagTrailSamples(group.lagTrail, {
        sinceMs: -Infinity,
        untilMs: snapshot?.completedAtMs ?? Infinity,
      }).map((sample) => ({
        at: new Date(sample.atMs).toISOString(),
        lag: orNull(sample.sumLagOffsets),
        lag_seconds: orNull(sample.maxLagSeconds),
      }))
      : [],
  };
}
