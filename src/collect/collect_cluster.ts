/** One iteration over one Kafka cluster: groups → committed offsets → end offsets → lag. */
import type { KafkaClusterConfig } from "../config/load_config.ts";
import { isIncluded } from "../config/name_filter.ts";
import {
  type CommittedOffset,
  type KafkaAdmin,
  KafkaAuthorizationError,
  type LatestOffset,
  recordLookupKey,
  type RecordTime,
} from "../kafka/kafka_admin.ts";
import { aggregateGroup } from "../lag/aggregate.ts";
import { computeOffsetLag } from "../lag/compute_lag.ts";
import { estimateTimeLag } from "../lag/time_lag.ts";
import type { GroupLag, OffsetObservation, PartitionLag } from "../lag/types.ts";
import { describeError, type Logger } from "../log/logger.ts";
import type { OffsetHistoryStore } from "../store/offset_history_store.ts";
import type { ClusterSnapshot } from "./cluster_snapshot.ts";

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
}

const partitionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

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

  const listed = await deps.admin.listGroups();
  const filtered = [...new Set(listed.map((group) => group.groupId))]
    .filter((groupId) => isIncluded(config.groupFilter, groupId))
    .sort();
  const groupIds = deps.selectOwnedGroups
    ? await deps.selectOwnedGroups(config.name, filtered)
    : filtered;

  const committedByGroup = (await deps.admin.fetchCommittedOffsets(groupIds, deps.concurrency))
    .map((answer) => {
      if (answer.error) {
        // A missing ACL fails the whole cluster with one clear error, not one warning per group.
        if (answer.error instanceof KafkaAuthorizationError) throw answer.error;
        log.warn("cannot read committed offsets of a group; skipping it this iteration", {
          group: answer.groupId,
          error: describeError(answer.error),
        });
        return [];
      }
      // A negative offset means "no commit on this partition": no series for it.
      return answer.offsets.filter((offset) =>
        offset.offset >= 0 && isIncluded(config.topicFilter, offset.topic)
      );
    });

  // End offsets of every topic, fetched once per partition however many groups read it, and
  // recorded even where no group commits yet: a group that starts reading an old topic then
  // finds a history to interpolate in from its first iteration.
  const latestOffsets = await deps.admin.fetchLatestOffsets((topic) =>
    !topic.startsWith("__") && isIncluded(config.topicFilter, topic)
  );
  const histories = await readHistories(config.name, latestOffsets, deps);

  const latestByPartition = new Map<
    string,
    { latest: LatestOffset; history?: OffsetObservation[] }
  >();
  latestOffsets.forEach((latest, index) =>
    latestByPartition.set(partitionKey(latest.topic, latest.partition), {
      latest,
      history: histories?.[index],
    })
  );

  const measured = groupIds.map((groupId, index) => ({
    groupId,
    partitions: measureGroup(groupId, committedByGroup[index], latestByPartition, log),
  }));
  const recordLookups = config.exactLagSeconds
    ? await applyRecordTimestamps(
      measured.flatMap((group) => group.partitions),
      config.exactLagSeconds.maxPartitions,
      deps,
      log,
    )
    : undefined;

  const groups: GroupLag[] = measured
    .filter((group) => group.partitions.length > 0)
    .map((group) => aggregateGroup(group.groupId, group.partitions));
  return {
    clusterName: config.name,
    groupsChecked: groupIds.length,
    groups,
    startedAtMs,
    completedAtMs: deps.now(),
    recordLookups,
  };
}

/**
 * Exact mode: replaces the estimate of the most lagging partitions (up to `maxPartitions`) by
 * `now − timestamp of the record at the committed offset`. A lookup that fails keeps the
 * estimate, so exact mode can only add information.
 */
async function applyRecordTimestamps(
  partitions: PartitionLag[],
  maxPartitions: number,
  deps: CollectClusterDeps,
  log: Logger,
): Promise<{ requested: number; found: number }> {
  const lagging = partitions
    .filter((partition) => partition.lagOffsets > 0)
    .sort((a, b) => b.lagOffsets - a.lagOffsets)
    .slice(0, maxPartitions);
  const lookups = lagging.map(({ topic, partition, committedOffset }) => ({
    topic,
    partition,
    offset: committedOffset,
  }));
  let times = new Map<string, RecordTime>();
  try {
    times = await deps.admin.fetchRecordTimes(lookups);
  } catch (error) {
    log.warn("cannot read record timestamps; using the interpolated lag in seconds", {
      error: describeError(error),
    });
  }
  for (const [index, partition] of lagging.entries()) {
    const record = times.get(recordLookupKey(lookups[index]));
    if (!record) continue;
    // A producer clock ahead of ours would give a negative age: clamp, as everywhere else.
    partition.lagSeconds = Math.max(0, partition.observedAtMs - record.timestampMs) / 1_000;
    partition.lagSecondsMethod = "record-timestamp";
  }
  return { requested: new Set(lookups.map(recordLookupKey)).size, found: times.size };
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

function measureGroup(
  groupId: string,
  committed: CommittedOffset[],
  latestByPartition: Map<string, { latest: LatestOffset; history?: OffsetObservation[] }>,
  log: Logger,
): PartitionLag[] {
  const partitions: PartitionLag[] = [];
  for (const { topic, partition, offset: committedOffset } of committed) {
    const entry = latestByPartition.get(partitionKey(topic, partition));
    if (!entry) {
      log.debug("no end offset for a committed partition (topic deleted or no leader)", {
        group: groupId,
        topic,
        partition,
      });
      continue;
    }
    const latestOffset = entry.latest.offset;
    const lag: PartitionLag = {
      topic,
      partition,
      committedOffset,
      latestOffset,
      observedAtMs: entry.latest.observedAtMs,
      lagOffsets: computeOffsetLag(committedOffset, latestOffset),
    };
    const estimate = estimateTimeLag(
      entry.history ?? [],
      committedOffset,
      latestOffset,
      entry.latest.observedAtMs,
    );
    if (
      estimate.kind === "value" && (entry.history !== undefined || estimate.method === "caught-up")
    ) {
      lag.lagSeconds = estimate.seconds;
      lag.lagSecondsMethod = estimate.method;
    } else if (log.enabled("debug")) {
      log.debug("no lag in seconds for a partition", {
        group: groupId,
        topic,
        partition,
        reason: estimate.kind === "unknown" ? estimate.reason : "offset history unavailable",
      });
    }
    partitions.push(lag);
  }
  return partitions.sort((a, b) => compareText(a.topic, b.topic) || a.partition - b.partition);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
