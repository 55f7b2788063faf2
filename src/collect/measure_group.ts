/**
 * One group's measurement within an iteration: each committed partition against the iteration's
 * end offsets, lag in offsets and the best lag in seconds known at that point (history, retention
 * lower bound, a record timestamp already read or queued to be read). What to look up is decided
 * by lag/lag_seconds_choice.ts; this module looks it up.
 */
import type { CommittedOffset, EndOffset } from "../kafka/kafka_admin.ts";
import { computeOffsetLag } from "../lag/compute_lag.ts";
import {
  estimateInto,
  type PreparedHistory,
  prepareHistory,
  type TimeLagMethod,
} from "../lag/time_lag.ts";

/** What a caught-up partition is estimated from: nothing (it is not behind). */
const CAUGHT_UP_HISTORY: PreparedHistory = { kind: "points", points: [] };
import {
  chooseFromHistory,
  chooseWithRecordAge,
  type LagSecondsChoice,
  type RecordToDate,
  recordToDate,
} from "../lag/lag_seconds_choice.ts";
import { retentionRatioInto } from "../lag/retention.ts";
import type { OffsetObservation } from "../lag/lag_values.ts";
import type { PartitionTable, PartitionTableWriter } from "../lag/partition_table.ts";
import type { Logger } from "../log/logger.ts";
import type { RetentionLoss } from "./cluster_snapshot.ts";
import type { PartitionRecordTimes, RecordAsk, RecordTimestampRound } from "./record_timestamps.ts";

/** One partition's end offset in this iteration, and what its groups share about it. */
export interface PartitionEnd {
  end: EndOffset;
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
  /** Where the group's highest retention ratio is written (NaN: no partition has one). */
  retention: { worst: number };
  /** Space to order the group's partitions in (shared by the iteration's groups). */
  partitionOrder: PartitionOrder;
  /** The questions and answers refilled for each partition (shared by the iteration's groups). */
  scratch: MeasureScratch;
}

/**
 * One record question, position, estimate and choice, refilled for each partition measured (their
 * fields keep one type each, so the code reading them stays monomorphic), the values kept in
 * locals until they go into the table: nothing is allocated per group or group-partition on the
 * common path. Made once per iteration (an iteration's groups are measured one at a time).
 */
export class MeasureScratch {
  readonly ask: RecordAsk = { topic: "", partition: 0, committedOffset: 0, lagOffsets: 0 };
  readonly position = { committedOffset: 0, endOffset: 0, nowMs: 0 };
  readonly estimate = {
    seconds: 0,
    method: "caught-up" as TimeLagMethod,
    known: false,
    historyRead: false,
  };
  readonly choice: LagSecondsChoice = { seconds: NaN, method: undefined };
  readonly recordAge = { record: "committed" as RecordToDate, ageSeconds: NaN };
  /** The retention and record questions. */
  readonly retained = { committedOffset: 0, endOffset: 0, logStartOffset: 0 };
  readonly retainedShare = { ratio: NaN };
  readonly toDate: {
    committedOffset: number;
    endOffset: number;
    logStartOffset: number;
    method: LagSecondsChoice["method"];
    exact: boolean;
  };

  /** `exact`: the iteration's record-timestamp mode (RecordTimestampRound.exact). */
  constructor(exact: boolean) {
    this.toDate = { committedOffset: 0, endOffset: 0, logStartOffset: 0, method: undefined, exact };
  }
}

/**
 * The group's partitions, sorted by topic and partition: offsets lag, lag in seconds from the
 * history, or from the committed record's timestamp where that is known (or queued to be read).
 */
export function measureGroup(
  groupId: string,
  committed: readonly CommittedOffset[],
  {
    endOffsets,
    round,
    tables,
    group,
    log,
    lostToRetention,
    retention,
    partitionOrder,
    scratch,
  }: MeasureContext,
): PartitionTable {
  // Ordered first, so that each partition's index in the group is known while it is measured.
  const order = partitionOrder.of(committed);
  const { ask, position, estimate, choice, recordAge, retained, retainedShare, toDate } = scratch;
  retention.worst = NaN;
  let measured = 0;
  tables.begin(committed.length);
  for (let step = 0; step < committed.length; step++) {
    const { topic, partition, offset: committedOffset } = committed[order[step]];
    const entry = endOffsets.get(topic)?.[partition];
    if (!entry) {
      log.debug("no end offset for a committed partition (topic deleted or no leader)", {
        group: groupId,
        topic,
        partition,
      });
      continue;
    }
    const endOffset = entry.end.offset;
    const lagOffsets = computeOffsetLag(committedOffset, endOffset);
    position.committedOffset = committedOffset;
    position.endOffset = endOffset;
    position.nowMs = entry.end.observedAtMs;
    const prepared = committedOffset >= endOffset
      ? undefined
      : entry.prepared ??= prepareHistory(entry.history ?? [], position);
    estimate.known = prepared === undefined
      ? estimateInto(CAUGHT_UP_HISTORY, position, estimate)
      : estimateInto(prepared, position, estimate);
    estimate.historyRead = entry.history !== undefined;
    chooseFromHistory(choice, estimate);
    ask.topic = topic;
    ask.partition = partition;
    ask.committedOffset = committedOffset;
    ask.lagOffsets = lagOffsets;
    const logStartOffset = entry.end.logStartOffset ?? 0;
    retained.committedOffset = committedOffset;
    retained.endOffset = endOffset;
    retained.logStartOffset = logStartOffset;
    retentionRatioInto(retained, retainedShare);
    const ratio = retainedShare.ratio;
    // A partition without a ratio (NaN) changes nothing; the first with one sets it (worst NaN).
    if (ratio === ratio && !(ratio <= retention.worst)) retention.worst = ratio;
    if (committedOffset < logStartOffset) {
      lostToRetention.push({
        groupId,
        topic,
        partition,
        records: logStartOffset - committedOffset,
      });
    }
    toDate.committedOffset = committedOffset;
    toDate.endOffset = endOffset;
    toDate.logStartOffset = logStartOffset;
    toDate.method = choice.method;
    const record = recordToDate(toDate);
    if (record !== undefined) {
      // The oldest record left stands in for a committed one retention deleted.
      const question = record === "committed" ? ask : { ...ask, committedOffset: logStartOffset };
      recordAge.record = record;
      if (round.ageSeconds(question, entry, group, measured, recordAge)) {
        chooseWithRecordAge(choice, recordAge);
      }
    }
    if (choice.method === undefined && log.enabled("debug")) {
      log.debug("no lag in seconds for a partition (yet)", {
        group: groupId,
        topic,
        partition,
        reason: prepared?.kind === "unknown"
          ? prepared.reason
          : estimate.known
          ? "offset history unavailable"
          : "non-finite estimate",
      });
    }
    tables.addRow(ask, endOffset, choice);
    measured++;
  }
  return tables.finish();
}

/**
 * Orders a group's committed offsets by topic, then partition, as index lists in one reused
 * buffer. An OffsetFetch answer lists each topic's partitions together (in the coordinator's hash
 * order) and the topics in no particular order, so the answer is cut into blocks of one topic:
 * the partitions of each block are ordered by number, and the blocks by their topic name, which is
 * then compared a few times per group instead of at every step of sorting its partitions. An
 * answer that does not come in such blocks (a topic in two places) is sorted the general way.
 * Sorting a copy of every group's offsets was most of what measuring a group allocated, comparing
 * names most of its ordering time.
 */
export class PartitionOrder {
  #indices = new Int32Array(256);
  /** Where each block starts: in answer order, then in topic order. */
  #blocks = new Int32Array(256);

  /** Indices of `committed` in topic, then partition order (the first `committed.length`). */
  of(committed: readonly CommittedOffset[]): Int32Array {
    const count = committed.length;
    if (this.#indices.length < count) {
      this.#indices = new Int32Array(2 * count);
      this.#blocks = new Int32Array(2 * count);
    }
    const indices = this.#indices;
    const blocks = this.#blocks;
    const blockCount = findTopicBlocks(committed, blocks);
    // The blocks by topic (insertion: a group reads a few topics); the same topic in two blocks
    // means the answer is not in blocks per topic after all.
    for (let block = 1; block < blockCount; block++) {
      const moving = blocks[block];
      const topic = committed[moving].topic;
      let at = block - 1;
      let order = 1;
      while (at >= 0 && (order = compareText(committed[blocks[at]].topic, topic)) > 0) {
        blocks[at + 1] = blocks[at];
        at--;
      }
      if (at >= 0 && order === 0) return sortEach(committed, indices);
      blocks[at + 1] = moving;
    }
    let next = 0;
    for (let block = 0; block < blockCount; block++) {
      const first = next;
      const topic = committed[blocks[block]].topic;
      for (let index = blocks[block]; index < count && committed[index].topic === topic; index++) {
        // Insertion by partition number within the block.
        const partition = committed[index].partition;
        let at = next - 1;
        while (at >= first && committed[indices[at]].partition > partition) {
          indices[at + 1] = indices[at];
          at--;
        }
        indices[at + 1] = index;
        next++;
        if (next - first > INSERTION_SORT_LIMIT) return sortEach(committed, indices);
      }
    }
    return indices;
  }
}

/** Cuts the answer into blocks of one topic each, noting where each starts; how many there are. */
function findTopicBlocks(committed: readonly CommittedOffset[], blocks: Int32Array): number {
  let blockCount = 0;
  for (let index = 0; index < committed.length; index++) {
    if (index > 0 && committed[index - 1].topic === committed[index].topic) continue;
    blocks[blockCount++] = index;
  }
  return blockCount;
}

/** Every offset sorted on its own into `order`: insertion for small groups, the general sort beyond. */
function sortEach(committed: readonly CommittedOffset[], order: Int32Array): Int32Array {
  const count = committed.length;
  for (let index = 0; index < count; index++) order[index] = index;
  if (count > INSERTION_SORT_LIMIT) {
    const sorted = Array.from({ length: count }, (_, index) => index)
      .sort((a, b) => compareOffsets(committed[a], committed[b]));
    order.set(sorted);
    return order;
  }
  for (let index = 1; index < count; index++) {
    const moving = order[index];
    let at = index - 1;
    while (at >= 0 && compareOffsets(committed[order[at]], committed[moving]) > 0) {
      order[at + 1] = order[at];
      at--;
    }
    order[at + 1] = moving;
  }
  return order;
}

/** Up to this many partitions (of a group, or of a topic in it) are ordered by insertion. */
const INSERTION_SORT_LIMIT = 64;

function compareOffsets(a: CommittedOffset, b: CommittedOffset): number {
  return a.topic === b.topic ? a.partition - b.partition : compareText(a.topic, b.topic);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
