/**
 * Each group's recent lag, one sample per iteration over the status window, for the status page's
 * chart. Every group of a cluster is sampled at the same iterations, so the sample times are kept
 * once per cluster (LagTrails) and each group keeps only its two values per sample, as 32-bit
 * floats (about 7 significant digits: a chart's precision) in a ring overwritten in place: at
 * 10,000 groups and 120 samples 9.6 MB instead of 28 MB with a clock and 64-bit values per group.
 * The rings of TRAILS_PER_BLOCK groups share one buffer, a group's place in it handed to the next
 * new group once it is gone: a buffer per group was 10,000 more buffers outside the heap (each with
 * its allocator and collector bookkeeping) at 10,000 groups, 100,000 at 100,000.
 */

/** Groups whose rings share one buffer. */
const TRAILS_PER_BLOCK = 256;

/** One sample of a group's lag (NaN: not known). */
export interface LagTrailSample {
  atMs: number;
  sumLagOffsets: number;
  maxLagSeconds: number;
}

/** One group's ring of values; its sample times are those of the cluster's LagTrails. */
export interface LagTrail {
  readonly clock: LagTrails;
  /**
   * The buffer the ring is in (shared with other groups'), from `start`: per sample, summed lag
   * in offsets, then the largest lag in seconds.
   */
  readonly values: Float32Array;
  readonly start: number;
  /** The number of the first sample this group took (LagTrails counts samples from 0). */
  readonly firstSample: number;
}

/** How many samples a trail keeps: one per iteration across the window, within [2, 120]. */
export function lagTrailCapacity(
  { windowMs, iterationIntervalMs }: { windowMs: number; iterationIntervalMs: number },
): number {
  const wanted = Math.ceil(windowMs / Math.max(1, iterationIntervalMs)) + 1;
  return Math.min(120, Math.max(2, wanted));
}

/** The sample clock of one cluster's trails and the maker of each group's trail. */
export class LagTrails {
  readonly capacity: number;
  readonly #times: Float64Array;
  /** Samples started so far; the current one is number `#taken − 1`. */
  #taken = 0;
  /** Places for a ring: free ones, and those given back during the current sample. */
  readonly #free: Array<{ values: Float32Array; start: number }> = [];
  readonly #givenBack: Array<{ values: Float32Array; start: number }> = [];

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#times = new Float64Array(capacity);
  }

  /** Starts the sample taken at `atMs`: groups record their values into it next. */
  startSample(atMs: number): void {
    this.#times[this.#taken % this.capacity] = atMs;
    this.#taken++;
    // Given back one sample ago: the snapshot that still showed those groups has been replaced.
    for (const place of this.#givenBack.splice(0)) this.#free.push(place);
  }

  /** An empty trail for a group seen first in the current sample. */
  newTrail(): LagTrail {
    if (this.#free.length === 0) {
      const ring = 2 * this.capacity;
      const values = new Float32Array(TRAILS_PER_BLOCK * ring);
      for (let slot = TRAILS_PER_BLOCK - 1; slot >= 0; slot--) {
        this.#free.push({ values, start: slot * ring });
      }
    }
    const { values, start } = this.#free.pop()!;
    // Samples before `firstSample` are never read: what an earlier group left there is ignored.
    return { clock: this, values, start, firstSample: Math.max(0, this.#taken - 1) };
  }

  /**
   * Gives back the trail of a group that is gone: its place goes to a new group from the next
   * sample on (until then the snapshot being replaced may still show it).
   */
  giveBack(trail: LagTrail): void {
    this.#givenBack.push({ values: trail.values, start: trail.start });
  }

  /** Writes a group's values into the current sample (startSample first). */
  record(trail: LagTrail, { sumLagOffsets, maxLagSeconds }: Omit<LagTrailSample, "atMs">): void {
    const at = trail.start + 2 * ((this.#taken - 1) % this.capacity);
    trail.values[at] = sumLagOffsets;
    trail.values[at + 1] = maxLagSeconds;
  }

  /** The group's samples taken from `sinceMs` to `untilMs`, oldest first. */
  samples(trail: LagTrail, { sinceMs, untilMs }: { sinceMs: number; untilMs: number }) {
    const samples: LagTrailSample[] = [];
    const first = Math.max(trail.firstSample, this.#taken - this.capacity);
    for (let sample = first; sample < this.#taken; sample++) {
      const slot = sample % this.capacity;
      const atMs = this.#times[slot];
      if (atMs < sinceMs || atMs > untilMs) continue;
      samples.push({
        atMs,
        sumLagOffsets: trail.values[trail.start + 2 * slot],
        maxLagSeconds: trail.values[trail.start + 2 * slot + 1],
      });
    }
    return samples;
  }
}

/** The samples of `trail` taken from `sinceMs` to `untilMs`, oldest first. */
export function lagTrailSamples(
  trail: LagTrail,
  range: { sinceMs: number; untilMs: number },
): LagTrailSample[] {
  return trail.clock.samples(trail, range);
}
