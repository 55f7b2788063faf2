/**
 * A group's recent lag, one sample per iteration over the status window, for the status page's
 * chart. A fixed ring of numbers per group, allocated once when the group is first seen and
 * overwritten in place: no object per sample, no history store.
 *
 * Layout: [head, count, then `capacity` samples of SAMPLE_FIELDS numbers].
 */

const HEAD = 0;
const COUNT = 1;
const HEADER = 2;
/** Numbers per sample: when, the group's summed lag in offsets, its largest lag in seconds. */
const SAMPLE_FIELDS = 3;

/** One sample of a group's lag (NaN: not known). */
export interface LagTrailSample {
  atMs: number;
  sumLagOffsets: number;
  maxLagSeconds: number;
}

/** How many samples a trail keeps: one per iteration across the window, within [2, 120]. */
export function lagTrailCapacity(
  { windowMs, iterationIntervalMs }: { windowMs: number; iterationIntervalMs: number },
): number {
  const wanted = Math.ceil(windowMs / Math.max(1, iterationIntervalMs)) + 1;
  return Math.min(120, Math.max(2, wanted));
}

/** An empty trail of `capacity` samples. */
export function newLagTrail(capacity: number): Float64Array {
  return new Float64Array(HEADER + capacity * SAMPLE_FIELDS);
}

function capacityOf(trail: Float64Array): number {
  return (trail.length - HEADER) / SAMPLE_FIELDS;
}

/** Appends a sample, overwriting the oldest when the trail is full. */
export function recordLagSample(trail: Float64Array, sample: LagTrailSample): void {
  const capacity = capacityOf(trail);
  const head = trail[HEAD];
  const at = HEADER + head * SAMPLE_FIELDS;
  trail[at] = sample.atMs;
  trail[at + 1] = sample.sumLagOffsets;
  trail[at + 2] = sample.maxLagSeconds;
  trail[HEAD] = (head + 1) % capacity;
  trail[COUNT] = Math.min(capacity, trail[COUNT] + 1);
}

/** The samples taken from `sinceMs` to `untilMs`, oldest first. */
export function lagTrailSamples(
  trail: Float64Array,
  { sinceMs, untilMs }: { sinceMs: number; untilMs: number },
): LagTrailSample[] {
  const capacity = capacityOf(trail);
  const count = trail[COUNT];
  const oldest = (trail[HEAD] - count + capacity) % capacity;
  const samples: LagTrailSample[] = [];
  for (let step = 0; step < count; step++) {
    const at = HEADER + ((oldest + step) % capacity) * SAMPLE_FIELDS;
    const atMs = trail[at];
    if (atMs < sinceMs || atMs > untilMs) continue;
    samples.push({ atMs, sumLagOffsets: trail[at + 1], maxLagSeconds: trail[at + 2] });
  }
  return samples;
}
