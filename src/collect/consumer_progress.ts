/**
 * Each measured group's progress across iterations, judged into a consumer status per partition
 * and per group (src/lag/consumer_status.ts has the rules). A group's progress is one array
 * aligned with its partition table; the previous iteration's table tells which partition each
 * record belongs to and what its committed offset was then, so nothing is kept per partition
 * besides the numbers the table does not have.
 */
import {
  advanceProgress,
  CONSUMER_STATUSES,
  copyProgress,
  groupRatesOf,
  newProgress,
  partitionStatusCode,
  type ProgressReading,
  progressSlice,
} from "../lag/consumer_status.ts";
import type { GroupReport } from "../lag/group_report.ts";
import { type LagTrail, lagTrailCapacity, LagTrails } from "../lag/lag_trail.ts";
import type { PartitionTable } from "../lag/partition_table.ts";

interface GroupProgress {
  /** The partitions of the iteration that wrote `progress`, in the same order. */
  partitions: PartitionTable;
  progress: Float64Array;
  /** The group's lag at each iteration across the window (lag_trail.ts), overwritten in place. */
  trail: LagTrail;
  /** The number of the last advance that measured the group (one not measured is forgotten). */
  advance: number;
}

/** The progress of one cluster's groups, carried from iteration to iteration. */
export class ConsumerProgress {
  /** Kept from iteration to iteration, each entry updated in place (not rebuilt per advance). */
  readonly #groups = new Map<string, GroupProgress>();
  /** When the records were last advanced (every record kept was advanced then). */
  #advancedAtMs = NaN;
  /** How many times the records were advanced. */
  #advances = 0;
  readonly #windowMs: number;
  readonly #trails: LagTrails;

  /**
   * `windowMs`: how far back the status rules look, the rates' time constant and the span of
   * each group's lag trail (one sample per iteration of `iterationIntervalMs`).
   */
  constructor(
    { windowMs, iterationIntervalMs }: { windowMs: number; iterationIntervalMs: number },
  ) {
    this.#windowMs = windowMs;
    this.#trails = new LagTrails(lagTrailCapacity({ windowMs, iterationIntervalMs }));
  }

  /**
   * Advances every group's progress with this iteration's offsets and writes into each report
   * (none of them in a snapshot yet) its status, rates, time to catch up and recent lag. Groups
   * not measured this time are forgotten: they start afresh when back.
   */
  advance(groups: readonly GroupReport[], nowMs: number): void {
    const windowMs = this.#windowMs;
    const advance = ++this.#advances;
    // One reading object for all partitions: filled in place, never allocated per partition.
    const reading: ProgressReading = {
      nowMs,
      previousAtMs: this.#advancedAtMs,
      previousCommittedOffset: NaN,
      committedOffset: 0,
      lagOffsets: 0,
      rateTimeConstantMs: windowMs,
    };
    // A group whose partitions are those of the last iteration, in the same order (the usual
    // case), advances its records in place: the previous snapshot's view of them then shows
    // this reading, which is the only one it could be compared with anyway. The other groups
    // get their records from one buffer for them all, viewed per group: a typed array per group
    // would be 20,000 buffers outside the heap per iteration at 10,000 groups.
    const trails = this.#trails;
    trails.startSample(nowMs);
    const previousOf = groups.map((group) => this.#groups.get(group.groupId));
    const inPlace = groups.map((group, index) => {
      const previous = previousOf[index];
      return previous !== undefined && sameLayout(previous.partitions, group.partitions);
    });
    let total = 0;
    let moved = 0;
    groups.forEach((group, index) => {
      total += group.partitions.length;
      if (!inPlace[index]) moved += group.partitions.length;
    });
    const movedProgress = newProgress(moved);
    const allStatuses = new Uint8Array(total);
    let offset = 0;
    let movedOffset = 0;
    // One policy object for all partitions, as `reading`.
    const policy = { nowMs, windowMs, groupHasMembers: false };
    groups.forEach((group, groupIndex) => {
      const table = group.partitions;
      const previous = previousOf[groupIndex];
      /** Where records are copied from (none when they advance in place). */
      const copyFrom = inPlace[groupIndex] ? undefined : previous;
      let progress: Float64Array;
      if (inPlace[groupIndex]) {
        progress = previous!.progress;
      } else {
        progress = progressSlice(movedProgress, {
          start: movedOffset,
          end: movedOffset + table.length,
        });
        movedOffset += table.length;
      }
      const statuses = allStatuses.subarray(offset, offset + table.length);
      offset += table.length;
      policy.groupHasMembers = (group.activity?.members.length ?? 0) > 0;
      let worst = 0;
      let cursor = 0; // merge-join: both tables are sorted by topic, then partition
      /** Records advanced in place: the last iteration's table, same rows (its offsets then). */
      const inPlaceTable = inPlace[groupIndex] ? previous!.partitions : undefined;
      for (let index = 0; index < table.length; index++) {
        reading.previousCommittedOffset = inPlaceTable?.committedOffset(index) ?? NaN;
        if (copyFrom) {
          // Usually the partitions are those of the last iteration, in the same places.
          if (!samePartition(copyFrom.partitions, cursor, table, index)) {
            cursor = seek(copyFrom.partitions, cursor, table, index);
          }
          if (samePartition(copyFrom.partitions, cursor, table, index)) {
            copyProgress(copyFrom.progress, cursor, progress, index);
            reading.previousCommittedOffset = copyFrom.partitions.committedOffset(cursor);
            cursor++;
          }
        }
        reading.committedOffset = table.committedOffset(index);
        reading.lagOffsets = table.lagOffsets(index);
        advanceProgress(progress, index, reading);
        const status = partitionStatusCode(progress, index, policy);
        statuses[index] = status;
        if (status > worst) worst = status;
      }
      const trail = previous?.trail ?? trails.newTrail();
      trails.record(trail, {
        sumLagOffsets: group.total?.sumLagOffsets ?? NaN,
        maxLagSeconds: group.total?.maxLagSeconds ?? NaN,
      });
      if (previous) {
        previous.partitions = table;
        previous.progress = progress;
        previous.advance = advance;
      } else {
        this.#groups.set(group.groupId, { partitions: table, progress, trail, advance });
      }
      group.status = CONSUMER_STATUSES[worst];
      group.partitionStatuses = statuses;
      group.progress = progress;
      group.lagTrail = trail;
      group.rates = groupRatesOf(progress, table.length);
    });
    for (const [groupId, kept] of this.#groups) {
      if (kept.advance === advance) continue;
      trails.giveBack(kept.trail);
      this.#groups.delete(groupId);
    }
    this.#advancedAtMs = nowMs;
  }
}

/** The first index of `previous` at or after the partition `index` of `table`. */
// arity-ok: called for every group-partition of every iteration; a bag would allocate each time
function seek(
  previous: PartitionTable,
  from: number,
  table: PartitionTable,
  index: number,
): number {
  const topic = table.topic(index);
  const partition = table.partition(index);
  let cursor = from;
  while (cursor < previous.length) {
    const otherTopic = previous.topic(cursor);
    if (otherTopic > topic || (otherTopic === topic && previous.partition(cursor) >= partition)) {
      break;
    }
    cursor++;
  }
  return cursor;
}

// arity-ok: called for every group-partition of every iteration; a bag would allocate each time
function samePartition(a: PartitionTable, aIndex: number, b: PartitionTable, bIndex: number) {
  return a.topic(aIndex) === b.topic(bIndex) && a.partition(aIndex) === b.partition(bIndex);
}

/** Whether two tables list the same partitions in the same order. */
function sameLayout(previous: PartitionTable, table: PartitionTable): boolean {
  if (previous.length !== table.length) return false;
  for (let index = 0; index < table.length; index++) {
    if (!samePartition(previous, index, table, index)) return false;
  }
  return true;
}
