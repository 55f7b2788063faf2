/** One iteration over one Kafka cluster: groups → committed offsets → end offsets → lag. */
import { explainTlsFailure } from "../util/tls_failure_hint.ts";
import type { KafkaClusterConfig } from "../config/load_config.ts";
import { isIncluded } from "../config/schema/name_filter.ts";
import {
  type CommittedOffset,
  type EndOffset,
  type HeardOffsets,
  type KafkaAdmin,
  KafkaAuthorizationError,
} from "../kafka/kafka_admin.ts";
import type { OffsetObservation } from "../lag/lag_values.ts";
import { describeError, type Logger } from "../log/logger.ts";
import type { OffsetHistoryStore } from "../store/offset_history_store.ts";
import { type ClusterSnapshot, logStartLookup } from "./cluster_snapshot.ts";
import { RecordTimeCache, RecordTimestampRound } from "./record_timestamps.ts";
import type { LastSeenGroups } from "./last_seen_groups.ts";
import { describeMeasuredGroups, type MalformedAssignment } from "./group_activity.ts";
import type { ConsumerProgress } from "./consumer_progress.ts";
import type { EndOffsetMemory } from "./end_offset_memory.ts";
import { endOffsetIndex, GroupMeasurements } from "./group_measurements.ts";

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
  lastSeenGroups?: LastSeenGroups;
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
  const recordTimes = deps.recordTimes ?? new RecordTimeCache();
  // Record timestamps already known are used as each partition is measured; unknown ones are
  // read once every group is measured, and put in then.
  const round = new RecordTimestampRound({
    policy: config.recordTimestamps,
    cache: recordTimes,
    nowMs: deps.now(),
  });

  // The groups' committed offsets and the partitions' end offsets are read at the same time: a
  // slow or hung broker delays the iteration by the slower of the two reads, not by their sum.
  // Each group is measured as soon as both its offsets and the end offsets are in, while the
  // other groups' answers are still on their way.
  let measurements: GroupMeasurements | undefined;
  const waiting: Array<{ groupId: string; offsets: readonly CommittedOffset[] }> = [];
  const measure = (groupId: string, offsets: readonly CommittedOffset[]) => {
    if (measurements) measurements.add(groupId, offsets);
    else waiting.push({ groupId, offsets });
  };
  const [groupsRead, endsRead] = await Promise.all([
    readGroups(config, deps, { startedAtMs, log, measure }),
    readEndOffsets(config, deps).then((ends) => {
      measurements = new GroupMeasurements({
        endOffsets: endOffsetIndex(ends.partitionEnds, {
          histories: ends.histories,
          recordTimes,
        }),
        round,
        log,
      });
      for (const { groupId, offsets } of waiting.splice(0)) measure(groupId, offsets);
      return ends;
    }),
  ]).catch((error) => {
    throw explainTlsFailure(error, { tls: config.tls, sslKey: "ssl" });
  });
  const { listed, groupsChecked, carriedOffsets, unreadGroups, carriedGroups } = groupsRead;
  const { activities } = groupsRead;
  const { groupsMatchingFilters, malformedAssignments, undescribedGroups } = groupsRead;
  const { partitionEnds, unavailable, carriedEndOffsets } = endsRead;
  const measured = measurements!;
  for (const [groupId, offsets] of carriedOffsets) {
    measured.add(groupId, measurable(config, offsets));
  }
  measured.applyRecordTimes(await round.readQueued(deps.admin, log));
  recordTimes.endIteration();
  const progress = deps.consumerProgress;
  const { groups, lagSecondsMethods, groupsWithEstimates } = measured.finish(
    activities,
    progress && ((measuredGroups) => progress.advance(measuredGroups, deps.now())),
  );
  deps.lastSeenGroups?.rememberGroups(groups);
  return {
    clusterName: config.name,
    groupsChecked,
    groupsMatchingFilters,
    groups,
    startedAtMs,
    completedAtMs: deps.now(),
    partitionOffsets: partitionEnds,
    logStartOffset: logStartLookup(partitionEnds),
    recordLookups: round.counts(),
    lagSecondsMethods,
    groupsWithEstimates,
    unavailablePartitions: unavailable,
    carriedEndOffsets,
    unlistedBrokers: listed.unreachableBrokers,
    unreadGroups,
    carriedGroups,
    malformedAssignments,
    undescribedGroups,
    recordsLostToRetention: measured.lostToRetention,
  };
}

/** Whether a committed offset has a series: a commit (not negative) on a topic not filtered out. */
function hasSeries(config: KafkaClusterConfig, offset: CommittedOffset): boolean {
  return offset.offset >= 0 && isIncluded(config.topicFilter, offset.topic);
}

/** The committed offsets that have a series. */
function measurable(
  config: KafkaClusterConfig,
  offsets: readonly CommittedOffset[],
): readonly CommittedOffset[] {
  // Usually every offset has a series: the answer's own array is then kept, not copied.
  let index = 0;
  while (index < offsets.length && hasSeries(config, offsets[index])) index++;
  if (index === offsets.length) return offsets;
  return offsets.filter((offset) => hasSeries(config, offset));
}

/** Logs the partitions a coordinator answered an error for (debug: no offset, no series). */
function logPartitionErrors({ groupId, partitionErrors }: HeardOffsets, log: Logger): void {
  for (const { topic, partition, error } of partitionErrors ?? []) {
    log.debug("no committed offset for a partition: the coordinator answered an error", {
      group: groupId,
      topic,
      partition,
      error,
    });
  }
}

/** The groups to measure (listed, filtered, owned) and their committed offsets. */
async function readGroups(
  config: KafkaClusterConfig,
  deps: CollectClusterDeps,
  { startedAtMs, log, measure }: {
    startedAtMs: number;
    log: Logger;
    /**
     * Called with each group's offsets that have a series, as they come in (not for groups read
     * with an error).
     */
    measure(groupId: string, offsets: readonly CommittedOffset[]): void;
  },
) {
  const listed = await deps.admin.listGroups();
  const listedIds = listed.groups.map((group) => group.groupId);
  // Groups whose coordinator is moving may be missing from the listing for a moment.
  const candidates = deps.lastSeenGroups?.withRecentlyListed(listedIds, startedAtMs) ?? listedIds;
  const listedNow = new Set(listedIds);
  const filtered = [...new Set(candidates)]
    .filter((groupId) => isIncluded(config.groupFilter, groupId))
    .sort();
  const groupIds = deps.selectOwnedGroups
    ? await deps.selectOwnedGroups(config.name, filtered)
    : filtered;

  /** Groups heard of, with a series or not: their offsets are not kept once measured. */
  const heard = new Map<string, boolean>();
  const hear = (answer: HeardOffsets) => {
    const { groupId, offsets } = answer;
    const withSeries = measurable(config, offsets);
    heard.set(groupId, withSeries.length > 0);
    if (log.enabled("debug")) logPartitionErrors(answer, log);
    measure(groupId, withSeries);
  };
  const malformedAssignments: MalformedAssignment[] = [];
  const undescribedGroups: Array<{ groupId: string; detail: string }> = [];
  const [answers, activities] = await Promise.all([
    deps.admin.fetchCommittedOffsets(groupIds, deps.concurrency, { onOffsets: hear }),
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
  // An admin need not announce every group: those it did not are heard now.
  for (const answer of answers) {
    if (answer.offsets && !heard.has(answer.groupId)) hear(answer);
  }
  const failed = answers.filter((answer) => answer.error !== undefined);
  const unauthorized = failed.filter((answer) => answer.error instanceof KafkaAuthorizationError);
  // No group readable at all is a missing ACL: one clear cluster error. Groups outside the ACL
  // among readable ones (a whitelist wider than the principal's prefix) are left out one by one,
  // counted and logged with the unread groups; they never take the cluster down.
  if (unauthorized.length > 0 && unauthorized.length === answers.length) {
    throw unauthorized[0].error;
  }
  const carried = deps.lastSeenGroups?.carryOver(
    failed
      .filter((answer) => !(answer.error instanceof KafkaAuthorizationError))
      .map((answer) => answer.groupId),
    startedAtMs,
  );
  // Both logged by the cluster loop when their sets change, not every iteration.
  const unreadGroups: Array<{ groupId: string; detail: string }> = [];
  const carriedGroups: Array<{ groupId: string; sinceMs: number; detail: string }> = [];
  const carriedOffsets: Array<[string, readonly CommittedOffset[]]> = [];
  let groupsChecked = 0;
  for (const answer of answers) {
    let withSeries = heard.get(answer.groupId) ?? false;
    if (answer.error) {
      const detail = describeError(answer.error);
      const last = carried?.get(answer.groupId);
      if (!last) {
        unreadGroups.push({ groupId: answer.groupId, detail });
      } else {
        carriedGroups.push({ groupId: answer.groupId, sinceMs: last.sinceMs, detail });
        carriedOffsets.push([answer.groupId, last.offsets]);
        withSeries = last.offsets.some((offset) => hasSeries(config, offset));
      }
    }
    // Carried-over groups count only if they still have offsets (a deleted group does not).
    if (listedNow.has(answer.groupId) || withSeries) groupsChecked++;
  }
  return {
    listed,
    groupsChecked,
    groupsMatchingFilters: filtered.length,
    carriedOffsets,
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
  const read = await deps.admin.fetchEndOffsets((topic) =>
    !topic.startsWith("__") && isIncluded(config.topicFilter, topic)
  );
  const { offsets: partitionEnds, unavailable, carried } =
    deps.endOffsetMemory?.fillIn(read, deps.now()) ?? { ...read, carried: [] };
  const histories = await readHistories(config.name, partitionEnds, deps);
  return { partitionEnds, unavailable, carriedEndOffsets: carried, histories };
}

async function readHistories(
  clusterName: string,
  partitionEnds: EndOffset[],
  deps: CollectClusterDeps,
): Promise<OffsetObservation[][] | undefined> {
  try {
    return await deps.store.recordAndRead(
      clusterName,
      partitionEnds.map(({ topic, partition, offset, observedAtMs }) => ({
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
