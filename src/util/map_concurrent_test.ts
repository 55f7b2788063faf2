import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { mapConcurrent } from "./map_concurrent.ts";

Deno.test("mapConcurrent() keeps the input order and never exceeds the concurrency", async () => {
  let inFlight = 0;
  let peak = 0;
  const results = await mapConcurrent(
    { items: [5, 1, 4, 2, 3, 0], concurrency: 2 },
    async (delayMs) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      inFlight--;
      return delayMs * 10;
    },
  );
  assertEquals(results, [50, 10, 40, 20, 30, 0]);
  assertEquals(peak, 2);
});

Deno.test("mapConcurrent() of nothing, and with more workers than items", async () => {
  assertEquals(await mapConcurrent({ items: [], concurrency: 4 }, () => Promise.resolve(1)), []);
  assertEquals(
    await mapConcurrent({ items: ["a"], concurrency: 8 }, (item) => Promise.resolve(item + "!")),
    ["a!"],
  );
});

Deno.test("mapConcurrent() rejects with the first failure", async () => {
  const error = await assertRejects(
    () =>
      mapConcurrent(
        { items: [1, 2, 3], concurrency: 2 },
        (item) => item === 2 ? Promise.reject(new Error("boom")) : Promise.resolve(item),
      ),
    Error,
  );
  assertEquals(error.message, "boom");
});
