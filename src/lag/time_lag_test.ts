import { assert, assertAlmostEquals, assertEquals } from "../../tests/assert.ts";
import { estimateTimeLag, type TimeLagEstimate } from "./time_lag.ts";
import type { OffsetObservation } from "./types.ts";

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
    history: [at(100, 0)],
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
    history: [at(0, 0), at(100, 10_000), at(200, 20_000)],
    committed: 150,
    latest: 200,
    nowMs: 20_000,
    expected: { seconds: 5, method: "interpolated" },
  },
  {
    name: "committed offset exactly on an observation uses that observation's time",
    history: [at(0, 0), at(100, 10_000), at(200, 20_000)],
    committed: 100,
    latest: 200,
    nowMs: 20_000,
    expected: { seconds: 10, method: "interpolated" },
  },
  {
    name: "sub-second precision is kept",
    history: [at(0, 0), at(3, 1_000)],
    committed: 1,
    latest: 3,
    nowMs: 1_000,
    expected: { seconds: 2 / 3, method: "interpolated" },
  },
  {
    name: "a flat line keeps only its earliest observation",
    // offset 100 seen at 10s and again at 50s: only 10s carries information.
    history: [at(0, 0), at(100, 10_000), at(100, 50_000), at(200, 60_000)],
    committed: 150,
    latest: 200,
    nowMs: 60_000,
    // between (100, 10s) and (200, 60s): T(150) = 35s
    expected: { seconds: 25, method: "interpolated" },
  },
  {
    name: "flat line reversed in input order is treated the same",
    history: [at(200, 60_000), at(100, 50_000), at(100, 10_000), at(0, 0)],
    committed: 150,
    latest: 200,
    nowMs: 60_000,
    expected: { seconds: 25, method: "interpolated" },
  },
  {
    name: "the current observation is appended when the history does not reach it",
    history: [at(0, 0), at(100, 10_000)],
    committed: 150,
    latest: 200,
    nowMs: 20_000,
    expected: { seconds: 5, method: "interpolated" },
  },
  {
    name: "extrapolates backwards with the rate of the oldest stretch",
    history: [at(100, 10_000), at(200, 20_000), at(400, 25_000)],
    committed: 50,
    latest: 400,
    nowMs: 25_000,
    // 10 offsets/s on the oldest stretch: T(50) = 10s − 5s = 5s
    expected: { seconds: 20, method: "extrapolated" },
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
    expected: { seconds: 15, method: "interpolated" },
  },
  {
    name: "a larger offset seen earlier than a smaller one moves the sighting back",
    // Offsets only grow: 200 existing at 5s means 100 existed by 5s as well.
    history: [at(0, 0), at(100, 8_000), at(200, 5_000)],
    committed: 100,
    latest: 200,
    nowMs: 10_000,
    expected: { seconds: 7.5, method: "interpolated" },
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
      const estimate = estimateTimeLag(
        testCase.history,
        testCase.committed,
        testCase.latest,
        testCase.nowMs,
      );
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
    const estimate: TimeLagEstimate = estimateTimeLag(history, committed, latest, nowMs);
    if (estimate.kind === "value") {
      assert(
        Number.isFinite(estimate.seconds) && estimate.seconds >= 0,
        JSON.stringify({ history, latest, committed, nowMs, estimate }),
      );
    }
  }
});
