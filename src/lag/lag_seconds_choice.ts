/**
 * Which lag in seconds a partition gets, decided from what was read about it: the estimate from
 * its offset history (time_lag.ts), its offsets (committed, end, log start) and the age of a
 * record when one could be read. collect/ reads and asks; every rule of the choice is here, so
 * one place says how a value came about (docs/lag.md: the methods).
 *
 * The rules, in order:
 * 1. The history's estimate counts when the history could be read, or when the partition is
 *    caught up (0 s needs no history).
 * 2. Retention deleted the committed record: unless the history dates it (interpolated), the age
 *    of the oldest record left is a lower bound: the deleted record was written before it.
 * 3. Otherwise a lagging partition takes its committed record's timestamp when the history
 *    cannot date it (no estimate, extrapolated or a lower bound), or always in exact mode.
 * 4. Of two lower bounds (the history's and the oldest record's) the larger is kept.
 */
import type { TimeLagMethod } from "./time_lag.ts";
import type { LagSecondsMethod } from "./lag_values.ts";

/** The record whose age could give a partition's lag in seconds. */
export type RecordToDate = "committed" | "oldest-left";

/** A partition's lag in seconds as chosen so far: NaN seconds and no method while unknown. */
export interface LagSecondsChoice {
  seconds: number;
  method: LagSecondsMethod | undefined;
}

/** Rule 1: the history's estimate, when it counts, written into `choice` (else left unknown). */
export function chooseFromHistory(
  choice: LagSecondsChoice,
  estimate: { known: boolean; seconds: number; method: TimeLagMethod; historyRead: boolean },
): void {
  if (estimate.known && (estimate.historyRead || estimate.method === "caught-up")) {
    choice.seconds = estimate.seconds;
    choice.method = estimate.method;
  } else {
    choice.seconds = NaN;
    choice.method = undefined;
  }
}

/** Rules 2 and 3: which record's age would improve the choice, if any. */
export function recordToDate(
  { committedOffset, endOffset, logStartOffset, method, exact }: {
    committedOffset: number;
    endOffset: number;
    logStartOffset: number;
    /** The method chosen so far (undefined: no value yet). */
    method: LagSecondsMethod | undefined;
    /** Exact mode: every lagging partition is dated by its record. */
    exact: boolean;
  },
): RecordToDate | undefined {
  if (committedOffset < logStartOffset) {
    return method !== "interpolated" && logStartOffset < endOffset ? "oldest-left" : undefined;
  }
  if (committedOffset >= endOffset) return undefined; // caught up: 0 s from rule 1
  return exact || method !== "interpolated" ? "committed" : undefined;
}

/** Rules 2–4: the choice once the age of `record` is known, written into `choice`. */
export function chooseWithRecordAge(
  choice: LagSecondsChoice,
  { record, ageSeconds }: { record: RecordToDate; ageSeconds: number },
): void {
  if (record === "committed") {
    choice.seconds = ageSeconds;
    choice.method = "record-timestamp";
  } else if (!(ageSeconds <= choice.seconds)) {
    // A larger lower bound, or the first value (NaN compares false).
    choice.seconds = ageSeconds;
    choice.method = "lower-bound";
  }
}

/** Whether a method gives only an estimate that may be too low (counted per group). */
export function isEstimate(method: LagSecondsMethod | undefined): boolean {
  return method === "extrapolated" || method === "lower-bound";
}
