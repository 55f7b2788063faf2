/** What one fuzz input may cost, and what a decoder may throw: the bounds the suite enforces. */

/** An input that takes longer has unbounded work (a normal one takes well under 5 ms). */
export const MAX_INPUT_MS = 500;
/** An input that grows the process by more has unbounded allocation (the batch cap is 16 MiB). */
export const MAX_RSS_GROWTH_MIB = 96;
/** A worker whose progress counter does not move for this long is stuck in a loop. */
export const HANG_MS = 10_000;

/** What the main thread asks the fuzz worker for. */
export interface FuzzRequest {
  seed: number;
  /** Inputs per target (CI), or … */
  inputsPerTarget?: number;
  /** … run until then (a long run). */
  deadlineMs?: number;
  /** Only targets whose name contains one of these. */
  only?: string[];
  /** [inputs started, target index, input index] as Int32. */
  progress: SharedArrayBuffer;
}

/** One failing input: regenerated from (seed, target, index). */
export interface FuzzFailure {
  index: number;
  problem: string;
  inputBytes: number;
}

/** What a target did over a run. */
export interface FuzzTargetReport {
  name: string;
  seeds: number;
  inputs: number;
  threw: number;
  slowestMs: number;
  largestRssGrowthMiB: number;
  failures: FuzzFailure[];
}

/**
 * Resource exhaustion and programming errors are not a decoder's contained refusal: a RangeError
 * from reading past the end or a format error is, a TypeError (something undefined was used) or
 * an allocation failure is not.
 */
const UNCONTAINED = [
  /Invalid array length/,
  /Array buffer allocation failed/,
  /Maximum call stack size exceeded/,
  /out of memory/i,
  /Invalid typed array length/,
];

/** Why an input broke a bound, or undefined. */
export function judgeInput(
  { thrown, elapsedMs, rssGrowthMiB }: { thrown: unknown; elapsedMs: number; rssGrowthMiB: number },
): string | undefined {
  if (elapsedMs > MAX_INPUT_MS) return `took ${elapsedMs.toFixed(0)} ms (bound ${MAX_INPUT_MS})`;
  if (rssGrowthMiB > MAX_RSS_GROWTH_MIB) {
    return `grew RSS by ${rssGrowthMiB.toFixed(0)} MiB (bound ${MAX_RSS_GROWTH_MIB})`;
  }
  if (thrown === undefined) return undefined;
  if (!(thrown instanceof Error)) return `threw a non-error: ${String(thrown)}`;
  if (thrown instanceof TypeError) return `TypeError: ${thrown.message}`;
  if (UNCONTAINED.some((pattern) => pattern.test(thrown.message))) {
    return `${thrown.name}: ${thrown.message}`;
  }
  return undefined;
}
