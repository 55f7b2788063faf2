/**
 * Lag in seconds of one partition from its offset history (SPEC §4): when was the record at the
 * committed offset produced, estimated from observations of the log-end offset over time.
 */
import { normalizeHistory } from "./offset_history.ts";
import type { OffsetObservation } from "./lag_values.ts";

/** How a value was obtained (exact mode adds "record-timestamp" in the collector). */
export type TimeLagMethod = "caught-up" | "interpolated" | "extrapolated" | "lower-bound";

/** Either a lag in seconds, or why there is none (logged at debug level, never exported). */
export type TimeLagEstimate =
  | { kind: "value"; seconds: number; method: TimeLagMethod }
  | { kind: "unknown"; reason: string };

/** Where a consumer stands at `nowMs`: its committed offset and the log-end offset then. */
export interface ConsumerPosition {
  committedOffset: number;
  endOffset: number;
  nowMs: number;
}

/** Shared by every caught-up group-partition of an iteration (read only). */
const CAUGHT_UP: TimeLagEstimate = Object.freeze({
  kind: "value",
  seconds: 0,
  method: "caught-up",
});

/**
 * A partition's history made ready for estimates at one end offset and time: normalized, cut at
 * the end offset and closed by it. It depends on the partition only, so an iteration prepares it
 * once per partition and every group reading that partition shares it.
 */
export type PreparedHistory =
  | { kind: "points"; points: readonly OffsetObservation[] }
  | { kind: "unknown"; reason: string };

/** Prepares `history` (which may include this iteration's observation) for `position`. */
export function prepareHistory(
  history: readonly OffsetObservation[],
  { endOffset, nowMs }: Omit<ConsumerPosition, "committedOffset">,
): PreparedHistory {
  // Points above the current end offset belong to a log that was truncated or re-created. A
  // stored history is normally already in the normalized form: then it is used as it is, not
  // filtered, sorted and copied point by point for every partition of every iteration.
  const points = isNormalizedUpTo(history, { endOffset, nowMs })
    ? history
    : normalizeHistory(history.filter((point) => point.timestampMs <= nowMs), endOffset);
  if (points.length === 0 || !(points[0].timestampMs < nowMs)) {
    return { kind: "unknown", reason: "no offset history before this iteration" };
  }
  if (points[points.length - 1].offset < endOffset) {
    return { kind: "points", points: [...points, { offset: endOffset, timestampMs: nowMs }] };
  }
  return { kind: "points", points };
}

/**
 * Whether normalizeHistory (after dropping points later than `nowMs`) would give `history` back
 * unchanged: finite points at or below the end offset, sorted by offset with time never going
 * back, each offset seen at most twice (first and last sighting) and no point repeated.
 */
function isNormalizedUpTo(
  history: readonly OffsetObservation[],
  { endOffset, nowMs }: { endOffset: number; nowMs: number },
): boolean {
  for (let index = 0; index < history.length; index++) {
    const point = history[index];
    if (!(point.offset <= endOffset) || !(point.timestampMs <= nowMs)) return false;
    if (!Number.isFinite(point.offset) || !Number.isFinite(point.timestampMs)) return false;
    if (index === 0) continue;
    const previous = history[index - 1];
    if (previous.offset > point.offset || previous.timestampMs > point.timestampMs) return false;
    if (previous.offset === point.offset) {
      if (previous.timestampMs === point.timestampMs) return false;
      if (index >= 2 && history[index - 2].offset === point.offset) return false;
    }
  }
  return true;
}

/**
 * Estimates `nowMs − T(committed)`.
 *
 * `history` holds observations of this partition's log-end offset and may include the
 * observation (endOffset, nowMs) made in this iteration.
 */
export function estimateTimeLag(
  history: readonly OffsetObservation[],
  position: ConsumerPosition,
): TimeLagEstimate {
  if (position.committedOffset >= position.endOffset) return CAUGHT_UP;
  return estimateFromPrepared(prepareHistory(history, position), position);
}

/** estimateTimeLag with the partition's history already prepared for this position's end. */
export function estimateFromPrepared(
  prepared: PreparedHistory,
  position: ConsumerPosition,
): TimeLagEstimate {
  // A consumer that has read everything is not behind, however long ago the last record came.
  if (position.committedOffset >= position.endOffset) return CAUGHT_UP;
  if (prepared.kind === "unknown") return prepared;
  const value = { seconds: 0, method: "caught-up" as TimeLagMethod };
  if (!estimateInto(prepared, position, value)) {
    return { kind: "unknown", reason: "non-finite estimate" };
  }
  return { kind: "value", seconds: value.seconds, method: value.method };
}

/**
 * estimateFromPrepared writing the value into `value` instead of a new object (it runs for every
 * lagging group-partition of every iteration); false when there is none (unknown history or a
 * non-finite estimate), `value` then unchanged.
 */
// arity-ok: called for every lagging group-partition; the out-parameter avoids an allocation
export function estimateInto(
  prepared: PreparedHistory,
  { committedOffset, endOffset, nowMs }: ConsumerPosition,
  value: { seconds: number; method: TimeLagMethod },
): boolean {
  if (committedOffset >= endOffset) {
    value.seconds = 0;
    value.method = "caught-up";
    return true;
  }
  if (prepared.kind === "unknown") return false;
  const points = prepared.points;
  let producedAtMs: number;
  let method: TimeLagMethod;
  // The point at endOffset guarantees one point above the committed offset. Plain loops: this
  // runs for every lagging group-partition, and a callback per search was most of what an
  // iteration allocated.
  let above = 0;
  while (above < points.length && points[above].offset <= committedOffset) above++;
  if (above > 0 && above < points.length) {
    // `below` is the last sighting of the largest offset ≤ committed: at its time the record at
    // `below.offset` did not exist yet, and every record below `points[above].offset` existed at
    // the first sighting of that offset. The record lies in between; spread the records of the
    // interval evenly and take the middle of the committed record's share.
    const below = points[above - 1];
    producedAtMs = timeWithin(below, points[above], committedOffset - below.offset + 0.5);
    method = "interpolated";
  } else {
    // The committed offset predates every observation: extrapolate backwards from the oldest
    // offset's first sighting with the production rate of the oldest stretch.
    const oldest = points[0];
    let next = 1;
    while (next < points.length && points[next].offset === oldest.offset) next++;
    if (next === points.length) {
      producedAtMs = oldest.timestampMs;
      method = "lower-bound";
    } else {
      // The oldest offset's last sighting is the point just before the first larger one.
      const oldestLast = points[next - 1];
      const msPerOffset = (points[next].timestampMs - oldestLast.timestampMs) /
        (points[next].offset - oldest.offset);
      producedAtMs = oldest.timestampMs - (oldest.offset - committedOffset - 0.5) * msPerOffset;
      method = "extrapolated";
    }
  }
  const lagMs = nowMs - producedAtMs;
  if (!Number.isFinite(lagMs)) return false;
  value.seconds = Math.max(0, lagMs) / 1_000;
  value.method = method;
  return true;
}

/** The time `offsetsIn` offsets past `from` on the straight line from `from` to `to`. */
// arity-ok: called for every interpolated group-partition; a bag would allocate each time
function timeWithin(from: OffsetObservation, to: OffsetObservation, offsetsIn: number): number {
  return from.timestampMs +
    offsetsIn * (to.timestampMs - from.timestampMs) / (to.offset - from.offset);
}
