/**
 * Behaviour every OffsetHistoryStore must have; each implementation's test runs this same table.
 */
import { assertEquals } from "../assert.ts";
import type {
  OffsetHistoryStore,
  PartitionObservation,
} from "../../src/store/offset_history_store.ts";

const observe = (
  topic: string,
  partition: number,
  offset: number,
  timestampMs: number,
): PartitionObservation => ({
  topic,
  partition,
  offset,
  timestampMs,
});

/** The point budget the contract runs with. */
export const MAX_POINTS = 5;

/** Registers the contract cases for one store; `createStore` gets a fresh, empty store with these limits. */
export function runOffsetHistoryStoreContract(
  implementation: string,
  createStore: (limits: { retentionMs: number; maxPoints: number }) => Promise<OffsetHistoryStore>,
  options: { afterAll?: () => Promise<void> } = {},
): void {
  const cases: Array<{ name: string; run: (store: OffsetHistoryStore) => Promise<void> }> = [
    {
      name: "returns the observation just recorded",
      run: async (store) => {
        assertEquals(await store.recordAndRead("k", [observe("t", 0, 10, 1_000)]), [[{
          offset: 10,
          timestampMs: 1_000,
        }]]);
      },
    },
    {
      name: "keeps the first and the last sighting of an offset",
      run: async (store) => {
        await store.recordAndRead("k", [observe("t", 0, 10, 1_000)]);
        await store.recordAndRead("k", [observe("t", 0, 10, 2_000)]);
        let [history] = await store.recordAndRead("k", [observe("t", 0, 10, 2_500)]);
        assertEquals(history, [{ offset: 10, timestampMs: 1_000 }, {
          offset: 10,
          timestampMs: 2_500,
        }]);
        [history] = await store.recordAndRead("k", [observe("t", 0, 20, 3_000)]);
        assertEquals(history, [
          { offset: 10, timestampMs: 1_000 },
          { offset: 10, timestampMs: 2_500 },
          { offset: 20, timestampMs: 3_000 },
        ]);
      },
    },
    {
      name: "thins old points to the budget, keeping the corners",
      run: async (store) => {
        // A steady line (its interior points are redundant), then a jump after a pause.
        const steps = [[0, 0], [10, 1_000], [20, 2_000], [30, 3_000], [40, 4_000], [40, 8_000]];
        for (const [offset, timestampMs] of steps) {
          await store.recordAndRead("k", [observe("t", 0, offset, timestampMs)]);
        }
        const [history] = await store.recordAndRead("k", [observe("t", 0, 1_000, 9_000)]);
        assertEquals(history.length, MAX_POINTS);
        assertEquals(history[0], { offset: 0, timestampMs: 0 });
        assertEquals(history.slice(-3), [
          { offset: 40, timestampMs: 4_000 },
          { offset: 40, timestampMs: 8_000 },
          { offset: 1_000, timestampMs: 9_000 },
        ]);
      },
    },
    {
      name: "returns histories in the order of the observations",
      run: async (store) => {
        const histories = await store.recordAndRead("k", [
          observe("b", 1, 5, 1_000),
          observe("a", 0, 7, 1_000),
        ]);
        assertEquals(histories.map((history) => history[0].offset), [5, 7]);
      },
    },
    {
      name: "separates clusters, topics and partitions",
      run: async (store) => {
        await store.recordAndRead("k1", [observe("t", 0, 10, 1_000), observe("t", 1, 30, 1_000)]);
        await store.recordAndRead("k2", [observe("t", 0, 99, 1_000)]);
        const histories = await store.recordAndRead("k1", [
          observe("t", 0, 11, 2_000),
          observe("u", 0, 1, 2_000),
        ]);
        assertEquals(histories, [
          [{ offset: 10, timestampMs: 1_000 }, { offset: 11, timestampMs: 2_000 }],
          [{ offset: 1, timestampMs: 2_000 }],
        ]);
      },
    },
    {
      name: "an end offset that goes down discards the history",
      run: async (store) => {
        await store.recordAndRead("k", [observe("t", 0, 100, 1_000)]);
        await store.recordAndRead("k", [observe("t", 0, 200, 2_000)]);
        const [history] = await store.recordAndRead("k", [observe("t", 0, 5, 3_000)]);
        assertEquals(history, [{ offset: 5, timestampMs: 3_000 }]);
      },
    },
    {
      name: "a late observation from another instance does not reset the history",
      run: async (store) => {
        await store.recordAndRead("k", [observe("t", 0, 100, 1_000)]);
        await store.recordAndRead("k", [observe("t", 0, 200, 3_000)]);
        const [history] = await store.recordAndRead("k", [observe("t", 0, 150, 2_000)]);
        assertEquals(history, [
          { offset: 100, timestampMs: 1_000 },
          { offset: 150, timestampMs: 2_000 },
          { offset: 200, timestampMs: 3_000 },
        ]);
      },
    },
    {
      name: "drops points older than the retention but keeps the newest",
      run: async (store) => {
        await store.recordAndRead("k", [observe("t", 0, 1, 0)]);
        await store.recordAndRead("k", [observe("t", 0, 2, 5_000)]);
        let [history] = await store.recordAndRead("k", [observe("t", 0, 3, 12_000)]);
        assertEquals(history, [{ offset: 2, timestampMs: 5_000 }, {
          offset: 3,
          timestampMs: 12_000,
        }]);
        [history] = await store.recordAndRead("k", [observe("t", 0, 3, 60_000)]);
        assertEquals(history, [{ offset: 3, timestampMs: 12_000 }, {
          offset: 3,
          timestampMs: 60_000,
        }]);
      },
    },
  ];
  Deno.test({
    name: `OffsetHistoryStore contract: ${implementation}`,
    // Network clients keep timers between cases; the suite stops them in afterAll.
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async (t) => {
      try {
        for (const testCase of cases) {
          await t.step(testCase.name, async () => {
            const store = await createStore({ retentionMs: 10_000, maxPoints: MAX_POINTS });
            try {
              await testCase.run(store);
            } finally {
              await store.close();
            }
          });
        }
      } finally {
        await options.afterAll?.();
      }
    },
  });
}
