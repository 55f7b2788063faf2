import { assert, assertEquals } from "../../tests/assert.ts";
import { GroupClaims, type MembershipView, peerView } from "./group_claims.ts";
import { groupKey, rendezvousOwner } from "./rendezvous.ts";

const GROUPS = Array.from({ length: 100 }, (_, index) => `g-${index}`);
const shareOf = (node: string, live: string[], cluster = "k") =>
  GROUPS.filter((group) => rendezvousOwner(groupKey(cluster, group), live) === node);

/** Instances announcing through one board, as heartbeats do through Redis (delivered at once). */
function board() {
  const announced = new Map<string, string>();
  let live: string[] = [];
  const instance = (nodeId: string) => {
    live = [...live, nodeId].sort();
    const membership: MembershipView = {
      nodeId,
      liveNodes: () => live,
      exportsOf: (node) => announced.get(node) ?? null,
      setExports: (exports) => announced.set(nodeId, exports),
    };
    // A registration comes with an announcement, empty before the first snapshot.
    announced.set(nodeId, "{}");
    return new GroupClaims(membership);
  };
  return { instance, announced };
}

Deno.test("peerView: what another instance's announcement says about one Kafka cluster", () => {
  const cases: Array<[string | null, unknown]> = [
    [null, "unknown"],
    ["{}", "nothing"],
    ['{"other":["a"]}', "nothing"],
    ['{"k":["a","b"]}', ["a", "b"]],
    ['{"k":[]}', []],
    ["not json", "unknown"],
    ['{"k":"a"}', "unknown"],
    ['{"k":[1]}', "unknown"],
    ['{"k":"unreachable"}', "unreachable"],
  ];
  for (const [exports, view] of cases) {
    assertEquals(peerView(exports, "k"), view, String(exports));
  }
});

Deno.test("GroupClaims: a newcomer waits for the old owner's new announcement, never overlapping", () => {
  const { instance, announced } = board();
  const a = instance("a");
  assertEquals(a.select("k", GROUPS).owned, GROUPS);
  assert(a.published("k", true));
  assertEquals(announced.get("a"), '{"k":["a"]}');

  const b = instance("b");
  const waiting = b.select("k", GROUPS);
  assertEquals(waiting.owned, [], "a still exports everything under its announced view");
  assertEquals(waiting.awaiting, shareOf("b", ["a", "b"]).length);
  assert(b.published("k", true));
  assertEquals(announced.get("b"), '{"k":["a","b"]}');

  // a drops b's share on its next iteration and says so; only then does b take it.
  assertEquals(a.select("k", GROUPS).owned, shareOf("a", ["a", "b"]));
  assertEquals(b.select("k", GROUPS).owned, [], "a's announcement is still the old one");
  a.published("k", true);
  const taken = b.select("k", GROUPS);
  assertEquals(taken.owned, shareOf("b", ["a", "b"]));
  assertEquals(taken.awaiting, 0);
});

Deno.test("GroupClaims: an instance cut off from one cluster hands its share over, and takes it back", () => {
  const { instance, announced } = board();
  const a = instance("a");
  const b = instance("b");
  for (const claims of [a, b, a, b]) {
    for (const cluster of ["k", "other"]) {
      claims.select(cluster, GROUPS);
      claims.published(cluster, true);
    }
  }
  assertEquals(a.select("k", GROUPS).owned, shareOf("a", ["a", "b"]));
  assertEquals(b.select("k", GROUPS).owned, shareOf("b", ["a", "b"]));

  // b's iteration of k fails: its k series are gone, and it says so at once.
  assert(b.published("k", false));
  assertEquals(JSON.parse(announced.get("b")!).k, "unreachable");
  assertEquals(b.published("k", false), false, "said once");
  // a takes every group of k on its next iteration (nobody else may export them)...
  a.published("k", true);
  assertEquals(a.select("k", GROUPS), { owned: GROUPS, awaiting: 0 });
  a.published("k", true);
  // ...and keeps sharing "other" with b, which still reaches it.
  assertEquals(a.select("other", GROUPS).owned, shareOf("a", ["a", "b"], "other"));
  assertEquals(b.select("other", GROUPS).owned, shareOf("b", ["a", "b"], "other"));
  // While cut off, b selects nothing of k.
  assertEquals(b.select("k", GROUPS), { owned: [], awaiting: 0 });

  // b's next iteration of k succeeds (with no group): it reaches k again and says so...
  assert(b.published("k", true));
  // ...a hands b's share back on its next iteration, b takes it only after a has said so.
  const waiting = b.select("k", GROUPS);
  assertEquals(waiting.owned, [], "a still exports everything of k under its announced view");
  assertEquals(waiting.awaiting, shareOf("b", ["a", "b"]).length);
  b.published("k", true);
  assertEquals(a.select("k", GROUPS).owned, shareOf("a", ["a", "b"]));
  a.published("k", true);
  assertEquals(b.select("k", GROUPS).owned, shareOf("b", ["a", "b"]));
});

Deno.test("GroupClaims: every instance cut off from a cluster: nobody selects, until one reaches it", () => {
  const { instance } = board();
  const a = instance("a");
  const b = instance("b");
  for (const claims of [a, b]) {
    claims.select("k", GROUPS);
    claims.published("k", false);
  }
  assertEquals(a.select("k", GROUPS).owned, []);
  a.published("k", true);
  // a is the only one reaching k now: all of it is a's at once (b exports nothing of it).
  assertEquals(a.select("k", GROUPS).owned, GROUPS);
});

Deno.test("GroupClaims: each Kafka cluster is claimed and announced on its own", () => {
  const { instance, announced } = board();
  const a = instance("a");
  a.select("k", GROUPS);
  a.published("k", true);
  const b = instance("b");
  a.select("other", GROUPS);
  a.published("other", true);
  assertEquals(JSON.parse(announced.get("a")!), { k: ["a"], other: ["a", "b"] });
  // In "other", a already selected with b live: b takes its share at once; in "k" it waits.
  assertEquals(b.select("other", GROUPS).owned, shareOf("b", ["a", "b"], "other"));
  assertEquals(b.select("k", GROUPS).owned, []);
});
