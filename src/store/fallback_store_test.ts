import { assertEquals } from "../../tests/assert.ts";
import { FallbackOffsetHistoryStore } from "./fallback_store.ts";
import { MemoryOffsetHistoryStore } from "./memory_store.ts";
import type { OffsetHistoryStore } from "./offset_history_store.ts";

Deno.test("FallbackOffsetHistoryStore serves memory while the shared store fails, and recovers", async () => {
  let failing = false;
  const sharedMemory = new MemoryOffsetHistoryStore({ retentionMs: 60_000 });
  const shared: OffsetHistoryStore = {
    recordAndRead: (cluster, observations) =>
      failing
        ? Promise.reject(new Error("ECONNREFUSED"))
        : sharedMemory.recordAndRead(cluster, observations),
    close: () => Promise.resolve(),
  };
  const events: string[] = [];
  const store = new FallbackOffsetHistoryStore(
    shared,
    new MemoryOffsetHistoryStore({ retentionMs: 60_000 }),
    {
      onError: () => events.push("error"),
      onRecovered: () => events.push("recovered"),
    },
  );
  const observe = (
    offset: number,
    timestampMs: number,
  ) => [{ topic: "t", partition: 0, offset, timestampMs }];
  await store.recordAndRead("k", observe(1, 1_000));
  failing = true;
  const [duringOutage] = await store.recordAndRead("k", observe(2, 2_000));
  assertEquals(duringOutage, [{ offset: 1, timestampMs: 1_000 }, {
    offset: 2,
    timestampMs: 2_000,
  }]);
  assertEquals(store.sharedHealthy(), false);
  failing = false;
  await store.recordAndRead("k", observe(3, 3_000));
  assertEquals(store.sharedHealthy(), true);
  assertEquals(events, ["error", "recovered"]);
});
