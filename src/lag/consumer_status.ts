/**
 * Whether a consumer is keeping up, stuck or gone, without a lag threshold: each group-partition
 * is judged over a sliding window of iterations, after the rules Burrow documents (any zero lag
 * in the window: fine; committed offset not moving while lag stays: stuck; offsets moving but lag
 * growing all window long: falling behind; committed offset going backwards: rewound).
 *
 * What differs from Burrow, because OffsetFetch tells the committed offset but not when it was
 * committed: STOP (nobody commits) and STALL (someone commits the same offset) cannot be told
 * apart by commit times, so group membership decides. A partition whose offset has not moved for
 * the whole window while it lags is STALL when the group has members (consumers are there but not
 * progressing) and STOP when it has none (nobody is consuming).
 *
 * As Burrow judges the lag at each commit, the trend for WARN is read at the iterations in which
 * the committed offset moved: between commits the lag of a healthy consumer rises and falls.
 *
 * Pure: the progress summary is updated once per iteration and judged at any time.
 */

/** A partition's status, from best to worst. */
export const CONSUMER_STATUSES = ["OK", "WARN", "REWIND", "STALL", "STOP"] as const;
export type ConsumerStatus = typeof CONSUMER_STATUSES[number];

/** What the window needs to remember about one group-partition (a few numbers). */
export interface PartitionProgress {
  /** When the partition was first seen committed by the group. */
  firstSeenMs: number;
  committedOffset: number;
  lagOffsets: number;
  /** The last iteration in which the committed offset changed (or first seen). */
  committedMovedAtMs: number;
  /** The last iteration with zero lag, if any. */
  zeroLagAtMs?: number;
  /** The lag when the committed offset last moved. */
  lagAtCommitOffsets: number;
  /** The start of the current run of commits each seen with more lag than the one before. */
  lagRunStartMs: number;
  /** The last iteration in which the committed offset went backwards, if any. */
  rewoundAtMs?: number;
  /** When this reading was taken. */
  readAtMs: number;
  /**
   * Committed offsets per second (consumption) and log-end offsets per second (production),
   * exponentially weighted over the rate time constant; unknown until two readings, and again
   * after the offset went backwards (a reset, a re-created topic).
   */
  consumeRate?: number;
  produceRate?: number;
}

/** One iteration's reading of a group-partition. */
export interface ProgressReading {
  nowMs: number;
  committedOffset: number;
  lagOffsets: number;
  /** Time constant of the rates' exponential weighting (the status window). */
  rateTimeConstantMs: number;
}

/** The progress summary after one more iteration (`previous` undefined: first seen). */
export function advanceProgress(
  previous: PartitionProgress | undefined,
  { nowMs, committedOffset, lagOffsets, rateTimeConstantMs }: ProgressReading,
): PartitionProgress {
  if (!previous) {
    return {
      firstSeenMs: nowMs,
      committedOffset,
      lagOffsets,
      committedMovedAtMs: nowMs,
      zeroLagAtMs: lagOffsets === 0 ? nowMs : undefined,
      lagAtCommitOffsets: lagOffsets,
      lagRunStartMs: nowMs,
      readAtMs: nowMs,
    };
  }
  const elapsedMs = nowMs - previous.readAtMs;
  const weighted = (rate: number | undefined, { from, to }: { from: number; to: number }) => {
    if (to < from) return undefined; // went backwards: start over
    if (elapsedMs <= 0) return rate;
    const sample = (to - from) * 1_000 / elapsedMs;
    if (rate === undefined) return sample;
    const weight = 1 - Math.exp(-elapsedMs / rateTimeConstantMs);
    return rate + weight * (sample - rate);
  };
  const moved = committedOffset !== previous.committedOffset;
  const lagGrewSinceLastCommit = moved && lagOffsets > previous.lagAtCommitOffsets;
  return {
    firstSeenMs: previous.firstSeenMs,
    committedOffset,
    lagOffsets,
    committedMovedAtMs: moved ? nowMs : previous.committedMovedAtMs,
    zeroLagAtMs: lagOffsets === 0 ? nowMs : previous.zeroLagAtMs,
    lagAtCommitOffsets: moved ? lagOffsets : previous.lagAtCommitOffsets,
    lagRunStartMs: !moved || lagGrewSinceLastCommit ? previous.lagRunStartMs : nowMs,
    rewoundAtMs: committedOffset < previous.committedOffset ? nowMs : previous.rewoundAtMs,
    readAtMs: nowMs,
    consumeRate: weighted(previous.consumeRate, {
      from: previous.committedOffset,
      to: committedOffset,
    }),
    produceRate: weighted(previous.produceRate, {
      from: previous.committedOffset + previous.lagOffsets,
      to: committedOffset + lagOffsets,
    }),
  };
}

/**
 * Seconds until the lag is gone at the current rates: lag / (consumption − production), 0 when
 * there is no lag; undefined when the rates are unknown or the consumer is not gaining.
 */
export function timeToCatchUpSeconds(progress: PartitionProgress): number | undefined {
  if (progress.lagOffsets === 0) return 0;
  const { consumeRate, produceRate } = progress;
  if (consumeRate === undefined || produceRate === undefined) return undefined;
  const gainPerSecond = consumeRate - produceRate;
  // A gain too small to matter would give absurd durations (and Infinity at zero).
  if (!(gainPerSecond > 1e-9)) return undefined;
  return progress.lagOffsets / gainPerSecond;
}

/** How a partition is judged: the window and whether its group has members now. */
export interface StatusPolicy {
  nowMs: number;
  windowMs: number;
  groupHasMembers: boolean;
}

/** The status of one group-partition (rules in the module comment, checked in this order). */
export function partitionStatus(
  progress: PartitionProgress,
  { nowMs, windowMs, groupHasMembers }: StatusPolicy,
): ConsumerStatus {
  const windowStartMs = nowMs - windowMs;
  // Caught up now: whatever happened before, nothing is waiting.
  if (progress.lagOffsets === 0) return "OK";
  // A rewind re-reads records (or a reset skipped backwards): reported while the window holds it.
  if (progress.rewoundAtMs !== undefined && progress.rewoundAtMs >= windowStartMs) return "REWIND";
  // Caught up at some point of the window: the consumer keeps up, lag comes and goes.
  if (progress.zeroLagAtMs !== undefined && progress.zeroLagAtMs >= windowStartMs) return "OK";
  // The rest needs a whole window of observations.
  if (progress.firstSeenMs > windowStartMs) return "OK";
  if (progress.committedMovedAtMs <= windowStartMs) return groupHasMembers ? "STALL" : "STOP";
  // Committing within the window (checked above), each commit with more lag than the last.
  return progress.lagRunStartMs <= windowStartMs ? "WARN" : "OK";
}

/** A group's status: the worst of its partitions' (OK for a group without partitions). */
export function groupStatus(statuses: Iterable<ConsumerStatus>): ConsumerStatus {
  let worst = 0;
  for (const status of statuses) worst = Math.max(worst, CONSUMER_STATUSES.indexOf(status));
  return CONSUMER_STATUSES[worst];
}
