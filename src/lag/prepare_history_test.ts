import { assertEquals } from "../../tests/assert.ts";
import { mergeObservation, normalizeHistory } from "./offset_history.ts";
import { prepareHistory } from "./time_lag.ts";
import type { OffsetObservation } from "./lag_values.ts";

/** What prepareHistory gave before it learned to keep a normalized history as it is. */
function preparedTheLongWay(
  history: readonly OffsetObservation[],
  { endOffset, nowMs }: { endOffset: number; nowMs: number },
) {
  const points = normalizeHistory(history.filter((point) => point.timestampMs <= nowMs), endOffset);
  if (!points.some((point) => point.timestampMs < nowMs)) return "unknown";
  if ((points.at(-1)?.offset ?? -1) < endOffset) {
    points.push({ offset: endOffset, timestampMs: nowMs });
  }
  return points;
}

/** A small deterministic generator, so that a failing case can be replayed. */
function randomOf(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state % below;
  };
}

Deno.test("prepareHistory gives what normalizing every time gave, for stored and raw histories", () => {
  for (let seed = 1; seed <= 400; seed++) {
    const random = randomOf(seed);
    const raw: OffsetObservation[] = Array.from({ length: random(12) }, () => ({
      offset: random(30),
      timestampMs: random(20) * 1_000,
    }));
    // A history as the store keeps it (merged point by point) and the same points unprocessed.
    let stored: OffsetObservation[] = [];
    for (const point of raw) {
      stored = mergeObservation(stored, point, { retentionMs: 3_600_000, maxPoints: 50 });
    }
    const position = { endOffset: random(35), nowMs: random(22) * 1_000 };
    for (const [name, history] of [["stored", stored], ["raw", raw]] as const) {
      const prepared = prepareHistory(history, position);
      const expected = preparedTheLongWay(history, position);
      assertEquals(
        prepared.kind === "points" ? prepared.points : "unknown",
        expected,
        `seed ${seed}, ${name}: ${JSON.stringify({ history, position })}`,
      );
    }
  }
});

Deno.test("a stored history already normalized is used as it is, and never changed", () => {
  const stored = [{ offset: 5, timestampMs: 1_000 }, { offset: 9, timestampMs: 2_000 }];
  const copy = structuredClone(stored);
  const atEnd = prepareHistory(stored, { endOffset: 9, nowMs: 3_000 });
  assertEquals(atEnd.kind === "points" && atEnd.points === stored, true);
  const beyond = prepareHistory(stored, { endOffset: 12, nowMs: 3_000 });
  assertEquals(beyond.kind === "points" ? beyond.points.at(-1) : undefined, {
    offset: 12,
    timestampMs: 3_000,
  });
  assertEquals(stored, copy);
});
