/** The immutable result of one iteration over one cluster, which metrics and reports are built from. */
import type { GroupReport } from "../lag/group_report.ts";
import type { LagSecondsMethod } from "../lag/lag_values.ts";
import type { RecordLookupCounts } from "./record_timestamps.ts";
import type { EndOffset, UnavailablePartition } from "../kafka/kafka_admin.ts";
import type { CarriedEndOffset } from "./end_offset_memory.ts";

/** What one successful iteration measured on one cluster. */
export interface ClusterSnapshot {
  clusterName: string;
  /** Groups that passed the filters (and that this instance owns), measured or not. */
  groupsChecked: number;
  /** Groups of the cluster that passed the filters, before sharing among instances. */
  groupsMatchingFilters?: number;
  /** Groups with at least one partition measured, sorted by group id (pages, binary search). */
  groups: GroupReport[];
  startedAtMs: number;
  completedAtMs: number;
  /** The partitions' log-end (and log-start) offsets read in this iteration. */
  partitionOffsets?: EndOffset[];
  /** A partition's log-start offset from `partitionOffsets` (logStartLookup()). */
  logStartOffset?(topic: string, partition: number): number | undefined;
  /** Committed records whose timestamps this iteration wanted, by outcome. */
  recordLookups?: RecordLookupCounts;
  /** Group-partitions by how their lag in seconds was obtained ("none": no value). */
  lagSecondsMethods?: Partial<Record<LagSecondsMethod | "none", number>>;
  /**
   * Groups with partitions whose lag in seconds is only an estimate from before the history
   * began (extrapolated or lower bound): the true value may be higher.
   */
  groupsWithEstimates?: Array<{ groupId: string; partitions: number }>;
  /**
   * Partitions whose log-end offset could not be read in this iteration (no leader, leader down
   * or in error): they have no lag series, and the cluster is degraded rather than down.
   */
  unavailablePartitions?: UnavailablePartition[];
  /**
   * Partitions whose leader could not be reached, measured with their last end offset (nobody
   * can append to them meanwhile either; end_offset_memory.ts).
   */
  carriedEndOffsets?: CarriedEndOffset[];
  /** Brokers that did not answer ListGroups (their groups were carried over from memory). */
  unlistedBrokers?: Array<{ nodeId: string; detail: string }>;
  /**
   * Groups whose committed offsets could not be read in this iteration (coordinator down, hung
   * or moving): they have no lag series until they are read again.
   */
  unreadGroups?: Array<{ groupId: string; detail: string }>;
  /**
   * Groups whose coordinator could not answer, measured with the committed offsets last read
   * (no consumer can commit meanwhile either), since `sinceMs`.
   */
  carriedGroups?: Array<{ groupId: string; sinceMs: number; detail: string }>;
  /** Members whose assignment could not be decoded: the group is kept, their partitions unowned. */
  malformedAssignments?: Array<{ groupId: string; memberId: string; detail: string }>;
  /** Groups whose state and members could not be read (their lag is measured all the same). */
  undescribedGroups?: Array<{ groupId: string; detail: string }>;
  /**
   * Group-partitions whose committed offset is below the partition's log-start offset: `records`
   * were deleted (retention, DeleteRecords) before the group read them.
   */
  recordsLostToRetention?: RetentionLoss[];
}

/**
 * The log-start offset of a partition among `offsets`, indexed on the first question: the JSON
 * API asks per partition of one group, and the index belongs to the snapshot it came from.
 */
export function logStartLookup(
  offsets: readonly EndOffset[],
): (topic: string, partition: number) => number | undefined {
  let index: Map<string, number> | undefined;
  return (topic, partition) => {
    if (!index) {
      index = new Map();
      for (const { topic, partition, logStartOffset } of offsets) {
        if (logStartOffset !== undefined) index.set(`${topic}\u0000${partition}`, logStartOffset);
      }
    }
    return index.get(`${topic}\u0000${partition}`);
  };
}

/** Records a group never read because retention deleted them first. */
export interface RetentionLoss {
  groupId: string;
  topic: string;
  partition: number;
  records: number;
}

/** The latest known state of one cluster, as the loop publishes it. */
export interface ClusterStatus {
  clusterName: string;
  /** Undefined until the first iteration ends. */
  up?: boolean;
  /** The last successful iteration, cleared when the cluster fails so no lag is left frozen. */
  snapshot?: ClusterSnapshot;
  lastError?: string;
  iterationErrorsTotal: number;
  lastDurationSeconds?: number;
  lastSuccessMs?: number;
}

/** What an iteration left out or carried over, counted: any of them makes the cluster degraded. */
export function snapshotGaps(snapshot: ClusterSnapshot | undefined) {
  return {
    unavailablePartitions: snapshot?.unavailablePartitions?.length ?? 0,
    carriedEndOffsets: snapshot?.carriedEndOffsets?.length ?? 0,
    unlistedBrokers: snapshot?.unlistedBrokers?.length ?? 0,
    unreadGroups: snapshot?.unreadGroups?.length ?? 0,
    carriedGroups: snapshot?.carriedGroups?.length ?? 0,
  };
}

/** Whether the cluster answered but the iteration left something out or carried it over. */
export function isDegraded(snapshot: ClusterSnapshot | undefined): boolean {
  return Object.values(snapshotGaps(snapshot)).some((count) => count > 0);
}
