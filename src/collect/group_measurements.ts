/**
 * The groups of one iteration, measured one at a time as their committed offsets come in (while
 * the rest are still being read), then completed with the record timestamps read afterwards and
 * put in group order.
 */
import type { CommittedOffset, EndOffset } from "../kafka/kafka_admin.ts";
import { aggregatePartitionTable } from "../lag/aggregate.ts";
import type { GroupActivity, GroupLag } from "../lag/group_lag.ts";
import { PartitionTableWriter } from "../lag/partition_table.ts";
import {
  LAG_SECONDS_METHODS,
  type LagSecondsMethod,
  type OffsetObservation,
} from "../lag/lag_values.ts";
import type { Logger } from "../log/logger.ts";
import type { RetentionLoss } from "./cluster_snapshot.ts";
import { type EndOffsetIndex, measureGroup } from "./measure_group.ts";
import type { RecordTimeCache, RecordTimestampRound } from "./record_timestamps.ts";

/** One measured group and what the snapshot reports about it besides its lag. */
interface Measured {
  group: GroupLag;
  /** Partitions whose value is only an estimate that may be too low. */
  estimated: number;
  /** The highest retention ratio of its partitions. */
  retentionRatio?: number;
}

const isEstimate = (method: LagSecondsMethod | undefined) =>
  method === "extrapolated" || method === "lower-bound";

/** End offsets by topic and partition, with each partition's history and record-time entries. */
export function endOffsetIndex(
  partitionEnds: readonly EndOffset[],
  { histories, recordTimes }: {
    histories: OffsetObservation[][] | undefined;
    recordTimes: RecordTimeCache;
  },
): EndOffsetIndex {
  const endOffsets: EndOffsetIndex = new Map();
  partitionEnds.forEach((end, index) => {
    let partitions = endOffsets.get(end.topic);
    if (!partitions) endOffsets.set(end.topic, partitions = []);
    partitions[end.partition] = {
      end,
      observedAtMs: end.observedAtMs,
      history: histories?.[index],
      records: recordTimes.partition(end.topic, end.partition),
    };
  });
  return endOffsets;
}

/** The groups of one iteration as they are measured. */
export class GroupMeasurements {
  readonly #endOffsets: EndOffsetIndex;
  readonly #round: RecordTimestampRound;
  readonly #log: Logger;
  readonly #tables = new PartitionTableWriter();
  readonly #measured: Measured[] = [];
  /** Partitions whose committed records were deleted by retention. */
  readonly lostToRetention: RetentionLoss[] = [];
  readonly #methodCounts = Object.fromEntries(
    [...LAG_SECONDS_METHODS, "none"].map((method) => [method, 0]),
  ) as Record<LagSecondsMethod | "none", number>;

  constructor(
    { endOffsets, round, log }: {
      endOffsets: EndOffsetIndex;
      round: RecordTimestampRound;
      log: Logger;
    },
  ) {
    this.#endOffsets = endOffsets;
    this.#round = round;
    this.#log = log;
  }

  /** Measures one group (a group none of whose partitions can be measured is left out). */
  add(groupId: string, committed: CommittedOffset[]): void {
    const retention: { worst?: number } = {};
    const table = measureGroup(groupId, committed, {
      endOffsets: this.#endOffsets,
      round: this.#round,
      tables: this.#tables,
      group: this.#measured.length,
      log: this.#log,
      lostToRetention: this.lostToRetention,
      retention,
    });
    if (table.length === 0) return;
    let estimated = 0;
    for (let row = 0; row < table.length; row++) {
      const method = table.lagSecondsMethod(row);
      this.#methodCounts[method ?? "none"]++;
      if (isEstimate(method)) estimated++;
    }
    this.#measured.push({
      group: aggregatePartitionTable(groupId, table),
      estimated,
      retentionRatio: retention.worst,
    });
  }

  /** Puts in the lag in seconds of the records read after the groups were measured. */
  applyRecordTimes(
    values: ReadonlyArray<{ group: number; index: number; seconds: number; lowerBound: boolean }>,
  ): void {
    const changed = new Set<number>();
    for (const { group, index, seconds, lowerBound } of values) {
      const measured = this.#measured[group];
      const partitions = measured.group.partitions;
      const before = partitions.lagSecondsMethod(index);
      // Two lower bounds (the history's and the oldest record's): the larger is the better one.
      if (lowerBound && (partitions.lagSeconds(index) ?? -1) >= seconds) continue;
      const method = lowerBound ? "lower-bound" : "record-timestamp";
      this.#methodCounts[before ?? "none"]--;
      this.#methodCounts[method]++;
      if (isEstimate(before)) measured.estimated--;
      if (isEstimate(method)) measured.estimated++;
      partitions.setLagSeconds(index, { seconds, method });
      changed.add(group);
    }
    // The aggregates include the lag in seconds: recompute them where it changed.
    for (const group of changed) {
      const measured = this.#measured[group];
      measured.group = aggregatePartitionTable(measured.group.groupId, measured.group.partitions);
    }
  }

  /** The measured groups in group order, with their activity; and what the snapshot reports. */
  finish(activities: ReadonlyMap<string, GroupActivity>) {
    const measured = this.#measured.toSorted((a, b) =>
      a.group.groupId < b.group.groupId ? -1 : a.group.groupId > b.group.groupId ? 1 : 0
    );
    const groups = measured.map(({ group, retentionRatio }) => {
      group.activity = activities.get(group.groupId);
      group.retentionRatio = retentionRatio;
      return group;
    });
    return {
      groups,
      lagSecondsMethods: Object.fromEntries(
        Object.entries(this.#methodCounts).filter(([, count]) => count > 0),
      ),
      groupsWithEstimates: measured.flatMap(({ group, estimated }) =>
        estimated > 0 ? [{ groupId: group.groupId, partitions: estimated }] : []
      ),
    };
  }
}
