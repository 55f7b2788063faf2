/**
 * The offset history of one partition: observations "at time t the log-end offset was o", kept
 * compact. Pure functions shared by every store and by the lag estimate.
 *
 * An observation (o, t) says two things: records below o existed at t, and record o did not
 * exist yet. The first sighting of an offset carries the first fact for the records below it; the
 * last sighting of a flat run carries the second for the record that ends the run. So each
 * distinct offset keeps at most two points: its first and its last sighting.
 */
import type { OffsetObservation } from "./lag_values.ts";

/** Limits of a partition's history. */
export interface HistoryLimits {
  /** Points older than this (relative to the newest observation) are dropped. */
  retentionMs: number;
  /** Above this many points, the least informative interior point is removed. */
  maxPoints: number;
}

/** Default point budget per partition. */
export const DEFAULT_MAX_POINTS = 64;

/**
 * Sorted by offset then time; per offset only the first and last sighting; times never decrease
 * with the offset (a larger offset seen earlier contradicts a later sighting of a smaller one,
 * which is dropped); nothing above `maxOffset`.
 */
export function normalizeHistory(
  points: readonly OffsetObservation[],
  maxOffset = Infinity,
): OffsetObservation[] {
  const sorted = points
    .filter((point) =>
      point.offset <= maxOffset && Number.isFinite(point.offset) &&
      Number.isFinite(point.timestampMs)
    )
    .toSorted((a, b) => a.offset - b.offset || a.timestampMs - b.timestampMs);
  const kept: OffsetObservation[] = [];
  for (const point of sorted) {
    while (kept.length > 0 && kept[kept.length - 1].timestampMs > point.timestampMs) kept.pop();
    const last = kept.at(-1);
    const beforeLast = kept.at(-2);
    if (last?.offset === point.offset && last.timestampMs === point.timestampMs) continue;
    if (last?.offset === point.offset && beforeLast?.offset === point.offset) {
      // Already first + last sighting of this offset: the new point becomes the last one.
      kept[kept.length - 1] = { offset: point.offset, timestampMs: point.timestampMs };
    } else {
      kept.push({ offset: point.offset, timestampMs: point.timestampMs });
    }
  }
  return kept;
}

/**
 * Adds one observation to a normalized history and applies the limits. An end offset below the
 * newest one, seen later than it, means the log was truncated or re-created: the older points
 * describe another log. Seen earlier, it is only a late write from another instance.
 */
export function mergeObservation(
  points: readonly OffsetObservation[],
  observation: OffsetObservation,
  limits: HistoryLimits,
): OffsetObservation[] {
  const newest = points.at(-1);
  if (
    newest === undefined ||
    (observation.offset < newest.offset && observation.timestampMs > newest.timestampMs)
  ) {
    return [{ offset: observation.offset, timestampMs: observation.timestampMs }];
  }
  const merged = normalizeHistory([...points, observation]);
  return downsample(
    pruneByAge(merged, observation.timestampMs - limits.retentionMs),
    limits.maxPoints,
  );
}

/** Drops points older than `cutoffMs`, except the sightings of the newest offset. */
function pruneByAge(points: OffsetObservation[], cutoffMs: number): OffsetObservation[] {
  const newestOffset = points.at(-1)?.offset;
  const firstKept = points.findIndex((point) =>
    point.timestampMs >= cutoffMs || point.offset === newestOffset
  );
  return firstKept <= 0 ? points : points.slice(firstKept);
}

/**
 * Removes interior points until at most `maxPoints` remain, each time the one whose removal
 * changes the interpolated curve least, so old points are thinned rather than dropped and the
 * corners of flat runs (large removal error) survive.
 */
export function downsample(points: OffsetObservation[], maxPoints: number): OffsetObservation[] {
  const out = [...points];
  while (out.length > Math.max(2, maxPoints)) {
    let cheapest = 1;
    let cheapestError = Infinity;
    for (let index = 1; index < out.length - 1; index++) {
      const error = removalErrorMs({
        before: out[index - 1],
        point: out[index],
        after: out[index + 1],
      });
      if (error < cheapestError) {
        cheapestError = error;
        cheapest = index;
      }
    }
    out.splice(cheapest, 1);
  }
  return out;
}

/** How far off `point` would be estimated from its neighbours once removed. */
function removalErrorMs(
  { before, point, after }: {
    before: OffsetObservation;
    point: OffsetObservation;
    after: OffsetObservation;
  },
): number {
  const span = after.offset - before.offset;
  const estimate = span === 0 ? before.timestampMs : before.timestampMs +
    (point.offset - before.offset) * (after.timestampMs - before.timestampMs) / span;
  return Math.abs(point.timestampMs - estimate);
}
