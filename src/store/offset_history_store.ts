/** Where each partition's end-offset history lives: in memory (one instance) or Redis (shared). */
import type { OffsetObservation } from "../lag/types.ts";

/** One end-offset observation of one partition, made in this iteration. */
export interface PartitionObservation extends OffsetObservation {
  topic: string;
  partition: number;
}

/**
 * Offset history per (cluster, topic, partition), shared by every group reading the partition.
 * Implementations keep only the earliest observation of each distinct offset, discard a
 * partition's history when its end offset goes down, and forget points older than the retention.
 */
export interface OffsetHistoryStore {
  /** Records this iteration's observations, then returns each partition's history (same order, oldest first). */
  recordAndRead(
    clusterName: string,
    observations: readonly PartitionObservation[],
  ): Promise<OffsetObservation[][]>;
  /** Releases connections; the store is unusable afterwards. */
  close(): Promise<void>;
}
