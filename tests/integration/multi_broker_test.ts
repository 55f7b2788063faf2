/**
 * A real 3-node Kafka cluster, with a producer and consumer groups running throughout and /metrics
 * sampled after every iteration:
 * - restarted one node at a time (SIGTERM, wait until back and in sync), as every production
 *   cluster is for upgrades: no (group, partition) series that existed before may go missing,
 *   since every partition keeps an in-sync replica the whole time;
 * - the node coordinating a group killed (SIGKILL) for 60 s: no series goes missing, not even of
 *   the partitions it led (their last end offsets are carried over until Kafka elects new
 *   leaders) or of the groups it coordinated (their last committed offsets, until they move);
 * - the node leading the most partitions hung (SIGSTOP) for 60 s: every iteration still ends
 *   within its deadline, and no series goes missing.
 */
import { assert, assertEquals } from "../assert.ts";
import { startKafkaCluster } from "../harness/kafka_cluster.ts";
import { startExporter } from "../harness/exporter.ts";
import {
  clusterKafka,
  commitManyGroups,
  groupCoordinators,
  partitionLeaders,
} from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { findSamples, type Sample } from "../harness/prom_text.ts";
import { type Iteration, iterationOf } from "../harness/iteration_samples.ts";
import { startTraffic } from "../harness/traffic.ts";

const TOPIC = "orders";
const PARTITIONS = 6;
const STATIC_GROUPS = ["static-a", "static-b", "static-c", "static-d", "static-e", "static-f"];
const LIVE_GROUP = "live-consumer";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The (group, topic, partition) of every lag-in-offsets series of one scrape. */
function seriesKeys(samples: Sample[]): Set<string> {
  return new Set(
    findSamples(samples, "kafka_consumer_group_lag_in_offsets").map((sample) =>
      `${sample.labels.group}/${sample.labels.topic}/${sample.labels.partition}`
    ),
  );
}

Deno.test({
  name: "multi-broker cluster: rolling restart and a killed node",
  fn: async (t) => {
    await using cluster = await startKafkaCluster({ size: 3 });
    const kafka = clusterKafka(cluster.brokers);
    const admin = kafka.admin();
    await admin.connect();
    // Not kafkajs' waitForLeaders: on Kafka 3.9 a broker that has not yet heard of the new topic
    // answers its metadata check with an error that kafkajs does not retry.
    await admin.createTopics({
      topics: [{ topic: TOPIC, numPartitions: PARTITIONS }],
      waitForLeaders: false,
    });
    await admin.disconnect();
    await cluster.waitUntilInSync([TOPIC]);

    // A producer writing to every partition and a live consumer group, throughout.
    const traffic = await startTraffic(kafka, {
      topic: TOPIC,
      partitions: PARTITIONS,
      groupId: LIVE_GROUP,
    });
    await commitManyGroups(
      cluster.brokers[0],
      STATIC_GROUPS.map((groupId) => ({
        groupId,
        offsets: Array.from({ length: PARTITIONS }, (_, partition) => ({
          topic: TOPIC,
          partition,
          offset: 0,
        })),
      })),
    );

    await using exporter = await startExporter({
      kafka_clusters: [{
        name: "multi",
        brokers: cluster.brokers,
        client_request_timeout: "5s",
      }],
      app: { iteration_interval: "1s" },
    });
    const expected = (STATIC_GROUPS.length + 1) * PARTITIONS;
    const baseline = await eventually("every group-partition exported", async () => {
      const keys = seriesKeys(await exporter.scrape());
      return keys.size === expected ? keys : undefined;
    }, 60_000);

    // Sample /metrics after every iteration (a new last-success time marks a new snapshot).
    const iterations: Iteration[] = [];
    let phase = "steady";
    const stopSampling = new AbortController();
    const sampling = (async () => {
      let lastSuccess: number | undefined;
      let lastUp: number | undefined;
      while (!stopSampling.signal.aborted) {
        try {
          const samples = await exporter.scrape();
          const seen = iterationOf(samples, "multi");
          // A new last-success time is a new iteration; while the cluster is down, its failed
          // iterations cannot be told apart, so only the change to down is recorded.
          if (seen.successAt !== lastSuccess || seen.up !== lastUp) {
            lastSuccess = seen.successAt;
            lastUp = seen.up;
            const present = seriesKeys(samples);
            iterations.push({
              ...seen,
              atMs: Date.now(),
              missing: [...baseline].filter((key) => !present.has(key)),
              phase,
            });
          }
        } catch {
          // a scrape racing the exporter's shutdown at the end
        }
        // sleep-ok: the sampling period
        await sleep(200);
      }
    })();

    const during = (from: number, to: number) =>
      iterations.filter((iteration) => iteration.atMs > from && iteration.atMs <= to);

    await t.step("rolling restart of every node: no series goes missing", async () => {
      const from = Date.now();
      const logOffset = exporter.logs().length;
      for (const node of cluster.nodes) {
        phase = `node ${node.nodeId} stopping`;
        const stoppedAt = Date.now();
        await node.stop();
        phase = `node ${node.nodeId} down`;
        // sleep-ok: the node stays down for 3 s
        await sleep(3_000);
        phase = `node ${node.nodeId} restarting`;
        await node.start();
        await cluster.waitUntilInSync([TOPIC]);
        console.log(
          `  node ${node.nodeId}: stopped, restarted and in sync in ${
            ((Date.now() - stoppedAt) / 1_000).toFixed(1)
          } s`,
        );
        phase = `after node ${node.nodeId}`;
        // sleep-ok: observes iterations after the node is back
        await sleep(2_000);
      }
      const checked = during(from, Date.now());
      const withMissing = checked.filter((iteration) => iteration.missing.length > 0);
      console.log(
        `  rolling restart: ${checked.length} iterations checked, ${withMissing.length} with a ` +
          `missing series (of ${baseline.size} group-partitions)`,
      );
      for (const iteration of withMissing.slice(0, 10)) {
        console.log(`    ${iteration.phase}: missing ${iteration.missing.slice(0, 6).join(", ")}`);
      }
      // What a rolling restart of 3 nodes costs in log lines (the failure table's figure).
      const logged = exporter.logs().slice(logOffset).split("\n").filter((line) => line !== "");
      const warnings = logged.filter((line) => / (WARN|ERROR) /.test(line));
      console.log(
        `  log lines during the rolling restart: ${logged.length} (${warnings.length} WARN/ERROR)`,
      );
      for (const line of logged.slice(0, 12)) console.log(`    ${line.slice(0, 400)}`);
      assert(checked.length >= 15, `only ${checked.length} iterations were sampled`);
      assertEquals(checked.filter((iteration) => iteration.up !== 1).length, 0);
      assertEquals(withMissing.length, 0);
    });

    /**
     * Fails `node` with `fail` for `downMs`, then revives it. Series of partitions it did not lead
     * and of groups it did not coordinate must never go missing; the others must be back within
     * `recoverWithinMs` of the failure.
     */
    const failNode = async (
      node: (typeof cluster.nodes)[number],
      what: string,
      fail: () => Promise<void> | void,
      revive: () => Promise<void> | void,
      downMs: number,
      whileDown?: () => Promise<unknown>,
    ) => {
      const leaders = await partitionLeaders(cluster.brokers, TOPIC);
      const coordinators = await groupCoordinators(cluster.brokers, [...STATIC_GROUPS, LIVE_GROUP]);
      const touched = (key: string) => {
        const [group, , partition] = key.split("/");
        return leaders[Number(partition)] === node.nodeId ||
          coordinators.get(group) === node.nodeId;
      };
      const touchedCount = [...baseline].filter(touched).length;
      phase = `node ${node.nodeId} ${what}`;
      const logOffset = exporter.logs().length;
      const failedAt = Date.now();
      await fail();
      await whileDown?.();
      // sleep-ok: the failure's duration
      await sleep(downMs - (Date.now() - failedAt));
      phase = `node ${node.nodeId} reviving`;
      await revive();
      await cluster.waitUntilInSync([TOPIC]);
      phase = `after node ${node.nodeId}`;
      // sleep-ok: observes iterations after the node is back
      await sleep(3_000);
      const checked = during(failedAt, Date.now());
      const untouchedMissing = checked.filter((iteration) =>
        iteration.missing.some((key) => !touched(key))
      );
      // Series of groups it coordinated, on partitions other nodes lead: measured throughout
      // with the last committed offsets (no consumer can commit while the coordinator is away).
      const onlyCoordinated = (key: string) => {
        const [group, , partition] = key.split("/");
        return coordinators.get(group) === node.nodeId &&
          leaders[Number(partition)] !== node.nodeId;
      };
      const coordinatedMissing = checked.filter((iteration) =>
        iteration.missing.some(onlyCoordinated)
      );
      // When the last iteration with a missing touched series was seen.
      const lastMissing = checked.findLast((iteration) => iteration.missing.length > 0);
      const recoveredSeconds = lastMissing ? (lastMissing.atMs - failedAt) / 1_000 : 0;
      // Two iterations can end between samples (after a slow one the next starts at once), so
      // the longest wait for a new snapshot is measured, and failed iterations are counted.
      const successes = checked.map((iteration) => iteration.successAt ?? 0);
      const slowest = Math.max(
        ...successes.slice(1).map((successAt, index) => successAt - successes[index]),
      );
      const before = iterations.findLast((iteration) => iteration.atMs <= failedAt);
      const failedIterations = (checked.at(-1)?.errorsTotal ?? 0) - (before?.errorsTotal ?? 0);
      const degraded = checked.filter((iteration) => iteration.degraded).length;
      const withMissing = checked.filter((iteration) => iteration.missing.length > 0);
      const carriedEnds = Math.max(0, ...checked.map((iteration) => iteration.carriedEnds));
      console.log(
        `  ${what} node ${node.nodeId} for ${downMs / 1_000} s: ${checked.length} iterations, ` +
          `${touchedCount} of ${baseline.size} series on that node; untouched series missing in ` +
          `${untouchedMissing.length} iterations; touched series back ${
            recoveredSeconds.toFixed(1)
          } s after the failure; series of groups it coordinated missing in ${coordinatedMissing.length} iterations; ${degraded} degraded; longest time between snapshots ${
            slowest.toFixed(2)
          } s; ${failedIterations} failed iterations; ${withMissing.length} iterations with a ` +
          `missing series; up to ${carriedEnds} partitions with a carried-over end offset`,
      );
      // What the exporter logged meanwhile: once per change, not once per iteration.
      const logged = exporter.logs().slice(logOffset).split("\n").filter((line) => line !== "");
      console.log(`  exporter log lines meanwhile: ${logged.length}`);
      for (const line of logged.slice(0, 12)) console.log(`    ${line.slice(0, 300)}`);
      for (const iteration of withMissing.slice(0, 5)) {
        console.log(`    ${iteration.phase}: missing ${iteration.missing.slice(0, 6).join(", ")}`);
      }
      // The failure must have been seen, or this step tested nothing.
      assert(degraded > 0, `no iteration saw node ${node.nodeId} ${what}`);
      // Its partitions went on with their last end offsets: nothing went missing.
      if (leaders.includes(node.nodeId)) assert(carriedEnds > 0, "no end offset carried over");
      assertEquals(withMissing.length, 0, "iterations with a missing series");
      return {
        checked,
        untouchedMissing,
        coordinatedMissing,
        recoveredSeconds,
        slowest,
        failedIterations,
        leaders,
        coordinators,
      };
    };

    await t.step(
      "SIGKILL of a group's coordinator for 60 s: no series goes missing",
      async () => {
        // The node coordinating the live group, so that a coordinator dies.
        const coordinatorId = (await groupCoordinators(cluster.brokers, [LIVE_GROUP])).get(
          LIVE_GROUP,
        );
        const node = cluster.nodes.find((candidate) => candidate.nodeId === coordinatorId)!;
        const groups = [...STATIC_GROUPS, LIVE_GROUP];
        let movedAtMs = 0;
        const result = await failNode(
          node,
          "killed",
          () => node.kill(),
          () => node.start(),
          60_000,
          // When Kafka has moved the dead node's groups to another coordinator.
          () =>
            eventually(
              "the groups' coordinators moved",
              async () => {
                const now = await groupCoordinators(cluster.brokers, groups).catch(() => undefined);
                if (!now || [...now.values()].includes(node.nodeId)) return undefined;
                return movedAtMs = Date.now();
              },
              45_000,
              250,
            ),
        );
        assertEquals(result.untouchedMissing.length, 0);
        assertEquals(result.checked.filter((iteration) => iteration.up !== 1).length, 0);
        assertEquals(result.failedIterations, 0);
        // The dead coordinator's groups, on partitions other nodes lead, never went missing:
        // neither before Kafka moved them (last committed offsets) nor after (read at the new
        // coordinator once it has loaded them).
        const movedGroups = groups.filter((group) =>
          result.coordinators.get(group) === node.nodeId
        );
        console.log(
          `  coordinator of ${movedGroups.join(", ")} killed: coordinators moved ${
            ((movedAtMs - result.checked[0].atMs) / 1_000).toFixed(1)
          } s after the first sample`,
        );
        assert(movedGroups.includes(LIVE_GROUP));
        assertEquals(result.coordinatedMissing.length, 0);
      },
    );

    await t.step("SIGSTOP of the busiest leader for 60 s: in time, nothing missing", async () => {
      // The node leading the most partitions now (after the kill, leadership may not have moved
      // back): a hung leader is the case that matters.
      const leaders = await partitionLeaders(cluster.brokers, TOPIC);
      const busiest = cluster.nodes.toSorted((a, b) =>
        leaders.filter((leader) =>
          leader === b.nodeId
        ).length -
        leaders.filter((leader) => leader === a.nodeId).length
      )[0];
      const node = busiest;
      const result = await failNode(
        node,
        "hung",
        () => node.hang(),
        () => node.resume(),
        60_000,
      );
      assertEquals(result.untouchedMissing.length, 0);
      assertEquals(result.coordinatedMissing.length, 0);
      assertEquals(result.checked.filter((iteration) => iteration.up !== 1).length, 0);
      assertEquals(result.failedIterations, 0);
      // The deadline is client_request_timeout + metadata_fetch_timeout (5 s + 5 s): no iteration
      // failed, and at most one request timeout was waited for (the iterations after it skip the
      // hung node), so a new snapshot came at least every 5 s + the 1 s interval.
      // (2 s of slack for a loaded CI machine: measured 2.1–6.1 s.)
      assert(result.slowest <= 5 + 1 + 2, `${result.slowest} s without a new snapshot`);
      assert(result.checked.length >= 40, `only ${result.checked.length} iterations in 60 s`);
    });

    stopSampling.abort();
    await sampling;
    await traffic.stop();
    assertEquals(await exporter.stop(), 0);
  },
});
