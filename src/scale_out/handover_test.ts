import { assert, assertEquals } from "../../tests/assert.ts";
import { type PeerView, selectGroups } from "./handover.ts";
import { groupKey, rendezvousOwner } from "./rendezvous.ts";

const GROUPS = Array.from({ length: 200 }, (_, index) => `g-${index}`);
const ownedUnder = (node: string, live: string[]) =>
  GROUPS.filter((group) => rendezvousOwner(groupKey("k", group), live) === node);

function select(
  self: string,
  live: string[],
  exporting: Iterable<string>,
  peers: Record<string, PeerView>,
) {
  return selectGroups({
    clusterName: "k",
    groupIds: GROUPS,
    self,
    live,
    exporting: new Set(exporting),
    peers: new Map(Object.entries(peers)),
  });
}

Deno.test("selectGroups: who exports what, by what the other instances say they export", () => {
  const cases: Array<{
    name: string;
    self: string;
    live: string[];
    exporting: string[];
    peers: Record<string, PeerView>;
    owned: string[];
  }> = [
    {
      name: "steady state: the rendezvous share",
      self: "b",
      live: ["a", "b"],
      exporting: ownedUnder("b", ["a", "b"]),
      peers: { a: [["a", "b"]] },
      owned: ownedUnder("b", ["a", "b"]),
    },
    {
      name: "a newcomer waits while the old owner's view still gives it the groups",
      self: "b",
      live: ["a", "b"],
      exporting: [],
      peers: { a: [["a"]] },
      owned: [],
    },
    {
      name: "…and takes them once the old owner has moved to the new live set",
      self: "b",
      live: ["a", "b"],
      exporting: [],
      peers: { a: [["a", "b"]] },
      owned: ownedUnder("b", ["a", "b"]),
    },
    {
      name: "a peer that exports nothing yet claims nothing",
      self: "a",
      live: ["a", "b"],
      exporting: [],
      peers: { b: [] },
      owned: ownedUnder("a", ["a", "b"]),
    },
    {
      name: "a peer whose exports are unknown: only groups already exported are kept",
      self: "a",
      live: ["a", "b"],
      exporting: ownedUnder("a", ["a", "b"]).slice(0, 10),
      peers: { b: "unknown" },
      owned: ownedUnder("a", ["a", "b"]).slice(0, 10),
    },
    {
      name: "the groups of an instance that left are free at once",
      self: "a",
      live: ["a"],
      exporting: ownedUnder("a", ["a", "b"]),
      peers: {},
      owned: GROUPS,
    },
    {
      name: "a leaving peer's groups wait while a third peer's stale view still claims them",
      self: "a",
      live: ["a", "c"],
      exporting: ownedUnder("a", ["a", "b", "c"]),
      // c has not noticed b leave: under its view it exports only its own share.
      peers: { c: [["a", "b", "c"]] },
      owned: ownedUnder("a", ["a", "c"]),
    },
  ];
  for (const { name, self, live, exporting, peers, owned } of cases) {
    assertEquals(select(self, live, exporting, peers).owned, owned, name);
  }
  // The newcomer counts what it waits for.
  assertEquals(
    select("b", ["a", "b"], [], { a: [["a"]] }).awaiting,
    ownedUnder("b", ["a", "b"]).length,
  );
});

/**
 * Instances that each iterate on their own, seeing membership changes at different times: at no
 * moment may a group be exported by two of them, and every group is exported again soon after.
 */
Deno.test("selectGroups: joins, leaves and restarts never export a group twice", () => {
  interface Instance {
    live: string[];
    exporting: Set<string>;
    view: PeerView;
  }
  const instances = new Map<string, Instance>();
  let live: string[] = [];
  const join = (node: string) => {
    instances.set(node, { live: [], exporting: new Set(), view: [] });
    live = [...live, node].sort();
  };
  const leave = (node: string) => {
    instances.delete(node);
    live = live.filter((other) => other !== node);
  };
  /** One iteration of `node`: select with the live set, then publish snapshot and view. */
  const iterate = (node: string) => {
    const instance = instances.get(node)!;
    const peers = new Map<string, PeerView>();
    for (const other of live) if (other !== node) peers.set(other, instances.get(other)!.view);
    const { owned } = selectGroups({
      clusterName: "k",
      groupIds: GROUPS,
      self: node,
      live,
      exporting: instance.exporting,
      peers,
    });
    instance.exporting = new Set(owned);
    instance.view = [live];
  };
  const assertNoDoubles = (when: string) => {
    const seen = new Map<string, string>();
    for (const [node, { exporting }] of instances) {
      for (const group of exporting) {
        assert(!seen.has(group), `${when}: ${group} exported by ${seen.get(group)} and ${node}`);
        seen.set(group, node);
      }
    }
    return seen.size;
  };
  const rounds = (count: number, when: string) => {
    let exportedCount = 0;
    for (let round = 0; round < count; round++) {
      // A different order each round: instances are not in step.
      const order = [...instances.keys()];
      if (round % 2 === 1) order.reverse();
      for (const node of order) {
        iterate(node);
        exportedCount = assertNoDoubles(when);
      }
    }
    return exportedCount;
  };

  join("a");
  assertEquals(rounds(2, "one instance"), GROUPS.length);
  join("b");
  iterate("b"); // the newcomer first, before a has seen it
  assertNoDoubles("b joined, b first");
  assertEquals(rounds(3, "b joined"), GROUPS.length);
  join("c");
  iterate("a"); // a sees c before c ever iterates
  assertNoDoubles("c joined, a first");
  assertEquals(rounds(3, "c joined"), GROUPS.length);
  leave("b");
  assertEquals(rounds(3, "b left"), GROUPS.length);
  // c killed and restarted: its old claim is gone with its registration.
  leave("c");
  iterate("a");
  join("c");
  iterate("c");
  assertNoDoubles("c restarted, c first");
  assertEquals(rounds(3, "c restarted"), GROUPS.length);
  assertEquals(instances.get("c")!.exporting.size > 0, true);
});
