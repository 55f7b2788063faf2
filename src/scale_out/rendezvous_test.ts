import { assert, assertEquals } from "../../tests/assert.ts";
import { hash53 } from "../util/hash53.ts";
import { rendezvousOwner } from "./rendezvous.ts";

const groups = Array.from({ length: 1_000 }, (_, index) => `prod/group-${index}`);
const owners = (nodes: string[]) =>
  new Map(groups.map((group) => [group, rendezvousOwner(group, nodes)]));
const movedFraction = (
  before: Map<string, string | undefined>,
  after: Map<string, string | undefined>,
) => groups.filter((group) => before.get(group) !== after.get(group)).length / groups.length;

Deno.test("hash53() is stable and spreads values", () => {
  assertEquals(hash53("prod/orders"), hash53("prod/orders"));
  assert(hash53("a") !== hash53("b"));
  const buckets = new Array(10).fill(0);
  for (const group of groups) buckets[hash53(group) % 10]++;
  for (const count of buckets) assert(count > 60 && count < 140, `bucket ${count}`);
});

Deno.test("rendezvousOwner()", async (t) => {
  await t.step("no nodes, no owner", () => assertEquals(rendezvousOwner("k/g", []), undefined));
  await t.step("the same answer whatever the order of the live set", () => {
    for (const group of groups.slice(0, 50)) {
      assertEquals(
        rendezvousOwner(group, ["a", "b", "c"]),
        rendezvousOwner(group, ["c", "a", "b"]),
      );
    }
  });
  await t.step("balanced over three nodes", () => {
    const counts = new Map<string, number>();
    for (const owner of owners(["a", "b", "c"]).values()) {
      counts.set(owner!, (counts.get(owner!) ?? 0) + 1);
    }
    for (const count of counts.values()) assert(count > 280 && count < 390, `node owns ${count}`);
  });
  await t.step("a fourth node takes about a quarter, only from the others", () => {
    const before = owners(["a", "b", "c"]);
    const after = owners(["a", "b", "c", "d"]);
    const moved = movedFraction(before, after);
    assert(moved > 0.2 && moved < 0.3, `moved ${moved}`);
    for (const group of groups) {
      if (before.get(group) !== after.get(group)) assertEquals(after.get(group), "d");
    }
  });
  await t.step("a leaving node's groups, and only those, move", () => {
    const before = owners(["a", "b", "c", "d"]);
    const after = owners(["a", "b", "d"]);
    for (const group of groups) {
      if (before.get(group) !== "c") assertEquals(after.get(group), before.get(group));
    }
  });
});
