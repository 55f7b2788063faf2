/**
 * Handovers between two exporter processes sharing 200 groups through a real Redis: an instance
 * joins, leaves (SIGTERM), is killed (SIGKILL) and restarted, and Redis restarts empty. Both
 * instances' /metrics are sampled every 500 ms throughout: a group must never be exported by both
 * at once (every sum() over the fleet would double), and the longest time a group is exported by
 * neither is reported for each change.
 */
import { assert, assertEquals } from "../assert.ts";
import { startKafka } from "../harness/kafka.ts";
import { commitManyGroups, createTopic, produce } from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { startRedis } from "../harness/redis.ts";
import { Fleet } from "../harness/fleet.ts";

const GROUPS = Array.from({ length: 200 }, (_, index) => `h-${String(index).padStart(3, "0")}`);
const HEARTBEAT_TTL_MS = 3_000;
const INTERVAL_MS = 1_000;
const SAMPLE_EVERY_MS = 500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test({
  name: "scale-out handovers: no group is ever exported by two instances",
  fn: async (t) => {
    await using broker = await startKafka();
    await using redis = await startRedis();
    await createTopic(broker.bootstrap, "handover", 1);
    await produce(broker.bootstrap, "handover", [50]);
    await commitManyGroups(
      broker.bootstrap,
      GROUPS.map((groupId, index) => ({
        groupId,
        offsets: [{ topic: "handover", partition: 0, offset: index % 50 }],
      })),
    );
    const fleet = new Fleet({
      bootstrap: broker.bootstrap,
      redis,
      keyPrefix: "handover",
      heartbeatTtlMs: HEARTBEAT_TTL_MS,
      intervalMs: INTERVAL_MS,
    });
    const running = fleet.running;
    const start = (nodeId: string) => fleet.start(nodeId);
    const owners = () => fleet.owners();
    const balanced = (what: string, instances: number, timeoutMs = 30_000) =>
      eventually(what, async () => {
        const byGroup = await owners();
        const exporting = new Set([...byGroup.values()].flat());
        return GROUPS.every((group) => byGroup.get(group)?.length === 1) &&
            exporting.size === instances
          ? true
          : undefined;
      }, timeoutMs);

    await start("node-a");
    await balanced("node-a exports every group", 1);

    interface Tick {
      atMs: number;
      phase: string;
      doubled: string[];
      unexported: Set<string>;
    }
    const ticks: Tick[] = [];
    let phase = "steady";
    const stopSampling = new AbortController();
    const sampling = (async () => {
      while (!stopSampling.signal.aborted) {
        const atMs = Date.now();
        const byGroup = await owners();
        ticks.push({
          atMs,
          phase,
          doubled: GROUPS.filter((group) => (byGroup.get(group)?.length ?? 0) > 1),
          unexported: new Set(GROUPS.filter((group) => !byGroup.has(group))),
        });
        // sleep-ok: the sampling period
        await sleep(Math.max(0, SAMPLE_EVERY_MS - (Date.now() - atMs)));
      }
    })();

    /** The longest time (s) any group went unexported during `phaseName`'s ticks. */
    const longestGap = (phaseName: string) => {
      const phaseTicks = ticks.filter((tick) => tick.phase === phaseName);
      let longest = 0;
      for (const group of GROUPS) {
        let since: number | undefined;
        for (const tick of phaseTicks) {
          if (tick.unexported.has(group)) since ??= tick.atMs;
          else if (since !== undefined) {
            longest = Math.max(longest, tick.atMs - since);
            since = undefined;
          }
        }
        if (since !== undefined) longest = Math.max(longest, phaseTicks.at(-1)!.atMs - since);
      }
      return longest / 1_000;
    };
    const report = (phaseName: string) => {
      const phaseTicks = ticks.filter((tick) => tick.phase === phaseName);
      const doubledTicks = phaseTicks.filter((tick) => tick.doubled.length > 0);
      const gap = longestGap(phaseName);
      console.log(
        `  ${phaseName}: ${phaseTicks.length} samples; ${doubledTicks.length} with a group ` +
          `exported twice (${
            Math.max(0, ...doubledTicks.map((tick) => tick.doubled.length))
          } groups at most); longest gap ${gap.toFixed(1)} s`,
      );
      return { doubled: doubledTicks.length, gap, samples: phaseTicks.length };
    };

    try {
      await t.step("join", async () => {
        phase = "join";
        await start("node-b");
        await balanced("both instances share the groups", 2);
        // sleep-ok: observes a few iterations after the change for doubles and gaps
        await sleep(3 * INTERVAL_MS);
        const { doubled, gap, samples } = report(phase);
        assert(samples >= 6);
        assertEquals(doubled, 0);
        // The old owner drops a group on its next iteration, the newcomer takes it on its next.
        assert(gap <= 2 * INTERVAL_MS / 1_000 + 1, `gap ${gap} s`);
      });

      await t.step("leave (SIGTERM)", async () => {
        phase = "leave";
        const leaving = running.get("node-b")!;
        assertEquals(await leaving.stop("SIGTERM"), 0);
        running.delete("node-b");
        await balanced("node-a exports every group again", 1);
        // sleep-ok: observes a few iterations after the change for doubles and gaps
        await sleep(2 * INTERVAL_MS);
        const { doubled, gap } = report(phase);
        assertEquals(doubled, 0);
        assert(gap <= 2 * INTERVAL_MS / 1_000 + 1, `gap ${gap} s`);
      });

      await t.step("SIGKILL and restart with the same node id", async () => {
        await start("node-b");
        await balanced("both instances share the groups", 2);
        phase = "kill";
        await running.get("node-b")!.stop("SIGKILL");
        await balanced("node-a took over", 1, HEARTBEAT_TTL_MS + 10_000);
        const killed = report(phase);
        assertEquals(killed.doubled, 0);
        // A killed instance cannot hand over: its groups wait for its registration to expire.
        assert(killed.gap <= (HEARTBEAT_TTL_MS + 2 * INTERVAL_MS) / 1_000 + 1.5, `${killed.gap} s`);
        phase = "restart";
        running.delete("node-b");
        await start("node-b");
        await balanced("both instances share the groups again", 2);
        // sleep-ok: observes a few iterations after the change for doubles and gaps
        await sleep(3 * INTERVAL_MS);
        const restarted = report(phase);
        assertEquals(restarted.doubled, 0);
        assert(restarted.gap <= 2 * INTERVAL_MS / 1_000 + 1, `gap ${restarted.gap} s`);
      });

      await t.step("Redis restarts empty", async () => {
        phase = "redis restart";
        await redis.kill();
        // sleep-ok: Redis stays down for two iterations
        await sleep(2 * INTERVAL_MS);
        await redis.restart();
        // The instances re-register within a TTL; until then each keeps the live set it knew.
        // sleep-ok: the instances re-register within a TTL; observed throughout
        await sleep(2 * HEARTBEAT_TTL_MS);
        await balanced("both instances share the groups", 2);
        const { doubled, gap } = report(phase);
        assertEquals(doubled, 0);
        assertEquals(gap, 0);
      });
    } finally {
      stopSampling.abort();
      await sampling;
      await fleet.stopAll();
    }
  },
});
