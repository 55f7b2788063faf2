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
 * Pure: the progress summary is updated once per iteration and judged at any time. It is a
 * record of PROGRESS_FIELDS numbers in a Float64Array (NaN = not known) rather than an object: at
 * 10,000 groups a quarter of a million partitions are advanced every iteration, and an object per
 * partition (or two, old and new) made iterations 40 % slower and the heap 150 MB larger.
 */

/** A partition's status, from best to worst. */
export const CONSUMER_STATUSES = ["OK", "WARN", "REWIND", "STALL", "STOP"] as const;
export type ConsumerStatus = typeof CONSUMER_STATUSES[number];

/** Numbers per partition in a progress array. */
export const PROGRESS_FIELDS = 9;
/** When the partition was first seen committed by the group. */
const FIRST_SEEN_MS = 0;
/** The lag at the last reading (its committed offset is in the table of that iteration). */
const LAG = 1;
/** The last iteration in which the committed offset changed (or first seen). */
const MOVED_AT_MS = 2;
/** The last iteration with zero lag (NaN: none). */
const ZERO_LAG_AT_MS = 3;
/** The lag when the committed offset last moved. */
const LAG_AT_COMMIT = 4;
/** The start of the current run of commits each seen with more lag than the one before. */
const RUN_START_MS = 5;
/** The last iteration in which the committed offset went backwards (NaN: never). */
const REWOUND_AT_MS = 6;
/**
 * Committed offsets per second (consumption) and log-end offsets per second (production),
 * exponentially weighted over the rate time constant; NaN until two readings, and again after the
 * offset went backwards (a reset, a re-created topic).
 */
const CONSUME_RATE = 7;
const PRODUCE_RATE = 8;

/** One iteration's reading of a group-partition. */
export interface ProgressReading {
  nowMs: number;
  /**
   * When the records advanced were read last (the previous iteration; NaN before the first): the
   * same for all of them, so kept once rather than in every record.
   */
  previousAtMs: number;
  /**
   * The committed offset at the last reading (NaN for a record never seen): the last iteration's
   * partition table has it, so the record does not keep it again.
   */
  previousCommittedOffset: number;
  committedOffset: number;
  lagOffsets: number;
  /** Time constant of the rates' exponential weighting (the status window). */
  rateTimeConstantMs: number;
}

/** A progress array for `partitions` partitions, every record "never seen". */
export function newProgress(partitions: number): Float64Array {
  return new Float64Array(partitions * PROGRESS_FIELDS).fill(NaN);
}

/**
 * The records of partitions `start` to `end` of a progress array, as a view sharing its memory
 * (one allocation per iteration for all groups, not one per group).
 */
export function progressSlice(
  progress: Float64Array,
  { start, end }: { start: number; end: number },
): Float64Array {
  return progress.subarray(start * PROGRESS_FIELDS, end * PROGRESS_FIELDS);
}

/** Copies the record at `fromIndex` of `from` into `to` at `toIndex` (a partition seen before). */
// arity-ok: called for every group-partition of every iteration; a bag would allocate each time
export function copyProgress(
  from: Float64Array,
  fromIndex: number,
  to: Float64Array,
  toIndex: number,
): void {
  const source = fromIndex * PROGRESS_FIELDS;
  const target = toIndex * PROGRESS_FIELDS;
  for (let field = 0; field < PROGRESS_FIELDS; field++) to[target + field] = from[source + field];
}

/**
 * Advances the record at `index` with one more iteration's reading, in place (a record never
 * seen starts here).
 */
// arity-ok: called for every group-partition of every iteration; a bag would allocate each time
export function advanceProgress(
  progress: Float64Array,
  index: number,
  reading: ProgressReading,
): void {
  const { nowMs, committedOffset, lagOffsets, rateTimeConstantMs } = reading;
  const at = index * PROGRESS_FIELDS;
  if (Number.isNaN(progress[at + FIRST_SEEN_MS])) {
    progress[at + FIRST_SEEN_MS] = nowMs;
    progress[at + LAG] = lagOffsets;
    progress[at + MOVED_AT_MS] = nowMs;
    progress[at + ZERO_LAG_AT_MS] = lagOffsets === 0 ? nowMs : NaN;
    progress[at + LAG_AT_COMMIT] = lagOffsets;
    progress[at + RUN_START_MS] = nowMs;
    progress[at + REWOUND_AT_MS] = NaN;
    progress[at + CONSUME_RATE] = NaN;
    progress[at + PRODUCE_RATE] = NaN;
    return;
  }
  const previousCommitted = reading.previousCommittedOffset;
  const previousLatest = previousCommitted + progress[at + LAG];
  const elapsedMs = nowMs - reading.previousAtMs;
  // Every partition of an iteration usually has the same elapsed time: one exponential for all
  // (kept inline: a fractional number returned from a call is boxed, an allocation per partition).
  if (elapsedMs !== lastWeight.elapsedMs || rateTimeConstantMs !== lastWeight.timeConstantMs) {
    lastWeight.elapsedMs = elapsedMs;
    lastWeight.timeConstantMs = rateTimeConstantMs;
    lastWeight.weight = 1 - Math.exp(-elapsedMs / rateTimeConstantMs);
  }
  const weight = lastWeight.weight;
  const consumed = committedOffset - previousCommitted;
  const produced = committedOffset + lagOffsets - previousLatest;
  weightRateInto(progress, at + CONSUME_RATE, consumed, elapsedMs, weight);
  weightRateInto(progress, at + PRODUCE_RATE, produced, elapsedMs, weight);
  const moved = committedOffset !== previousCommitted;
  if (moved) {
    if (!(lagOffsets > progress[at + LAG_AT_COMMIT])) progress[at + RUN_START_MS] = nowMs;
    progress[at + LAG_AT_COMMIT] = lagOffsets;
    progress[at + MOVED_AT_MS] = nowMs;
  }
  if (committedOffset < previousCommitted) progress[at + REWOUND_AT_MS] = nowMs;
  if (lagOffsets === 0) progress[at + ZERO_LAG_AT_MS] = nowMs;
  progress[at + LAG] = lagOffsets;
}

/** The last rate weight computed (advanceProgress). */
const lastWeight = { elapsedMs: NaN, timeConstantMs: NaN, weight: NaN };

/**
 * Weighs `offsets` more in `elapsedMs` into the rate stored at `field`; NaN (start over) when the
 * offset went backwards. Stored here rather than returned: a fractional number returned from a
 * branch that may also return NaN was boxed, an allocation for each rate of each partition.
 */
// arity-ok: called twice for every group-partition of every iteration; a bag would allocate
function weightRateInto(
  progress: Float64Array,
  field: number,
  offsets: number,
  elapsedMs: number,
  weight: number,
): void {
  if (offsets < 0) {
    progress[field] = NaN;
    return;
  }
  if (elapsedMs <= 0) return;
  const sample = offsets * 1_000 / elapsedMs;
  const rate = progress[field];
  progress[field] = rate === rate ? rate + weight * (sample - rate) : sample;
}

/** How a partition is judged: the window and whether its group has members now. */
export interface StatusPolicy {
  nowMs: number;
  windowMs: number;
  groupHasMembers: boolean;
}

/** The status of the record at `index` (rules in the module comment, checked in this order). */
// arity-ok: called for every group-partition of every iteration; a bag would allocate each time
export function partitionStatus(
  progress: Float64Array,
  index: number,
  policy: StatusPolicy,
): ConsumerStatus {
  return CONSUMER_STATUSES[partitionStatusCode(progress, index, policy)];
}

const OK = 0;
const WARN = 1;
const REWIND = 2;
const STALL = 3;
const STOP = 4;

/** partitionStatus as an index into CONSUMER_STATUSES (the hot path compares numbers). */
// arity-ok: called for every group-partition of every iteration; a bag would allocate each time
export function partitionStatusCode(
  progress: Float64Array,
  index: number,
  { nowMs, windowMs, groupHasMembers }: StatusPolicy,
): number {
  const at = index * PROGRESS_FIELDS;
  const windowStartMs = nowMs - windowMs;
  // Caught up now: whatever happened before, nothing is waiting.
  if (progress[at + LAG] === 0) return OK;
  // A rewind re-reads records (or a reset skipped backwards): reported while the window holds it.
  // (Comparisons with NaN, "never", are false.)
  if (progress[at + REWOUND_AT_MS] >= windowStartMs) return REWIND;
  // Caught up at some point of the window: the consumer keeps up, lag comes and goes.
  if (progress[at + ZERO_LAG_AT_MS] >= windowStartMs) return OK;
  // The rest needs a whole window of observations.
  if (progress[at + FIRST_SEEN_MS] > windowStartMs) return OK;
  if (progress[at + MOVED_AT_MS] <= windowStartMs) return groupHasMembers ? STALL : STOP;
  // Committing within the window (checked above), each commit with more lag than the last.
  return progress[at + RUN_START_MS] <= windowStartMs ? WARN : OK;
}

/** The record's consumption rate (committed offsets per second), when known. */
export function consumeRateOf(progress: Float64Array, index: number): number | undefined {
  const rate = progress[index * PROGRESS_FIELDS + CONSUME_RATE];
  return Number.isNaN(rate) ? undefined : rate;
}

/** The record's production rate (log-end offsets per second), when known. */
export function produceRateOf(progress: Float64Array, index: number): number | undefined {
  const rate = progress[index * PROGRESS_FIELDS + PRODUCE_RATE];
  return Number.isNaN(rate) ? undefined : rate;
}

/** A group's rates and time to catch up (each undefined when unknown). */
export interface GroupRates {
  /** Summed over the partitions whose rate is known. */
  consumeRate?: number;
  produceRate?: number;
  /** The slowest partition's time to catch up; unknown if any partition's is unknown. */
  catchUpSeconds?: number;
}

/**
 * The rates of a group's first `partitions` records summed, and its time to catch up: summed
 * here rather than partition by partition by the caller, as numbers that may be undefined would
 * be one allocation per partition for each fractional sum.
 */
export function groupRatesOf(progress: Float64Array, partitions: number): GroupRates {
  let consumeRate = NaN;
  let produceRate = NaN;
  let catchUpSeconds = 0;
  for (let index = 0; index < partitions; index++) {
    const at = index * PROGRESS_FIELDS;
    const consumed = progress[at + CONSUME_RATE];
    if (consumed === consumed) {
      consumeRate = consumeRate === consumeRate ? consumeRate + consumed : consumed;
    }
    const produced = progress[at + PRODUCE_RATE];
    if (produced === produced) {
      produceRate = produceRate === produceRate ? produceRate + produced : produced;
    }
    // NaN once any partition's is unknown (NaN stays the larger of the two).
    const eta = catchUpSecondsAt(progress, at);
    catchUpSeconds = eta > catchUpSeconds || eta !== eta ? eta : catchUpSeconds;
  }
  return {
    consumeRate: consumeRate === consumeRate ? consumeRate : undefined,
    produceRate: produceRate === produceRate ? produceRate : undefined,
    catchUpSeconds: catchUpSeconds === catchUpSeconds ? catchUpSeconds : undefined,
  };
}

/**
 * Seconds until the lag is gone at the current rates: lag / (consumption − production), 0 when
 * there is no lag; undefined when the rates are unknown or the consumer is not gaining.
 */
export function timeToCatchUpSeconds(progress: Float64Array, index: number): number | undefined {
  const seconds = catchUpSecondsAt(progress, index * PROGRESS_FIELDS);
  return Number.isNaN(seconds) ? undefined : seconds;
}

/** timeToCatchUpSeconds() of the record starting at `at`, NaN when unknown. */
function catchUpSecondsAt(progress: Float64Array, at: number): number {
  const lagOffsets = progress[at + LAG];
  if (lagOffsets === 0) return 0;
  const gainPerSecond = progress[at + CONSUME_RATE] - progress[at + PRODUCE_RATE];
  // NaN (unknown), losing ground, or a gain too small to matter (absurd durations, Infinity).
  if (!(gainPerSecond > 1e-9)) return NaN;
  return lagOffsets / gainPerSecond;
}
