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
    ["{}", []],
    ['{"other":[["a"]]}', []],
    ['{"k":[["a","b"]]}', [["a", "b"]]],
    ['{"k":[["a","b"],["a"]]}', [["a", "b"], ["a"]]],
    // One view, as instances before the intent step announced it.
    ['{"k":["a","b"]}', [["a", "b"]]],
    ['{"k":[]}', [[]]],
    ["not json", "unknown"],
    ['{"k":"a"}', "unknown"],
    ['{"k":[1]}', "unknown"],
    ['{"k":[["a"],[1]]}', "unknown"],
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
  assertEquals(announced.get("a"), '{"k":[["a"]]}');

  const b = instance("b");
  const waiting = b.select("k", GROUPS);
  assertEquals(waiting.owned, [], "a still exports everything under its announced view");
  assertEquals(waiting.awaiting, shareOf("b", ["a", "b"]).length);
  assert(b.published("k", true));
  assertEquals(announced.get("b"), '{"k":[["a","b"]]}');

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
  assertEquals(JSON.parse(announced.get("a")!), { k: [["a"]], other: [["a", "b"]] });
  // In "other", a already selected with b live: b takes its share at once; in "k" it waits.
  assertEquals(b.select("other", GROUPS).owned, shareOf("b", ["a", "b"], "other"));
  assertEquals(b.select("k", GROUPS).owned, []);
});

/**
 * The protocol as the instances run it against Redis, step by step, interleaved at random: each
 * instance sees the others only through its own heartbeats (one atomic write-then-read, as the
 * membership script does), so what it read may be stale; an iteration is heartbeat → intend →
 * heartbeat → select → (later) publish → heartbeat; an instance leaves by withdrawing its
 * snapshot and deregistering, is killed (its /metrics gone, its registration left until it
 * expires), or joins, at any point. At no step may a group be exported by two instances, and
 * once the instances settle every group is exported by exactly one.
 */
Deno.test("GroupClaims: random interleavings of iterations, joins, leaves and kills never export twice", () => {
  const groups = GROUPS.slice(0, 40);
  for (let seed = 1; seed <= 400; seed++) {
    let state = seed;
    const random = (below: number) => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.floor((state / 2_147_483_648) * below);
    };
    /** Redis: registrations and what each instance last sent. */
    const board = new Map<string, string>();
    interface Instance {
      claims: GroupClaims;
      /** What it last read: the live set and the announcements. */
      read: { live: string[]; exports: Map<string, string> };
      local: string;
      exporting: Set<string>;
      /** Where its running iteration is (0: not started). */
      step: number;
      owned: string[];
      alive: boolean;
    }
    const instances = new Map<string, Instance>();
    const heartbeat = (node: string) => {
      const instance = instances.get(node)!;
      board.set(node, instance.local);
      instance.read = { live: [...board.keys()].sort(), exports: new Map(board) };
    };
    let joined = 0;
    const join = () => {
      const node = `n${joined++}`;
      const instance: Instance = {
        claims: undefined as unknown as GroupClaims,
        read: { live: [], exports: new Map() },
        local: "{}",
        exporting: new Set(),
        step: 0,
        owned: [],
        alive: true,
      };
      instance.claims = new GroupClaims({
        nodeId: node,
        liveNodes: () => instance.read.live,
        exportsOf: (other) => instance.read.exports.get(other) ?? null,
        setExports: (exports) => instance.local = exports,
      });
      instances.set(node, instance);
      heartbeat(node);
    };
    /** One step of `node`'s iteration. */
    const advance = (node: string) => {
      const instance = instances.get(node)!;
      switch (instance.step) {
        case 0:
          heartbeat(node);
          break;
        case 1:
          instance.claims.intend("k");
          break;
        case 2:
          heartbeat(node);
          break;
        case 3:
          instance.owned = instance.claims.select("k", groups).owned;
          break;
        case 4:
          instance.exporting = new Set(instance.owned);
          instance.claims.published("k", true);
          break;
        case 5:
          heartbeat(node);
          break;
      }
      instance.step = (instance.step + 1) % 6;
    };
    const check = (when: string) => {
      const seen = new Map<string, string>();
      for (const [node, { exporting }] of instances) {
        for (const group of exporting) {
          assert(
            !seen.has(group),
            `seed ${seed}, ${when}: ${group} exported by ${seen.get(group)} and ${node}`,
          );
          seen.set(group, node);
        }
      }
      return seen.size;
    };
    join();
    join();
    for (let step = 0; step < 300; step++) {
      const alive = [...instances].filter(([, instance]) => instance.alive).map(([node]) => node);
      const roll = random(100);
      if (roll < 3 && alive.length < 4) join();
      else if (roll < 5 && alive.length > 1) {
        // SIGTERM: the snapshot is withdrawn, then the registration removed.
        const node = alive[random(alive.length)];
        instances.get(node)!.exporting = new Set();
        board.delete(node);
        instances.delete(node);
      } else if (roll < 6 && alive.length > 1) {
        // SIGKILL: /metrics gone at once; the registration stays until it expires below.
        const node = alive[random(alive.length)];
        const instance = instances.get(node)!;
        instance.exporting = new Set();
        instance.alive = false;
      } else if (roll < 8) {
        for (const [node, instance] of instances) {
          if (!instance.alive) {
            board.delete(node);
            instances.delete(node);
          }
        }
      } else if (alive.length > 0) advance(alive[random(alive.length)]);
      check(`step ${step}`);
    }
    // Settle: the dead expire, then every live instance iterates in turn a few times.
    for (const [node, instance] of instances) {
      if (!instance.alive) {
        board.delete(node);
        instances.delete(node);
      }
    }
    for (let round = 0; round < 4 * 6; round++) {
      for (const node of instances.keys()) advance(node);
      check(`settling, round ${round}`);
    }
    assertEquals(check("settled"), groups.length, `seed ${seed}: every group exported once`);
  }
});
