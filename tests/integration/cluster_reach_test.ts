/**
 * Scale-out per Kafka cluster, with real processes: two exporters share the groups of two Kafka
 * clusters through Redis; one of them reaches the second cluster only through a TCP relay, which
 * the test cuts and restores. While it is cut off, the other instance exports every group of that
 * cluster (within one heartbeat TTL of the cut), both keep sharing the first cluster, and no
 * group of either cluster is ever exported twice; once restored, the groups are shared again.
 */
import { assert, assertEquals } from "../assert.ts";
import { startKafka } from "../harness/kafka.ts";
import { startExporter } from "../harness/exporter.ts";
import { commitManyGroups, createTopic } from "../harness/kafka_fixtures.ts";
import { eventually, freePort } from "../harness/processes.ts";
import { findSamples } from "../harness/prom_text.ts";
import { startRedis } from "../harness/redis.ts";
import { startTcpRelay } from "../harness/tcp_relay.ts";

const GROUPS = Array.from({ length: 30 }, (_, index) => `g-${String(index).padStart(2, "0")}`);
const HEARTBEAT_TTL_MS = 4_000;
const INTERVAL_MS = 1_000;
const CLUSTERS = ["first", "second"] as const;

Deno.test("scale-out per cluster: an instance cut off from one cluster hands over only that one", async () => {
  const relayPort = freePort();
  await using first = await startKafka();
  await using second = await startKafka({ relayed: { advertisedPort: relayPort } });
  await using relay = startTcpRelay(
    { hostname: "127.0.0.1", port: second.listeners.relayedPort! },
    { port: relayPort },
  );
  await using redis = await startRedis();
  for (const broker of [first, second]) {
    await createTopic(broker.bootstrap, "events", 2);
    await commitManyGroups(
      broker.bootstrap,
      GROUPS.map((groupId) => ({
        groupId,
        offsets: [{ topic: "events", partition: 0, offset: 0 }],
      })),
    );
  }
  const instance = (nodeId: string, secondBootstrap: string) =>
    startExporter({
      kafka_clusters: [
        { name: "first", brokers: [first.bootstrap] },
        { name: "second", brokers: [secondBootstrap], client_request_timeout: "2s" },
      ],
      storage: {
        type: "redis",
        redis: {
          address: redis.host,
          port: redis.port,
          key_prefix: "reach",
          heartbeat_ttl: `${HEARTBEAT_TTL_MS}ms`,
        },
      },
      app: { iteration_interval: `${INTERVAL_MS}ms`, node_id: nodeId },
    });
  await using a = await instance("node-a", second.bootstrap);
  await using b = await instance("node-b", `127.0.0.1:${relay.port}`);

  /** cluster/group → the instances exporting it in one round of scrapes (taken at once). */
  const owners = async () => {
    const byGroup = new Map<string, string[]>();
    await Promise.all([["node-a", a], ["node-b", b]].map(async ([nodeId, exporter]) => {
      const samples = await (exporter as typeof a).scrape().catch(() => []);
      for (const sample of findSamples(samples, "kafka_consumer_group_sum_lag_in_offsets")) {
        const key = `${sample.labels.clustername}/${sample.labels.group}`;
        byGroup.set(key, [...(byGroup.get(key) ?? []), nodeId as string]);
      }
    }));
    return byGroup;
  };
  const shared = (byGroup: Map<string, string[]>, cluster: string) =>
    GROUPS.every((group) => byGroup.get(`${cluster}/${group}`)?.length === 1) &&
    new Set(GROUPS.map((group) => byGroup.get(`${cluster}/${group}`)![0])).size === 2;
  await eventually("both clusters shared by both instances, each group once", async () => {
    const byGroup = await owners();
    return CLUSTERS.every((cluster) => shared(byGroup, cluster)) || undefined;
  }, 60_000);

  // Sample ownership throughout: per cluster/group, the longest time with no exporter, and every
  // round in which one had two.
  let phase = "steady";
  const nobodySince = new Map<string, number>();
  const longestNobodyMs = new Map<string, number>();
  const doubles: string[] = [];
  const sampling = new AbortController();
  const sampler = (async () => {
    while (!sampling.signal.aborted) {
      const byGroup = await owners();
      const nowMs = Date.now();
      for (const cluster of CLUSTERS) {
        for (const group of GROUPS) {
          const key = `${cluster}/${group}`;
          const exporters = byGroup.get(key) ?? [];
          if (exporters.length > 1) doubles.push(`${phase}: ${key} by ${exporters.join(", ")}`);
          if (exporters.length === 0) {
            const since = nobodySince.get(key) ?? nowMs;
            nobodySince.set(key, since);
            const longest = Math.max(longestNobodyMs.get(`${phase} ${key}`) ?? 0, nowMs - since);
            longestNobodyMs.set(`${phase} ${key}`, longest);
          } else nobodySince.delete(key);
        }
      }
      // sleep-ok: the sampling period
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  const longest = (prefix: string) =>
    Math.max(
      0,
      ...[...longestNobodyMs].filter(([key]) => key.startsWith(prefix)).map(([, ms]) => ms),
    );

  try {
    phase = "cut";
    relay.cut();
    await eventually("node-a exports every group of the second cluster", async () => {
      const byGroup = await owners();
      return GROUPS.every((group) => byGroup.get(`second/${group}`)?.join() === "node-a") ||
        undefined;
    }, 30_000);
    // Stay cut off a while: the first cluster stays shared meanwhile.
    // sleep-ok: the outage's duration
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    assert(shared(await owners(), "first"), "the first cluster is still shared by both");

    phase = "restored";
    relay.restore();
    await eventually("both clusters shared again", async () => {
      const byGroup = await owners();
      return CLUSTERS.every((cluster) => shared(byGroup, cluster)) || undefined;
    }, 30_000);
    // sleep-ok: a few more rounds after the handover back
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  } finally {
    sampling.abort();
    await sampler;
  }
  const report = {
    cutSecond: longest("cut second/"),
    cutFirst: longest("cut first/"),
    restoredSecond: longest("restored second/"),
    restoredFirst: longest("restored first/"),
  };
  console.log(
    `  longest time a group had no exporter: cut off ${
      (report.cutSecond / 1_000).toFixed(1)
    } s (second cluster), ${(report.cutFirst / 1_000).toFixed(1)} s (first); restored ${
      (report.restoredSecond / 1_000).toFixed(1)
    } s (second), ${(report.restoredFirst / 1_000).toFixed(1)} s (first); ${doubles.length} ` +
      `rounds with a group exported twice`,
  );
  assertEquals(doubles.slice(0, 5), []);
  // The first cluster is never handed over: at most a scrape racing an iteration.
  assert(report.cutFirst <= 1_000 && report.restoredFirst <= 1_000, JSON.stringify(report));
  // The second: within one TTL of the cut, and of the restore (a handover's one iteration).
  assert(report.cutSecond <= HEARTBEAT_TTL_MS, `cut: ${report.cutSecond} ms without an exporter`);
  assert(report.restoredSecond <= HEARTBEAT_TTL_MS, `restored: ${report.restoredSecond} ms`);
});
