import { assertEquals } from "../../tests/assert.ts";
import type { EndOffset, UnavailablePartition } from "../kafka/kafka_admin.ts";
import { END_OFFSET_CARRY_OVER_MS, EndOffsetMemory } from "./end_offset_memory.ts";

const read = (partition: number, offset: number, observedAtMs: number): EndOffset => ({
  topic: "t",
  partition,
  offset,
  observedAtMs,
  logStartOffset: 0,
});
const leaderless = (partition: number): UnavailablePartition => ({
  topic: "t",
  partition,
  reason: "leader-unreachable",
  detail: "broker 2: connection refused",
});

Deno.test("EndOffsetMemory: a leaderless partition keeps its last end offset, for a bounded time", async (t) => {
  const memory = new EndOffsetMemory();
  memory.fillIn({ offsets: [read(0, 10, 1_000), read(1, 20, 1_000)], unavailable: [] }, 1_000);

  await t.step("carried over, observed now, reported with since when", () => {
    const filled = memory.fillIn(
      { offsets: [read(0, 12, 3_000)], unavailable: [leaderless(1)] },
      3_000,
    );
    assertEquals(filled.offsets, [read(0, 12, 3_000), read(1, 20, 3_000)]);
    assertEquals(filled.unavailable, []);
    assertEquals(filled.carried, [
      { topic: "t", partition: 1, sinceMs: 3_000, detail: "broker 2: connection refused" },
    ]);
  });
  await t.step("still carried later: since when stays; the bound counts from the last read", () => {
    const nowMs = 1_000 + END_OFFSET_CARRY_OVER_MS;
    const filled = memory.fillIn(
      { offsets: [], unavailable: [leaderless(0), leaderless(1)] },
      nowMs,
    );
    assertEquals(filled.offsets.map((latest) => [latest.partition, latest.offset]), [[0, 12], [
      1,
      20,
    ]]);
    assertEquals(filled.carried.map((carried) => carried.sinceMs), [nowMs, 3_000]);
  });
  await t.step("past the bound: unavailable, as before", () => {
    const nowMs = 1_001 + END_OFFSET_CARRY_OVER_MS;
    const filled = memory.fillIn(
      { offsets: [], unavailable: [leaderless(0), leaderless(1)] },
      nowMs,
    );
    assertEquals(filled.offsets.map((latest) => latest.partition), [0]);
    assertEquals(filled.unavailable, [leaderless(1)]);
  });
  await t.step("read again: measured as read, nothing carried", () => {
    const filled = memory.fillIn(
      { offsets: [read(0, 30, 9e5), read(1, 40, 9e5)], unavailable: [] },
      9e5,
    );
    assertEquals(filled.carried, []);
    assertEquals(filled.offsets.length, 2);
  });
  await t.step("a partition never read has nothing to carry", () => {
    const filled = new EndOffsetMemory().fillIn({ offsets: [], unavailable: [leaderless(5)] }, 0);
    assertEquals(filled, { offsets: [], unavailable: [leaderless(5)], carried: [] });
  });
  await t.step("a deleted partition (neither read nor unavailable) is forgotten", () => {
    memory.fillIn({ offsets: [read(0, 31, 9e5 + 1)], unavailable: [] }, 9e5 + 1);
    const filled = memory.fillIn({ offsets: [], unavailable: [leaderless(1)] }, 9e5 + 2);
    assertEquals(filled.unavailable, [leaderless(1)]);
  });
});
