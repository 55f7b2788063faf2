/**
 * One group's measurement within an iteration: each committed partition against the iteration's
 * end offsets, lag in offsets and the best lag in seconds known at that point (history, retention
 * lower bound, a record timestamp already read or queued to be read).
 */
import type { CommittedOffset, LatestOffset } from "../kafka/kafka_admin.ts";
import { computeOffsetLag } from "../lag/compute_lag.ts";
import {
  estimateInto,
  type PreparedHistory,
  prepareHistory,
  type TimeLagMethod,
} from "../lag/time_lag.ts";

/** What a caught-up partition is estimated from: nothing (it is not behind). */
const CAUGHT_UP_HISTORY: PreparedHistory = { kind: "points", points: [] };
import { retentionRatio } from "../lag/retention.ts";
import type { OffsetObservation, PartitionLag } from "../lag/types.ts";
import type { PartitionTable, PartitionTableWriter } from "../lag/partition_table.ts";
import type { Logger } from "../log/logger.ts";
import type { RetentionLoss } from "./cluster_snapshot.ts";
import type { PartitionRecordTimes, RecordTimestampRound } from "./record_timestamps.ts";

/** One partition's end offset in this iteration, and what its groups share about it. */
export interface PartitionEnd {
  latest: LatestOffset;
  /** When the end offset was read: the time the partition's lag is measured at. */
  observedAtMs: number;
  history?: OffsetObservation[];
  /** The history prepared at this end offset, made by the first lagging group that needs it. */
  prepared?: PreparedHistory;
  /** The record-time cache entries of this partition. */
  records: PartitionRecordTimes;
}

/**
 * End offsets by topic, then by partition number: looked up for every group-partition (hundreds
 * of thousands per iteration), so without building a string key each time.
 */
export type EndOffsetIndex = Map<string, Array<PartitionEnd | undefined>>;

/** What measuring a group looks things up in, and where its values go. */
export interface MeasureContext {
  endOffsets: EndOffsetIndex;
  round: RecordTimestampRound;
  /** Where the group's table is written (one buffer for the iteration's groups). */
  tables: PartitionTableWriter;
  /** The group's index among the measured groups (where read record times are patched in). */
  group: number;
  log: Logger;
  /** Where partitions whose committed records were deleted are reported. */
  lostToRetention: RetentionLoss[];
  /** Where the group's highest retention ratio is kept. */
  retention: { worst?: number };
}

/**
 * The group's partitions, sorted by topic and partition: offsets lag, lag in seconds from the
 * history, or from the committed record's timestamp where that is known (or queued to be read).
 */
export function measureGroup(
  groupId: string,
  committed: CommittedOffset[],
  { endOffsets, round, tables, group, log, lostToRetention, retention }: MeasureContext,
): PartitionTable {
  // Sorted first, so that each partition's index in the group is known while it is measured.
  const sorted = committed.toSorted((a, b) =>
    compareText(a.topic, b.topic) || a.partition - b.partition
  );
  // One partition object and one position, refilled for each partition and copied into the
  // table: nothing is allocated per group-partition on the common path.
  const lag: PartitionLag = {
    topic: "",
    partition: 0,
    committedOffset: 0,
    latestOffset: 0,
    lagOffsets: 0,
    lagSeconds: undefined,
    lagSecondsMethod: undefined,
  };
  const position = { committedOffset: 0, latestOffset: 0, nowMs: 0 };
  const estimate = { seconds: 0, method: "caught-up" as TimeLagMethod };
  let measured = 0;
  tables.begin(sorted.length);
  for (const { topic, partition, offset: committedOffset } of sorted) {
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
    lag.topic = topic;
    lag.partition = partition;
    lag.committedOffset = committedOffset;
    lag.latestOffset = latestOffset;
    lag.lagOffsets = computeOffsetLag(committedOffset, latestOffset);
    lag.lagSeconds = undefined;
    lag.lagSecondsMethod = undefined;
    position.committedOffset = committedOffset;
    position.latestOffset = latestOffset;
    position.nowMs = entry.latest.observedAtMs;
    const prepared = committedOffset >= latestOffset
      ? undefined
      : entry.prepared ??= prepareHistory(entry.history ?? [], position);
    const known = prepared === undefined
      ? estimateInto(CAUGHT_UP_HISTORY, position, estimate)
      : estimateInto(prepared, position, estimate);
    if (known && (entry.history !== undefined || estimate.method === "caught-up")) {
      lag.lagSeconds = estimate.seconds;
      lag.lagSecondsMethod = estimate.method;
    }
    // Retention deleted the committed record (and those after it up to the log start). Unless the
    // history dates it, the age of the oldest record left is a lower bound (the deleted one was
    // written before it): far better than the exporter's uptime after a restart.
    const logStartOffset = entry.latest.logStartOffset ?? 0;
    const ratio = retentionRatio({ committedOffset, latestOffset, logStartOffset });
    if (ratio !== undefined) retention.worst = Math.max(retention.worst ?? 0, ratio);
    const recordDeleted = committedOffset < logStartOffset;
    if (recordDeleted) {
      lostToRetention.push({
        groupId,
        topic,
        partition,
        records: logStartOffset - committedOffset,
      });
      if (lag.lagSecondsMethod !== "interpolated" && logStartOffset < latestOffset) {
        const oldest = { ...lag, committedOffset: logStartOffset };
        const seconds = round.ageSeconds(oldest, entry, group, measured, true);
        if (seconds !== undefined && seconds > (lag.lagSeconds ?? -1)) {
          lag.lagSeconds = seconds;
          lag.lagSecondsMethod = "lower-bound";
        }
      }
    } else if (lag.lagOffsets > 0 && round.wants(lag.lagSecondsMethod)) {
      const seconds = round.ageSeconds(lag, entry, group, measured);
      if (seconds !== undefined) {
        lag.lagSeconds = seconds;
        lag.lagSecondsMethod = "record-timestamp";
      }
    }
    if (lag.lagSeconds === undefined && log.enabled("debug")) {
      log.debug("no lag in seconds for a partition (yet)", {
        group: groupId,
        topic,
        partition,
        reason: prepared?.kind === "unknown"
          ? prepared.reason
          : known
          ? "offset history unavailable"
          : "non-finite estimate",
      });
    }
    tables.add(lag);
    measured++;
  }
  return tables.finish();
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
