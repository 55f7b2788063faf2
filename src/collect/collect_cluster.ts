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
import { aggregateGroup, aggregatePartitionTable } from "../lag/aggregate.ts";
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

interface PartitionEnd {
  latest: LatestOffset;
  history?: OffsetObservation[];
}

/**
 * End offsets by topic, then by partition number: looked up for every group-partition (hundreds
 * of thousands per iteration), so without building a string key each time.
 */
type EndOffsetIndex = Map<string, Array<PartitionEnd | undefined>>;

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

  const endOffsets: EndOffsetIndex = new Map();
  latestOffsets.forEach((latest, index) => {
    let partitions = endOffsets.get(latest.topic);
    if (!partitions) endOffsets.set(latest.topic, partitions = []);
    partitions[latest.partition] = { latest, history: histories?.[index] };
  });

  // Each group is stored compactly as soon as it is measured: the snapshot outlives the
  // iteration, its per-partition objects do not.
  let groups: GroupLag[] = [];
  groupIds.forEach((groupId, index) => {
    const partitions = measureGroup(groupId, committedByGroup[index], endOffsets, log);
    if (partitions.length > 0) groups.push(aggregateGroup(groupId, partitions));
  });
  let recordLookups: ClusterSnapshot["recordLookups"];
  if (config.exactLagSeconds) {
    const exact = await applyRecordTimestamps(
      groups,
      endOffsets,
      config.exactLagSeconds.maxPartitions,
      deps,
      log,
    );
    groups = exact.groups;
    recordLookups = { requested: exact.requested, found: exact.found };
  }
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
  groups: GroupLag[],
  endOffsets: EndOffsetIndex,
  maxPartitions: number,
  deps: CollectClusterDeps,
  log: Logger,
): Promise<{ groups: GroupLag[]; requested: number; found: number }> {
  const lagging: Array<{ group: number; index: number; lagOffsets: number }> = [];
  groups.forEach(({ partitions }, group) => {
    for (let index = 0; index < partitions.length; index++) {
      const lagOffsets = partitions.lagOffsets(index);
      if (lagOffsets > 0) lagging.push({ group, index, lagOffsets });
    }
  });
  lagging.sort((a, b) => b.lagOffsets - a.lagOffsets).splice(maxPartitions);
  const lookups = lagging.map(({ group, index }) => {
    const partitions = groups[group].partitions;
    return {
      topic: partitions.topic(index),
      partition: partitions.partition(index),
      offset: partitions.committedOffset(index),
    };
  });
  let times = new Map<string, RecordTime>();
  try {
    times = await deps.admin.fetchRecordTimes(lookups);
  } catch (error) {
    log.warn("cannot read record timestamps; using the interpolated lag in seconds", {
      error: describeError(error),
    });
  }
  const changed = new Set<number>();
  lagging.forEach(({ group, index }, position) => {
    const lookup = lookups[position];
    const record = times.get(recordLookupKey(lookup));
    if (!record) return;
    const observedAtMs = endOffsets.get(lookup.topic)![lookup.partition]!.latest.observedAtMs;
    // A producer clock ahead of ours would give a negative age: clamp, as everywhere else.
    const seconds = Math.max(0, observedAtMs - record.timestampMs) / 1_000;
    groups[group].partitions.setLagSeconds(index, seconds, "record-timestamp");
    changed.add(group);
  });
  return {
    // The aggregates include the lag in seconds: recompute them where it changed.
    groups: groups.map((group, index) =>
      changed.has(index) ? aggregatePartitionTable(group.groupId, group.partitions) : group
    ),
    requested: new Set(lookups.map(recordLookupKey)).size,
    found: times.size,
  };
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
  endOffsets: EndOffsetIndex,
  log: Logger,
): PartitionLag[] {
  const partitions: PartitionLag[] = [];
  for (const { topic, partition, offset: committedOffset } of committed) {
    const entry = endOffsets.get(topic)?.[partition];
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
