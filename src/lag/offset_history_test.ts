import { assertEquals } from "../../tests/assert.ts";
import { downsample, mergeObservation, normalizeHistory } from "./offset_history.ts";
import type { OffsetObservation } from "./lag_values.ts";

const at = (offset: number, timestampMs: number): OffsetObservation => ({ offset, timestampMs });
const limits = { retentionMs: 100_000, maxPoints: 64 };

Deno.test("normalizeHistory()", async (t) => {
  const cases: Array<[string, OffsetObservation[], OffsetObservation[], number?]> = [
    ["sorts by offset then time", [at(2, 20), at(1, 10)], [at(1, 10), at(2, 20)]],
    ["keeps first and last sighting of a flat run", [at(1, 10), at(1, 20), at(1, 30), at(1, 40)], [
      at(1, 10),
      at(1, 40),
    ]],
    ["drops exact duplicates down to one point", [at(1, 10), at(1, 10)], [at(1, 10)]],
    ["drops sightings contradicted by a larger offset seen earlier", [
      at(1, 10),
      at(1, 50),
      at(2, 30),
    ], [at(1, 10), at(2, 30)]],
    ["drops points above the given end offset", [at(1, 10), at(9, 20)], [at(1, 10)], 5],
    ["drops non-finite points", [at(1, NaN), at(2, 20)], [at(2, 20)]],
  ];
  for (const [name, input, expected, maxOffset] of cases) {
    await t.step(name, () => assertEquals(normalizeHistory(input, maxOffset), expected));
  }
});

Deno.test("mergeObservation()", async (t) => {
  await t.step("a flat run keeps moving its last sighting", () => {
    let points = mergeObservation([], at(5, 0), limits);
    points = mergeObservation(points, at(5, 10), limits);
    points = mergeObservation(points, at(5, 20), limits);
    assertEquals(points, [at(5, 0), at(5, 20)]);
  });
  await t.step("an end offset that goes down starts a new history", () => {
    assertEquals(mergeObservation([at(5, 0), at(9, 10)], at(3, 20), limits), [at(3, 20)]);
  });
  await t.step("retention drops old points but never the newest offset's sightings", () => {
    const points = mergeObservation([at(1, 0), at(2, 50_000), at(2, 60_000)], at(2, 200_000), {
      ...limits,
      retentionMs: 1_000,
    });
    assertEquals(points, [at(2, 50_000), at(2, 200_000)]);
  });
});

Deno.test("downsample()", async (t) => {
  await t.step("removes points on a straight line first", () => {
    const line = [at(0, 0), at(1, 10), at(2, 20), at(3, 30), at(10, 31)];
    assertEquals(downsample(line, 3), [at(0, 0), at(3, 30), at(10, 31)]);
  });
  await t.step("never removes the first or the last point", () => {
    assertEquals(downsample([at(0, 0), at(5, 1), at(6, 100)], 2), [at(0, 0), at(6, 100)]);
  });
  await t.step("keeps both corners of a long flat run", () => {
    const history = [at(0, 0), at(10, 10), at(10, 500), at(20, 510), at(30, 520)];
    assertEquals(downsample(history, 4), [at(0, 0), at(10, 10), at(10, 500), at(30, 520)]);
  });
});
