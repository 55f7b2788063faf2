import { assertEquals } from "../../tests/assert.ts";
import { type LagTrail, lagTrailCapacity, LagTrails, lagTrailSamples } from "./lag_trail.ts";

const ALL = { sinceMs: -Infinity, untilMs: Infinity };

/** A clock of `capacity` samples that took `samples` samples, one group recording from sample 1. */
function trailOf(capacity: number, samples: number): { clock: LagTrails; trail: LagTrail } {
  const clock = new LagTrails(capacity);
  let trail: LagTrail | undefined;
  for (let step = 1; step <= samples; step++) {
    clock.startSample(step * 1_000);
    trail ??= clock.newTrail();
    clock.record(trail, { sumLagOffsets: step * 10, maxLagSeconds: step });
  }
  return { clock, trail: trail ?? clock.newTrail() };
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
    const read = lagTrailSamples(trailOf(capacity, samples).trail, ALL);
    assertEquals(read.map((sample) => sample.atMs), expected, name);
    assertEquals(read.map((sample) => sample.sumLagOffsets), expected.map((at) => at / 100), name);
  }
});

Deno.test("lag trail: only the samples of the asked time range, unknown seconds kept as NaN", () => {
  const { clock, trail } = trailOf(5, 5);
  assertEquals(
    lagTrailSamples(trail, { sinceMs: 2_000, untilMs: 4_000 }).map((sample) => sample.atMs),
    [2_000, 3_000, 4_000],
  );
  clock.startSample(6_000);
  clock.record(trail, { sumLagOffsets: 0, maxLagSeconds: NaN });
  const last = lagTrailSamples(trail, ALL).at(-1)!;
  assertEquals([last.atMs, last.sumLagOffsets, Number.isNaN(last.maxLagSeconds)], [6_000, 0, true]);
});

Deno.test("lag trail: a group seen later shows only its own samples; values kept to 7 digits", () => {
  const { clock, trail: early } = trailOf(4, 2);
  clock.startSample(3_000);
  const late = clock.newTrail();
  clock.record(early, { sumLagOffsets: 30, maxLagSeconds: 3 });
  clock.record(late, { sumLagOffsets: 123_456_789, maxLagSeconds: 0.25 });
  assertEquals(lagTrailSamples(early, ALL).map((sample) => sample.atMs), [1_000, 2_000, 3_000]);
  const [only, ...none] = lagTrailSamples(late, ALL);
  assertEquals(none, []);
  assertEquals(only.atMs, 3_000);
  assertEquals(Math.abs(only.sumLagOffsets - 123_456_789) <= 8, true);
  assertEquals(only.maxLagSeconds, 0.25);
});

Deno.test("lag trail: the next sample started but not yet recorded is outside a snapshot's range", () => {
  const { clock, trail } = trailOf(3, 3);
  clock.startSample(4_000);
  assertEquals(
    lagTrailSamples(trail, { sinceMs: -Infinity, untilMs: 3_000 }).map((sample) => sample.atMs),
    [2_000, 3_000],
  );
});

Deno.test("lag trail: groups share buffers without sharing rings; a gone group's place is reused a sample later", () => {
  const clock = new LagTrails(3);
  clock.startSample(1_000);
  const trails = Array.from({ length: 300 }, () => clock.newTrail());
  trails.forEach((trail, index) => clock.record(trail, { sumLagOffsets: index, maxLagSeconds: 1 }));
  // More groups than one buffer holds: each still reads back only its own values.
  trails.forEach((trail, index) =>
    assertEquals(lagTrailSamples(trail, ALL).map((sample) => sample.sumLagOffsets), [index])
  );
  const gone = trails[7];
  clock.giveBack(gone);
  // Within the same sample the place is not handed out again (a snapshot may still show it).
  const sameSample = clock.newTrail();
  assertEquals(sameSample.values === gone.values && sameSample.start === gone.start, false);
  clock.startSample(2_000);
  const next = clock.newTrail();
  assertEquals(next.values === gone.values && next.start === gone.start, true);
  clock.record(next, { sumLagOffsets: 42, maxLagSeconds: 2 });
  // The new group sees its own sample only, not what the gone group left there.
  assertEquals(lagTrailSamples(next, ALL).map((sample) => [sample.atMs, sample.sumLagOffsets]), [
    [2_000, 42],
  ]);
});
