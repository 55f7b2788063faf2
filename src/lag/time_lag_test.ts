import { assert, assertAlmostEquals, assertEquals } from "../../tests/assert.ts";
import {
  estimateFromPrepared,
  estimateTimeLag,
  prepareHistory,
  type TimeLagEstimate,
} from "./time_lag.ts";
import type { OffsetObservation } from "./lag_values.ts";

const at = (offset: number, timestampMs: number): OffsetObservation => ({ offset, timestampMs });

interface Case {
  name: string;
  history: OffsetObservation[];
  committed: number;
  latest: number;
  nowMs: number;
  expected: { seconds: number; method: string } | "unknown";
}

const cases: Case[] = [
  {
    name: "caught-up consumer is 0 even on a partition idle for hours",
    history: [at(100, 0), at(100, 5 * 3_600_000)],
    committed: 100,
    latest: 100,
    nowMs: 5 * 3_600_000,
    expected: { seconds: 0, method: "caught-up" },
  },
  {
    name: "commit ahead of the end offset we read is 0, not negative",
    history: [at(100, 0)],
    committed: 105,
    latest: 100,
    nowMs: 10_000,
    expected: { seconds: 0, method: "caught-up" },
  },
  {
    name: "caught-up is 0 even on the first iteration",
    history: [],
    committed: 7,
    latest: 7,
    nowMs: 1_000,
    expected: { seconds: 0, method: "caught-up" },
  },
  {
    name: "no history before this iteration gives no value, never a fake 0",
    history: [at(50, 1_000)],
    committed: 10,
    latest: 50,
    nowMs: 1_000,
    expected: "unknown",
  },
  {
    name: "empty history gives no value",
    history: [],
    committed: 10,
    latest: 50,
    nowMs: 1_000,
    expected: "unknown",
  },
  {
    name: "interpolates between the observations around the committed offset",
    // records 100..199 appeared between 10 s and 20 s: record 150 at 10 s + 50.5 × 0.1 s
    history: [at(0, 0), at(100, 10_000), at(200, 20_000)],
    committed: 150,
    latest: 200,
    nowMs: 20_000,
    expected: { seconds: 4.95, method: "interpolated" },
  },
  {
    name: "a committed offset on an observation is the first record after it",
    history: [at(0, 0), at(100, 10_000), at(200, 20_000)],
    committed: 100,
    latest: 200,
    nowMs: 20_000,
    expected: { seconds: 9.95, method: "interpolated" },
  },
  {
    name: "a single record between two observations is placed in the middle",
    // trickle: end offset 7 seen last at 4 s, 8 first seen at 6 s → record 7 produced at ~5 s.
    history: [at(7, 0), at(7, 4_000), at(8, 6_000)],
    committed: 7,
    latest: 8,
    nowMs: 6_000,
    expected: { seconds: 1, method: "interpolated" },
  },
  {
    name: "a flat run's last sighting bounds the next burst (no error of the whole gap)",
    // burst 0..99 before 1 s, quiet until a burst 100..199 seen at 121 s; 100 was still the end at 119 s.
    history: [at(100, 1_000), at(100, 119_000), at(200, 121_000)],
    committed: 150,
    latest: 200,
    nowMs: 121_000,
    expected: { seconds: 0.99, method: "interpolated" },
  },
  {
    name: "sightings between the first and last of a flat run add nothing",
    history: [at(100, 1_000), at(100, 50_000), at(100, 119_000), at(200, 121_000)],
    committed: 150,
    latest: 200,
    nowMs: 121_000,
    expected: { seconds: 0.99, method: "interpolated" },
  },
  {
    name: "input order does not matter",
    history: [at(200, 121_000), at(100, 119_000), at(100, 1_000)],
    committed: 150,
    latest: 200,
    nowMs: 121_000,
    expected: { seconds: 0.99, method: "interpolated" },
  },
  {
    name: "the current observation is appended when the history does not reach it",
    history: [at(0, 0), at(100, 10_000)],
    committed: 150,
    latest: 200,
    nowMs: 20_000,
    expected: { seconds: 4.95, method: "interpolated" },
  },
  {
    name: "extrapolates backwards with the rate of the oldest stretch",
    // 10 offsets/s between 10 s and 20 s; records below 100 existed at 10 s: T(50) = 10 s − 4.95 s
    history: [at(100, 10_000), at(200, 20_000), at(400, 25_000)],
    committed: 50,
    latest: 400,
    nowMs: 25_000,
    expected: { seconds: 19.95, method: "extrapolated" },
  },
  {
    name: "extrapolation uses the end of the oldest flat run for the rate",
    // 100 stayed the end until 30 s; 100 more records by 40 s: 10 offsets/s
    history: [at(100, 10_000), at(100, 30_000), at(200, 40_000)],
    committed: 50,
    latest: 200,
    nowMs: 40_000,
    expected: { seconds: 34.95, method: "extrapolated" },
  },
  {
    name: "one distinct offset only: lower bound since it was first seen",
    history: [at(100, 10_000), at(100, 40_000)],
    committed: 20,
    latest: 100,
    nowMs: 70_000,
    expected: { seconds: 60, method: "lower-bound" },
  },
  {
    name: "an end offset that went down discards the history above it",
    // topic re-created: old history reached 1000, the new log ends at 50.
    history: [at(500, 0), at(1_000, 10_000), at(50, 20_000)],
    committed: 10,
    latest: 50,
    nowMs: 30_000,
    expected: { seconds: 10, method: "lower-bound" },
  },
  {
    name: "observations in the future are ignored",
    history: [at(0, 0), at(100, 10_000), at(150, 99_000)],
    committed: 50,
    latest: 100,
    nowMs: 20_000,
    expected: { seconds: 14.95, method: "interpolated" },
  },
  {
    name: "a larger offset seen earlier than a smaller one drops the contradicted sighting",
    // 200 existing at 5 s means 100 existed by 5 s as well: (100, 8 s) is contradicted.
    history: [at(0, 0), at(100, 8_000), at(200, 5_000)],
    committed: 100,
    latest: 200,
    nowMs: 10_000,
    expected: { seconds: 7.4875, method: "interpolated" },
  },
  {
    name: "two observations in the same millisecond do not divide by zero",
    history: [at(100, 10_000), at(200, 10_000)],
    committed: 50,
    latest: 200,
    nowMs: 20_000,
    expected: { seconds: 10, method: "extrapolated" },
  },
];

Deno.test("estimateTimeLag()", async (t) => {
  for (const testCase of cases) {
    await t.step(testCase.name, () => {
      const estimate = estimateTimeLag(testCase.history, {
        committedOffset: testCase.committed,
        endOffset: testCase.latest,
        nowMs: testCase.nowMs,
      });
      if (testCase.expected === "unknown") {
        assertEquals(estimate.kind, "unknown");
        return;
      }
      assert(estimate.kind === "value", `expected a value, got ${JSON.stringify(estimate)}`);
      assertAlmostEquals(estimate.seconds, testCase.expected.seconds, 1e-9);
      assertEquals(estimate.method, testCase.expected.method);
    });
  }
});

Deno.test("estimateTimeLag() never returns NaN, infinite or negative values", () => {
  // Deterministic pseudo-random histories, including duplicates, disorder and odd timestamps.
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  for (let run = 0; run < 5_000; run++) {
    const history = Array.from({ length: Math.floor(random() * 6) }, () =>
      at(
        Math.floor(random() * 1_000),
        Math.floor(random() * 100_000),
      ));
    const latest = Math.floor(random() * 1_000);
    const committed = Math.floor(random() * 1_100);
    const nowMs = Math.floor(random() * 120_000);
    const estimate: TimeLagEstimate = estimateTimeLag(history, {
      committedOffset: committed,
      endOffset: latest,
      nowMs,
    });
    if (estimate.kind === "value") {
      assert(
        Number.isFinite(estimate.seconds) && estimate.seconds >= 0,
        JSON.stringify({ history, latest, committed, nowMs, estimate }),
      );
    }
  }
});

Deno.test("one prepared history serves every committed offset of the partition", () => {
  // As an iteration does: prepared once per partition, then read by every group on it.
  const history = [at(100, 1_000), at(100, 2_000), at(150, 3_000), at(400, 9_000), at(390, 9_500)];
  const endOffset = 420;
  const nowMs = 10_000;
  const prepared = prepareHistory(history, { endOffset, nowMs });
  const before = JSON.stringify(prepared);
  for (let committedOffset = 0; committedOffset <= 430; committedOffset += 7) {
    const position = { committedOffset, endOffset, nowMs };
    assertEquals(estimateFromPrepared(prepared, position), estimateTimeLag(history, position));
  }
  assertEquals(JSON.stringify(prepared), before, "estimates leave the prepared history as it was");
  assertEquals(prepareHistory([], { endOffset, nowMs }).kind, "unknown");
});
