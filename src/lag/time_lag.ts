/**
 * Lag in seconds of one partition from its offset history (SPEC §4): when was the record at the
 * committed offset produced, estimated from observations of the log-end offset over time.
 */
import type { OffsetObservation } from "./types.ts";

/** Either a lag in seconds, or why there is none (logged at debug level, never exported). */
export type TimeLagEstimate =
  | {
    kind: "value";
    seconds: number;
    method: "caught-up" | "interpolated" | "extrapolated" | "lower-bound";
  }
  | { kind: "unknown"; reason: string };

/**
 * Estimates `nowMs − T(committed)`.
 *
 * `history` holds observations of this partition's log-end offset, oldest first, and may include
 * the observation (latestOffset, nowMs) made in this iteration.
 */
export function estimateTimeLag(
  history: readonly OffsetObservation[],
  committedOffset: number,
  latestOffset: number,
  nowMs: number,
): TimeLagEstimate {
  // A consumer that has read everything is not behind, however long ago the last record came.
  if (committedOffset >= latestOffset) return { kind: "value", seconds: 0, method: "caught-up" };

  const points = normalizeHistory(history, latestOffset, nowMs);
  if (!points.some((point) => point.timestampMs < nowMs)) {
    return { kind: "unknown", reason: "no offset history before this iteration" };
  }

  const producedAtMs = estimateProducedAtMs(points, committedOffset);
  const lagMs = nowMs - producedAtMs.timestampMs;
  if (!Number.isFinite(lagMs)) return { kind: "unknown", reason: "non-finite estimate" };
  return { kind: "value", seconds: Math.max(0, lagMs) / 1_000, method: producedAtMs.method };
}

/**
 * Sorted points with one entry per distinct offset (its earliest sighting), nothing above the
 * current end offset (those belong to a log that was truncated or re-created), and the current
 * observation appended when the history does not reach it yet.
 */
function normalizeHistory(
  history: readonly OffsetObservation[],
  latestOffset: number,
  nowMs: number,
): OffsetObservation[] {
  const sorted = history
    .filter((point) =>
      point.offset <= latestOffset && Number.isFinite(point.timestampMs) &&
      point.timestampMs <= nowMs
    )
    .toSorted((a, b) => a.offset - b.offset || a.timestampMs - b.timestampMs);
  const points: OffsetObservation[] = [];
  for (const point of sorted) {
    const previous = points.at(-1);
    if (previous?.offset === point.offset) continue;
    // Offsets only grow with time; a point that is older than a smaller offset's earliest
    // sighting proves the smaller offset existed earlier too, so move that sighting back.
    while (points.length > 0 && points[points.length - 1].timestampMs > point.timestampMs) {
      points.pop();
    }
    points.push(point);
  }
  if ((points.at(-1)?.offset ?? -1) < latestOffset) {
    points.push({ offset: latestOffset, timestampMs: nowMs });
  }
  return points;
}

function estimateProducedAtMs(
  points: OffsetObservation[],
  committedOffset: number,
): { timestampMs: number; method: "interpolated" | "extrapolated" | "lower-bound" } {
  const firstAbove = points.findIndex((point) => point.offset > committedOffset);
  // normalizeHistory guarantees a point at latestOffset > committedOffset.
  if (firstAbove > 0) {
    const below = points[firstAbove - 1];
    const above = points[firstAbove];
    return { timestampMs: interpolate(below, above, committedOffset), method: "interpolated" };
  }
  // The committed offset predates every observation.
  const oldest = points[0];
  if (points.length < 2) return { timestampMs: oldest.timestampMs, method: "lower-bound" };
  const next = points[1];
  return { timestampMs: interpolate(oldest, next, committedOffset), method: "extrapolated" };
}

/** Linear time at `offset` on the line through two points with distinct offsets. */
function interpolate(a: OffsetObservation, b: OffsetObservation, offset: number): number {
  const msPerOffset = (b.timestampMs - a.timestampMs) / (b.offset - a.offset);
  return a.timestampMs + (offset - a.offset) * msPerOffset;
}
