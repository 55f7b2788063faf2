/** Where each partition's end-offset history lives: in memory (one instance) or Redis (shared). */
import type { OffsetObservation } from "../lag/lag_values.ts";

/** One end-offset observation of one partition, made in this iteration. */
export interface PartitionObservation extends OffsetObservation {
  topic: string;
  partition: number;
}

/**
 * Offset history per (cluster, topic, partition), shared by every group reading the partition.
 * Implementations follow src/lag/offset_history.ts: the first and last sighting of each distinct
 * offset, a reset when the end offset goes down, retention by age and a point budget.
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
