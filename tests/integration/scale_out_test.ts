/**
 * Several exporter processes sharing one Kafka cluster's groups through a real Redis: each group
 * exported exactly once, failover on SIGTERM and SIGKILL, ~1/N movement on join, shared history,
 * duplicate node ids refused.
 */
import { assert, assertEquals, assertStringIncludes } from "../assert.ts";
import { startKafka } from "../harness/kafka.ts";
import { runCli, writeConfig } from "../harness/exporter.ts";
import { commitOffsets, createTopic, produce } from "../harness/kafka_fixtures.ts";
import { eventually, freePort } from "../harness/processes.ts";
import { sampleValue } from "../harness/prom_text.ts";
import { startRedis } from "../harness/redis.ts";
import { Fleet } from "../harness/fleet.ts";
import { groupKey, rendezvousOwner } from "../../src/scale_out/rendezvous.ts";

const GROUPS = Array.from({ length: 120 }, (_, index) => `g-${String(index).padStart(3, "0")}`);
const HEARTBEAT_TTL_MS = 3_000;
const INTERVAL_MS = 1_000;

Deno.test({
  name: "scale-out over Redis with real exporter processes",
  fn: async (t) => {
    await using broker = await startKafka();
    await using redis = await startRedis();
    await createTopic(broker.bootstrap, "shared", 4);
    await produce(broker.bootstrap, "shared", [50, 50, 50, 50]);
    await Promise.all(
      GROUPS.map((groupId, index) =>
        commitOffsets(broker.bootstrap, groupId, "shared", [index % 40, 10, 20, 30])
      ),
    );

    const fleet = new Fleet({
      bootstrap: broker.bootstrap,
      redis,
      keyPrefix: "it",
      heartbeatTtlMs: HEARTBEAT_TTL_MS,
      intervalMs: INTERVAL_MS,
    });
    const running = fleet.running;
    const start = (nodeId: string) => fleet.start(nodeId);
    const owners = () => fleet.owners();
    const config = (nodeId: string) => fleet.config(nodeId);
    /**
     * Waits until every group is exported exactly once, by the instance rendezvous hashing gives
     * it among the running ones: the assignment after the change has settled. (While instances
     * hand groups over, each group is exported by at most one of them, but an old owner may still
     * hold a group whose new owner waits for it: exactly once is not yet the final assignment.)
     */
    const exactlyOnce = (what: string, timeoutMs = 20_000) =>
      eventually(what, async () => {
        const byGroup = await owners();
        const live = [...running.keys()].sort();
        const ok = GROUPS.every((group) => {
          const exporters = byGroup.get(group);
          return exporters?.length === 1 &&
            exporters[0] === rendezvousOwner(groupKey("main", group), live);
        });
        return ok ? new Map([...byGroup].map(([group, nodes]) => [group, nodes[0]])) : undefined;
      }, timeoutMs);

    try {
      let assignment!: Map<string, string>;
      await t.step(
        "three instances: the union of their /metrics has every group exactly once",
        async () => {
          await Promise.all(["node-a", "node-b", "node-c"].map(start));
          assignment = await exactlyOnce("3 instances exporting each group once");
          const counts = ["node-a", "node-b", "node-c"].map((node) =>
            [...assignment.values()].filter((owner) => owner === node).length
          );
          for (const count of counts) assert(count >= 20 && count <= 60, `owned ${counts}`);
          for (const exporter of running.values()) {
            assertEquals(
              sampleValue(await exporter.scrape(), "kafka_lag_exporter_live_instances"),
              3,
            );
          }
        },
      );

      await t.step(
        "a fourth instance takes about a quarter, with lag in seconds at once",
        async () => {
          // Wait until the history in Redis has a few iterations, then join with an empty memory.
          // sleep-ok: lets the history in Redis collect a few iterations first
          await new Promise((resolve) => setTimeout(resolve, 2 * INTERVAL_MS));
          await start("node-d");
          const after = await exactlyOnce("4 instances exporting each group once");
          const moved = GROUPS.filter((group) => assignment.get(group) !== after.get(group));
          const fraction = moved.length / GROUPS.length;
          console.log(
            `join: ${moved.length}/${GROUPS.length} groups moved (${
              (fraction * 100).toFixed(1)
            } %)`,
          );
          assert(fraction >= 0.12 && fraction <= 0.38, `moved fraction ${fraction}`);
          for (const group of moved) {
            assertEquals(after.get(group), "node-d", `${group} moved between old instances`);
          }
          // The newcomer's first values already have lag in seconds (its own memory has one
          // observation per partition): from the history in Redis, or, for these records
          // written before any exporter ran, from the records' own timestamps.
          const samples = await running.get("node-d")!.scrape();
          for (const group of moved) {
            assert(
              sampleValue(samples, "kafka_consumer_group_max_lag_in_seconds", { group }) !==
                undefined,
              `${group} has no lag in seconds on node-d`,
            );
          }
          assignment = after;
        },
      );

      await t.step(
        "SIGTERM: the instance leaves at once, the others export its groups next iteration",
        async () => {
          const leaving = running.get("node-b")!;
          running.delete("node-b");
          const stoppedAt = Date.now();
          assertEquals(await leaving.stop("SIGTERM"), 0);
          const after = await exactlyOnce("groups of node-b taken over", 10 * INTERVAL_MS);
          const tookMs = Date.now() - stoppedAt;
          console.log(`SIGTERM takeover: ${tookMs} ms`);
          assert(
            tookMs < HEARTBEAT_TTL_MS,
            `took ${tookMs} ms: deregistration did not happen at once`,
          );
          for (const group of GROUPS) {
            if (assignment.get(group) !== "node-b") {
              assertEquals(after.get(group), assignment.get(group));
            }
          }
          assignment = after;
        },
      );

      await t.step("SIGKILL: the groups move within heartbeat TTL plus one iteration", async () => {
        const killed = running.get("node-c")!;
        running.delete("node-c");
        const killedAt = Date.now();
        await killed.stop("SIGKILL");
        await exactlyOnce(
          "groups of node-c taken over",
          HEARTBEAT_TTL_MS + 4 * INTERVAL_MS + 5_000,
        );
        const tookMs = Date.now() - killedAt;
        console.log(
          `SIGKILL takeover: ${tookMs} ms (TTL ${HEARTBEAT_TTL_MS} ms + interval ${INTERVAL_MS} ms)`,
        );
        assert(tookMs <= HEARTBEAT_TTL_MS + 2 * INTERVAL_MS + 1_000, `took ${tookMs} ms`);
      });

      await t.step(
        "a second live instance with the same node_id refuses to start (exit 2)",
        async () => {
          const path = await writeConfig({
            ...config("node-a"),
            prometheus_local: { metrics_port: freePort() },
            app: { ...config("node-a").app, health_check_port: freePort() },
          });
          const result = await runCli(["-c", path]);
          assertEquals(result.code, 2, result.stderr);
          assertStringIncludes(
            result.stderr,
            'another live instance is registered with node_id "node-a"',
          );
          await Deno.remove(path);
        },
      );
    } finally {
      await fleet.stopAll();
    }
  },
});
