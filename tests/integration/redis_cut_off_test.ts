/**
 * An instance cut off from Redis but not from Kafka for longer than the heartbeat TTL, with real
 * processes and a TCP relay between that instance and Redis: with `when_cut_off: keep` (the
 * default) it keeps exporting the groups it had while the other instance takes them over too;
 * with `stop` it exports none until Redis answers, so no group is exported twice; either way the
 * groups are shared again once the relay is restored.
 */
import { assert, assertEquals } from "../assert.ts";
import { startKafka } from "../harness/kafka.ts";
import { startExporter } from "../harness/exporter.ts";
import { commitManyGroups, createTopic } from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { findSamples } from "../harness/prom_text.ts";
import { startRedis } from "../harness/redis.ts";
import { startTcpRelay } from "../harness/tcp_relay.ts";

const GROUPS = Array.from({ length: 30 }, (_, index) => `g-${String(index).padStart(2, "0")}`);
const HEARTBEAT_TTL_MS = 3_000;

Deno.test("cut off from Redis longer than the TTL: keep exporting, or stop until it answers", async (t) => {
  await using broker = await startKafka();
  await using redis = await startRedis();
  await createTopic(broker.bootstrap, "events", 1);
  await commitManyGroups(
    broker.bootstrap,
    GROUPS.map((groupId) => ({ groupId, offsets: [{ topic: "events", partition: 0, offset: 0 }] })),
  );

  for (const whenCutOff of ["keep", "stop"] as const) {
    await t.step(whenCutOff, async () => {
      await using relay = startTcpRelay({ hostname: redis.host, port: redis.port });
      const instance = (nodeId: string, port: number) =>
        startExporter({
          kafka_clusters: [{ name: "main", brokers: [broker.bootstrap] }],
          storage: {
            type: "redis",
            redis: {
              address: redis.host,
              port,
              key_prefix: `cut-${whenCutOff}`,
              heartbeat_ttl: `${HEARTBEAT_TTL_MS}ms`,
              client_request_timeout: "500ms",
              when_cut_off: whenCutOff,
            },
          },
          app: { iteration_interval: "1s", node_id: nodeId },
        });
      await using a = await instance("node-a", redis.port);
      await using b = await instance("node-b", relay.port);
      const exported = async (exporter: typeof a) =>
        new Set(
          findSamples(
            await exporter.scrape().catch(() => []),
            "kafka_consumer_group_sum_lag_in_offsets",
          ).map((sample) => sample.labels.group),
        );
      const sharedOnce = async () => {
        const [byA, byB] = await Promise.all([exported(a), exported(b)]);
        const once = GROUPS.every((group) => byA.has(group) !== byB.has(group));
        return once && byA.size > 0 && byB.size > 0 ? { byA, byB } : undefined;
      };
      const before = await eventually("groups shared once by both", sharedOnce, 60_000);

      relay.cut();
      const cutAtMs = Date.now();
      await eventually("node-a exports every group", async () => {
        const byA = await exported(a);
        return GROUPS.every((group) => byA.has(group)) || undefined;
      }, 20_000);
      // sleep-ok: past the TTL and a couple of iterations on both sides
      await new Promise((resolve) => setTimeout(resolve, HEARTBEAT_TTL_MS + 3_000));
      const byB = await exported(b);
      console.log(
        `  ${whenCutOff}: ${((Date.now() - cutAtMs) / 1_000).toFixed(1)} s after the cut, ` +
          `node-b exports ${byB.size} groups (it had ${before.byB.size}); node-a exports all ${GROUPS.length}`,
      );
      if (whenCutOff === "keep") {
        assertEquals(byB, before.byB, "keep: the groups it had, exported twice meanwhile");
      } else {
        assertEquals(byB.size, 0, "stop: nothing while cut off");
        assert(b.logs().includes("cut off from Redis for longer than the heartbeat TTL"));
      }

      relay.restore();
      await eventually("groups shared once by both again", sharedOnce, 30_000);
      if (whenCutOff === "stop") assert(b.logs().includes("groups are shared again"));
    });
  }
});
