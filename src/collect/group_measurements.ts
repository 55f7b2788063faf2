/**
 * The groups of one iteration, measured one at a time as their committed offsets come in (while
 * the rest are still being read), then completed with the record timestamps read afterwards.
 * Each group's table is written here; its GroupReport is built once, when the iteration is done
 * (lag_seconds_choice.ts decides every value, this module only puts it in place).
 */
import type { CommittedOffset, EndOffset } from "../kafka/kafka_admin.ts";
import { aggregatePartitionTable } from "../lag/aggregate.ts";
import type { GroupActivity, GroupReport } from "../lag/group_report.ts";
import { chooseWithRecordAge, isEstimate, type RecordToDate } from "../lag/lag_seconds_choice.ts";
import { type PartitionTable, PartitionTableWriter } from "../lag/partition_table.ts";
import {
  LAG_SECONDS_METHODS,
  type LagSecondsMethod,
  type OffsetObservation,
} from "../lag/lag_values.ts";
import type { Logger } from "../log/logger.ts";
import type { RetentionLoss } from "./cluster_snapshot.ts";
import {
  type EndOffsetIndex,
  measureGroup,
  MeasureScratch,
  PartitionOrder,
} from "./measure_group.ts";
import type { RecordTimeCache, RecordTimestampRound } from "./record_timestamps.ts";

/** One measured group and what the snapshot reports about it besides its lag. */
interface Measured {
  groupId: string;
  partitions: PartitionTable;
  /** Partitions whose value is only an estimate that may be too low. */
  estimated: number;
  /** The highest retention ratio of its partitions. */
  retentionRatio?: number;
}

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
  readonly #partitionOrder = new PartitionOrder();
  readonly #scratch: MeasureScratch;
  /** The measured group's highest retention ratio (measureGroup writes it; NaN: none). */
  readonly #retention = { worst: NaN };
  readonly #tables = new PartitionTableWriter();
  readonly #measured: Measured[] = [];
  /** Partitions whose committed records were deleted by retention. */
  readonly lostToRetention: RetentionLoss[] = [];
  /** Group-partitions per lag-in-seconds method (a Map: counted by a variable name per row). */
  readonly #methodCounts = new Map<LagSecondsMethod | "none", number>(
    [...LAG_SECONDS_METHODS, "none" as const].map((method) => [method, 0]),
  );

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
    this.#scratch = new MeasureScratch(round.exact);
  }

  /** Measures one group (a group none of whose partitions can be measured is left out). */
  add(groupId: string, committed: readonly CommittedOffset[]): void {
    const retention = this.#retention;
    const table = measureGroup(groupId, committed, {
      endOffsets: this.#endOffsets,
      round: this.#round,
      tables: this.#tables,
      group: this.#measured.length,
      log: this.#log,
      lostToRetention: this.lostToRetention,
      retention,
      partitionOrder: this.#partitionOrder,
      scratch: this.#scratch,
    });
    if (table.length === 0) return;
    let estimated = 0;
    for (let row = 0; row < table.length; row++) {
      const method = table.lagSecondsMethod(row);
      this.#countMethod(method, 1);
      if (isEstimate(method)) estimated++;
    }
    this.#measured.push({
      groupId,
      partitions: table,
      estimated,
      retentionRatio: Number.isNaN(retention.worst) ? undefined : retention.worst,
    });
  }

  #countMethod(method: LagSecondsMethod | undefined, change: number): void {
    const key = method ?? "none";
    this.#methodCounts.set(key, this.#methodCounts.get(key)! + change);
  }

  /** Writes in the lag in seconds the records read after the groups were measured give. */
  applyRecordTimes(
    values: ReadonlyArray<{ group: number; index: number; seconds: number; record: RecordToDate }>,
  ): void {
    const choice = { seconds: NaN, method: undefined as LagSecondsMethod | undefined };
    for (const { group, index, seconds, record } of values) {
      const measured = this.#measured[group];
      const partitions = measured.partitions;
      const before = partitions.lagSecondsMethod(index);
      choice.seconds = partitions.lagSeconds(index) ?? NaN;
      choice.method = before;
      chooseWithRecordAge(choice, { record, ageSeconds: seconds });
      if (choice.method === before && choice.seconds === partitions.lagSeconds(index)) continue;
      this.#countMethod(before, -1);
      this.#countMethod(choice.method, 1);
      if (isEstimate(before)) measured.estimated--;
      if (isEstimate(choice.method)) measured.estimated++;
      // The table is not in any GroupReport yet: this completes it, nothing built is changed.
      partitions.setLagSeconds(index, { seconds: choice.seconds, method: choice.method! });
    }
  }

  /**
   * The measured groups in group order, each built once: its partitions and aggregates, its
   * activity and what its progress says (`judge` writes that into the reports, which it is given
   * complete otherwise); and what the snapshot reports.
   */
  finish(
    activities: ReadonlyMap<string, GroupActivity>,
    judge?: (groups: readonly GroupReport[]) => void,
  ) {
    const measured = this.#measured.toSorted((a, b) =>
      a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0
    );
    const groups = measured.map(({ groupId, partitions, retentionRatio }): GroupReport => {
      const { topics, total } = aggregatePartitionTable(groupId, partitions);
      // Every key from the start, judged ones too: one object and one shape per report, which
      // lives as long as its snapshot (a report built in steps would be several objects).
      return {
        groupId,
        partitions,
        topics,
        total,
        activity: activities.get(groupId),
        retentionRatio,
        status: undefined,
        partitionStatuses: undefined,
        progress: undefined,
        lagTrail: undefined,
        rates: undefined,
      };
    });
    judge?.(groups);
    return {
      groups,
      lagSecondsMethods: Object.fromEntries(
        [...this.#methodCounts].filter(([, count]) => count > 0),
      ),
      groupsWithEstimates: measured.flatMap(({ groupId, estimated }) =>
        estimated > 0 ? [{ groupId, partitions: estimated }] : []
      ),
    };
  }
}
