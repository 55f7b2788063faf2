/** One iteration over one Kafka cluster: groups → committed offsets → end offsets → lag. */
import { explainTlsFailure } from "../util/tls_failure_hint.ts";
import type { KafkaClusterConfig } from "../config/load_config.ts";
import { isIncluded } from "../config/name_filter.ts";
import {
  type CommittedOffset,
  type KafkaAdmin,
  KafkaAuthorizationError,
  type LatestOffset,
} from "../kafka/kafka_admin.ts";
import { aggregatePartitionTable } from "../lag/aggregate.ts";
import { PartitionTableWriter } from "../lag/partition_table.ts";
import type { GroupLag } from "../lag/group_lag.ts";
import {
  LAG_SECONDS_METHODS,
  type LagSecondsMethod,
  type OffsetObservation,
} from "../lag/types.ts";
import { describeError, type Logger } from "../log/logger.ts";
import type { OffsetHistoryStore } from "../store/offset_history_store.ts";
import type { ClusterSnapshot, RetentionLoss } from "./cluster_snapshot.ts";
import { RecordTimeCache, RecordTimestampRound } from "./record_timestamps.ts";
import type { GroupMemory } from "./group_memory.ts";
import { describeMeasuredGroups, type MalformedAssignment } from "./describe_groups.ts";
import type { ConsumerProgress } from "./consumer_progress.ts";
import type { EndOffsetMemory } from "./end_offset_memory.ts";
import { type EndOffsetIndex, measureGroup } from "./measure_group.ts";

/** What a cluster iteration talks to. */
export interface CollectClusterDeps {
  admin: KafkaAdmin;
  store: OffsetHistoryStore;
  now(): number;
  logger: Logger;
  /** How many OffsetFetch requests are in flight at once. */
  concurrency: number;
  /** Scale-out: the groups this instance measures among those listed (all when absent). */
  selectOwnedGroups?(clusterName: string, groupIds: readonly string[]): Promise<string[]>;
  /** Called when the history store fails; lag in seconds is then left out for this iteration. */
  onStoreError?(error: unknown): void;
  /** Record timestamps read in earlier iterations of this cluster (none kept when absent). */
  recordTimes?: RecordTimeCache;
  /**
   * The groups as last seen: listings standing in for brokers that do not answer ListGroups, and
   * committed offsets for coordinators that cannot answer.
   */
  groupMemory?: GroupMemory;
  /** Progress of the groups across iterations, for their consumer status (none when absent). */
  consumerProgress?: ConsumerProgress;
  /** End offsets as last read, carried over while a partition's leader cannot be reached. */
  endOffsetMemory?: EndOffsetMemory;
}

/**
 * Measures every group of one cluster. Throws when the cluster cannot be read (listing groups or
 * end offsets fails); a single group that cannot be read is skipped and logged.
 */
export async function collectCluster(
  config: KafkaClusterConfig,
  deps: CollectClusterDeps,
): Promise<ClusterSnapshot> {
  const startedAtMs = deps.now();
  const log = deps.logger.child({ cluster: config.name });

  // The groups' committed offsets and the partitions' end offsets are read at the same time: a
  // slow or hung broker delays the iteration by the slower of the two reads, not by their sum.
  const [groupsRead, endsRead] = await Promise.all([
    readGroups(config, deps, { startedAtMs, log }),
    readEndOffsets(config, deps),
  ]).catch((error) => {
    throw explainTlsFailure(error, { tls: config.tls, sslKey: "ssl" });
  });
  const { listed, listedNow, groupIds, committedByGroup, unreadGroups, carriedGroups } = groupsRead;
  const { activities } = groupsRead;
  const { groupsMatchingFilters, malformedAssignments, undescribedGroups } = groupsRead;
  const { latestOffsets, unavailable, carriedEndOffsets, histories } = endsRead;

  const recordTimes = deps.recordTimes ?? new RecordTimeCache();
  const endOffsets: EndOffsetIndex = new Map();
  latestOffsets.forEach((latest, index) => {
    let partitions = endOffsets.get(latest.topic);
    if (!partitions) endOffsets.set(latest.topic, partitions = []);
    partitions[latest.partition] = {
      latest,
      observedAtMs: latest.observedAtMs,
      history: histories?.[index],
      records: recordTimes.partition(latest.topic, latest.partition),
    };
  });

  // Each group is stored compactly as soon as it is measured: the snapshot outlives the
  // iteration, its per-partition objects do not. Record timestamps already known are used as
  // each partition is measured; unknown ones are read afterwards and patched in.
  const round = new RecordTimestampRound({
    policy: config.recordTimestamps,
    cache: recordTimes,
    nowMs: deps.now(),
  });
  const methodCounts = Object.fromEntries(
    [...LAG_SECONDS_METHODS, "none"].map((method) => [method, 0]),
  ) as Record<LagSecondsMethod | "none", number>;
  const countMethod = (method: LagSecondsMethod | "none", change: number) =>
    methodCounts[method] += change;
  const isEstimate = (method: LagSecondsMethod | undefined) =>
    method === "extrapolated" || method === "lower-bound";
  /** Per group (same index): partitions whose value is only an estimate that may be too low. */
  const estimatedByGroup: number[] = [];
  let groups: GroupLag[] = [];
  const lostToRetention: RetentionLoss[] = [];
  /** Per group (same index): the highest retention ratio of its partitions. */
  const retentionByGroup: Array<number | undefined> = [];
  let committedRows = 0;
  for (const committed of committedByGroup) committedRows += committed.length;
  const tables = new PartitionTableWriter(committedRows);
  groupIds.forEach((groupId, index) => {
    const retention: { worst?: number } = {};
    const table = measureGroup(groupId, committedByGroup[index], {
      endOffsets,
      round,
      tables,
      group: groups.length,
      log,
      lostToRetention,
      retention,
    });
    if (table.length === 0) return;
    retentionByGroup.push(retention.worst);
    let estimated = 0;
    for (let row = 0; row < table.length; row++) {
      const method = table.lagSecondsMethod(row);
      countMethod(method ?? "none", 1);
      if (isEstimate(method)) estimated++;
    }
    estimatedByGroup.push(estimated);
    groups.push(aggregatePartitionTable(groupId, table));
  });
  const changed = new Set<number>();
  for (const { group, index, seconds, lowerBound } of await round.readQueued(deps.admin, log)) {
    const partitions = groups[group].partitions;
    const before = partitions.lagSecondsMethod(index);
    // Two lower bounds (the history's and the oldest record's): the larger is the better one.
    if (lowerBound && (partitions.lagSeconds(index) ?? -1) >= seconds) continue;
    const method = lowerBound ? "lower-bound" : "record-timestamp";
    countMethod(before ?? "none", -1);
    countMethod(method, 1);
    if (isEstimate(before)) estimatedByGroup[group]--;
    if (isEstimate(method)) estimatedByGroup[group]++;
    partitions.setLagSeconds(index, { seconds, method });
    changed.add(group);
  }
  recordTimes.endIteration();
  // The aggregates include the lag in seconds: recompute them where it changed.
  groups = groups.map((group, index) =>
    changed.has(index) ? aggregatePartitionTable(group.groupId, group.partitions) : group
  );
  groups.forEach((group, index) => {
    group.activity = activities.get(group.groupId);
    group.retentionRatio = retentionByGroup[index];
  });
  deps.consumerProgress?.judge(groups, deps.now());
  deps.groupMemory?.rememberGroups(groups);
  return {
    clusterName: config.name,
    // Carried-over groups count only if they still have offsets (a deleted group does not).
    groupsChecked:
      groupIds.filter((groupId, index) =>
        listedNow.has(groupId) || committedByGroup[index].length > 0
      ).length,
    groupsMatchingFilters,
    groups,
    startedAtMs,
    completedAtMs: deps.now(),
    partitionOffsets: latestOffsets,
    recordLookups: round.counts(),
    lagSecondsMethods: Object.fromEntries(
      Object.entries(methodCounts).filter(([, count]) => count > 0),
    ),
    groupsWithEstimates: groups.flatMap(({ groupId }, group) =>
      estimatedByGroup[group] > 0 ? [{ groupId, partitions: estimatedByGroup[group] }] : []
    ),
    unavailablePartitions: unavailable,
    carriedEndOffsets,
    unlistedBrokers: listed.unreachableBrokers,
    unreadGroups,
    carriedGroups,
    malformedAssignments,
    undescribedGroups,
    recordsLostToRetention: lostToRetention,
  };
}

/** The groups to measure (listed, filtered, owned) and their committed offsets. */
async function readGroups(
  config: KafkaClusterConfig,
  deps: CollectClusterDeps,
  { startedAtMs, log }: { startedAtMs: number; log: Logger },
) {
  const listed = await deps.admin.listGroups();
  const listedIds = listed.groups.map((group) => group.groupId);
  // Groups whose coordinator is moving may be missing from the listing for a moment.
  const candidates = deps.groupMemory?.withRecentlyListed(listedIds, startedAtMs) ?? listedIds;
  const listedNow = new Set(listedIds);
  const filtered = [...new Set(candidates)]
    .filter((groupId) => isIncluded(config.groupFilter, groupId))
    .sort();
  const groupIds = deps.selectOwnedGroups
    ? await deps.selectOwnedGroups(config.name, filtered)
    : filtered;

  const malformedAssignments: MalformedAssignment[] = [];
  const undescribedGroups: Array<{ groupId: string; detail: string }> = [];
  const [answers, activities] = await Promise.all([
    deps.admin.fetchCommittedOffsets(groupIds, deps.concurrency),
    describeMeasuredGroups(
      { admin: deps.admin, concurrency: deps.concurrency, log },
      {
        listed: listed.groups,
        groupIds,
        malformed: malformedAssignments,
        undescribed: undescribedGroups,
      },
    ),
  ]);
  if (log.enabled("debug")) {
    for (const answer of answers) {
      if (answer.error) continue;
      for (const { topic, partition, error } of answer.partitionErrors ?? []) {
        log.debug("no committed offset for a partition: the coordinator answered an error", {
          group: answer.groupId,
          topic,
          partition,
          error,
        });
      }
    }
  }
  const failed = answers.filter((answer) => answer.error !== undefined);
  const unauthorized = failed.filter((answer) => answer.error instanceof KafkaAuthorizationError);
  // No group readable at all is a missing ACL: one clear cluster error. Groups outside the ACL
  // among readable ones (a whitelist wider than the principal's prefix) are left out one by one,
  // counted and logged with the unread groups; they never take the cluster down.
  if (unauthorized.length > 0 && unauthorized.length === answers.length) {
    throw unauthorized[0].error;
  }
  const carried = deps.groupMemory?.carryOver(
    failed
      .filter((answer) => !(answer.error instanceof KafkaAuthorizationError))
      .map((answer) => answer.groupId),
    startedAtMs,
  );
  // Both logged by the cluster loop when their sets change, not every iteration.
  const unreadGroups: Array<{ groupId: string; detail: string }> = [];
  const carriedGroups: Array<{ groupId: string; sinceMs: number; detail: string }> = [];
  const committedByGroup = answers.map((answer) => {
    let offsets: readonly CommittedOffset[] = answer.offsets ?? [];
    if (answer.error) {
      const detail = describeError(answer.error);
      const last = carried?.get(answer.groupId);
      if (!last) {
        unreadGroups.push({ groupId: answer.groupId, detail });
        return [];
      }
      carriedGroups.push({ groupId: answer.groupId, sinceMs: last.sinceMs, detail });
      offsets = last.offsets;
    }
    // A negative offset means "no commit on this partition": no series for it.
    return offsets.filter((offset) =>
      offset.offset >= 0 && isIncluded(config.topicFilter, offset.topic)
    );
  });
  return {
    listed,
    listedNow,
    groupIds,
    groupsMatchingFilters: filtered.length,
    committedByGroup,
    unreadGroups,
    carriedGroups,
    activities,
    malformedAssignments,
    undescribedGroups,
  };
}

/**
 * End offsets of every topic, fetched once per partition however many groups read it, and
 * recorded in the history even where no group commits yet: a group that starts reading an old
 * topic then finds a history to interpolate in from its first iteration.
 */
async function readEndOffsets(config: KafkaClusterConfig, deps: CollectClusterDeps) {
  const read = await deps.admin.fetchLatestOffsets((topic) =>
    !topic.startsWith("__") && isIncluded(config.topicFilter, topic)
  );
  const { offsets: latestOffsets, unavailable, carried } =
    deps.endOffsetMemory?.fillIn(read, deps.now()) ?? { ...read, carried: [] };
  const histories = await readHistories(config.name, latestOffsets, deps);
  return { latestOffsets, unavailable, carriedEndOffsets: carried, histories };
}

async function readHistories(
  clusterName: string,
  latestOffsets: LatestOffset[],
  deps: CollectClusterDeps,
): Promise<OffsetObservation[][] | undefined> {
  try {
    return await deps.store.recordAndRead(
      clusterName,
      latestOffsets.map(({ topic, partition, offset, observedAtMs }) => ({
        topic,
        partition,
        offset,
        timestampMs: observedAtMs,
      })),
    );
  } catch (error) {
    deps.onStoreError?.(error);
    return undefined;
  }
}
