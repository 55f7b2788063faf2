import { assertEquals } from "../../tests/assert.ts";
import { runOffsetHistoryStoreContract } from "../../tests/contracts/offset_history_store_contract.ts";
import { MemoryOffsetHistoryStore } from "./memory_store.ts";

runOffsetHistoryStoreContract(
  "memory",
  (limits) => Promise.resolve(new MemoryOffsetHistoryStore(limits)),
);

Deno.test("MemoryOffsetHistoryStore forgets partitions not observed for a retention period", async () => {
  const store = new MemoryOffsetHistoryStore({ retentionMs: 1_000 });
  await store.recordAndRead("k", [{ topic: "gone", partition: 0, offset: 5, timestampMs: 0 }]);
  await store.recordAndRead("k", [{ topic: "live", partition: 0, offset: 1, timestampMs: 5_000 }]);
  // "gone" is re-observed after it was swept: its history starts again from this observation.
  const [history] = await store.recordAndRead("k", [{
    topic: "gone",
    partition: 0,
    offset: 5,
    timestampMs: 5_500,
  }]);
  assertEquals(history, [{ offset: 5, timestampMs: 5_500 }]);
});
