import { assertEquals } from "../../tests/assert.ts";
import { computeOffsetLag } from "./compute_lag.ts";

Deno.test("computeOffsetLag()", async (t) => {
  const cases: Array<[string, number, number, number]> = [
    ["behind by the difference", 10, 25, 15],
    ["caught up is 0", 25, 25, 0],
    ["clamps a commit ahead of the end offset", 30, 25, 0],
    ["an empty partition with commit 0 is 0", 0, 0, 0],
    ["large offsets stay exact", 9_000_000_000_000, 9_000_000_000_123, 123],
  ];
  for (const [name, committed, latest, expected] of cases) {
    await t.step(name, () => assertEquals(computeOffsetLag(committed, latest), expected));
  }
});
