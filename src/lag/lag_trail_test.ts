import { assertEquals } from "../../tests/assert.ts";
import { lagTrailCapacity, lagTrailSamples, newLagTrail, recordLagSample } from "./lag_trail.ts";

const ALL = { sinceMs: -Infinity, untilMs: Infinity };

function trailOf(capacity: number, samples: number): Float64Array {
  const trail = newLagTrail(capacity);
  for (let step = 1; step <= samples; step++) {
    recordLagSample(trail, { atMs: step * 1_000, sumLagOffsets: step * 10, maxLagSeconds: step });
  }
  return trail;
}

Deno.test("lag trail capacity: one sample per iteration across the window, bounded", () => {
  const cases: Array<[string, number, number, number]> = [
    ["default 10 min window, 30 s interval", 600_000, 30_000, 21],
    ["window shorter than an iteration", 1_000, 30_000, 2],
    ["window not a multiple of the interval", 65_000, 30_000, 4],
    ["tiny interval: capped", 3_600_000, 1_000, 120],
  ];
  for (const [name, windowMs, iterationIntervalMs, expected] of cases) {
    assertEquals(lagTrailCapacity({ windowMs, iterationIntervalMs }), expected, name);
  }
});

Deno.test("lag trail: samples come back oldest first, the oldest overwritten when full", () => {
  const cases: Array<[string, number, number, number[]]> = [
    ["empty", 3, 0, []],
    ["partly filled", 3, 2, [1_000, 2_000]],
    ["exactly full", 3, 3, [1_000, 2_000, 3_000]],
    ["wrapped once", 3, 4, [2_000, 3_000, 4_000]],
    ["wrapped many times", 3, 10, [8_000, 9_000, 10_000]],
  ];
  for (const [name, capacity, samples, expected] of cases) {
    const read = lagTrailSamples(trailOf(capacity, samples), ALL);
    assertEquals(read.map((sample) => sample.atMs), expected, name);
    assertEquals(read.map((sample) => sample.sumLagOffsets), expected.map((at) => at / 100), name);
  }
});

Deno.test("lag trail: only the samples of the asked time range, unknown seconds kept as NaN", () => {
  const trail = trailOf(5, 5);
  assertEquals(
    lagTrailSamples(trail, { sinceMs: 2_000, untilMs: 4_000 }).map((sample) => sample.atMs),
    [2_000, 3_000, 4_000],
  );
  recordLagSample(trail, { atMs: 6_000, sumLagOffsets: 0, maxLagSeconds: NaN });
  const last = lagTrailSamples(trail, ALL).at(-1)!;
  assertEquals([last.atMs, last.sumLagOffsets, Number.isNaN(last.maxLagSeconds)], [6_000, 0, true]);
});
