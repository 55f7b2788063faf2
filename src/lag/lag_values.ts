/** Value types shared by the lag math, the offset-history store and the snapshot (a leaf module). */

/** "At `timestampMs`, offsets below `offset` existed": one point of a partition's offset history. */
export interface OffsetObservation {
  offset: number;
  timestampMs: number;
}

/** How a lag in seconds can be obtained: the one list (the partition table stores the index). */
export const LAG_SECONDS_METHODS = [
  "caught-up",
  "interpolated",
  "extrapolated",
  "lower-bound",
  "record-timestamp",
] as const;

/** How a lag in seconds was obtained. */
export type LagSecondsMethod = typeof LAG_SECONDS_METHODS[number];

/** Lag of one partition of one group; `lagSeconds` is absent when it cannot be known yet. */
export interface PartitionLag {
  topic: string;
  partition: number;
  committedOffset: number;
  endOffset: number;
  lagOffsets: number;
  lagSeconds?: number;
  lagSecondsMethod?: LagSecondsMethod;
}

/** Max and sum over the partitions that have a value; absent when none has. */
export interface LagAggregate {
  maxLagOffsets: number;
  sumLagOffsets: number;
  maxLagSeconds?: number;
  sumLagSeconds?: number;
}

/** Per-topic aggregate of one group. */
export interface TopicLag extends LagAggregate {
  topic: string;
}
