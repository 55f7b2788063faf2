/**
 * A real 3-node Kafka cluster restarted one node at a time (SIGTERM, wait until back and in sync),
 * as every production cluster is for upgrades, with a producer and consumer groups running
 * throughout. /metrics is sampled after every iteration: no (group, partition) series that existed
 * before may go missing, since every partition keeps an in-sync replica the whole time.
 */
import { Kafka, logLevel } from "kafkajs";
import { assert, assertEquals } from "../assert.ts";
import { startKafkaCluster } from "../harness/kafka_cluster.ts";
import { startExporter } from "../harness/exporter.ts";
import { commitManyGroups } from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { findSamples, type Sample, sampleValue } from "../harness/prom_text.ts";

const TOPIC = "orders";
const PARTITIONS = 6;
const STATIC_GROUPS = ["static-a", "static-b", "static-c"];
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
  name: "multi-broker cluster: a rolling restart of every node loses no lag series",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    await using cluster = await startKafkaCluster({ size: 3 });
    const kafka = new Kafka({
      brokers: cluster.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: TOPIC, numPartitions: PARTITIONS }],
      waitForLeaders: true,
    });
    await admin.disconnect();

    // A producer writing to every partition and a live consumer group, throughout.
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const stopTraffic = new AbortController();
    const producing = (async () => {
      let sequence = 0;
      while (!stopTraffic.signal.aborted) {
        await producer.send({
          topic: TOPIC,
          acks: -1,
          messages: Array.from({ length: PARTITIONS }, (_, partition) => ({
            partition,
            value: `m-${sequence++}`,
          })),
        }).catch(() => {}); // a node restarting: the next send goes to the new leader
        await sleep(200);
      }
    })();
    const consumer = kafka.consumer({ groupId: LIVE_GROUP, retry: { retries: 20 } });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await consumer.run({ autoCommitInterval: 500, eachMessage: async () => {} });
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
    const iterations: Array<{ missing: string[]; up: number | undefined; phase: string }> = [];
    let phase = "steady";
    const stopSampling = new AbortController();
    const sampling = (async () => {
      let lastSuccess: number | undefined;
      while (!stopSampling.signal.aborted) {
        try {
          const samples = await exporter.scrape();
          const success = sampleValue(
            samples,
            "kafka_lag_exporter_cluster_last_success_timestamp_seconds",
            { clustername: "multi" },
          );
          const up = sampleValue(samples, "kafka_lag_exporter_cluster_up", {
            clustername: "multi",
          });
          if (success !== lastSuccess || up === 0) {
            lastSuccess = success;
            const present = seriesKeys(samples);
            iterations.push({
              missing: [...baseline].filter((key) => !present.has(key)),
              up,
              phase,
            });
          }
        } catch {
          // a scrape racing the exporter's shutdown at the end
        }
        await sleep(200);
      }
    })();

    for (const node of cluster.nodes) {
      phase = `node ${node.nodeId} stopping`;
      const stoppedAt = Date.now();
      await node.stop();
      phase = `node ${node.nodeId} down`;
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
      await sleep(2_000);
    }
    stopSampling.abort();
    await sampling;
    stopTraffic.abort();
    await producing;
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});

    const withMissing = iterations.filter((iteration) => iteration.missing.length > 0);
    console.log(
      `  rolling restart: ${iterations.length} iterations checked, ${withMissing.length} with a ` +
        `missing series (of ${baseline.size} group-partitions)`,
    );
    for (const iteration of withMissing.slice(0, 10)) {
      console.log(`    ${iteration.phase}: missing ${iteration.missing.slice(0, 6).join(", ")}`);
    }
    assert(iterations.length >= 15, `only ${iterations.length} iterations were sampled`);
    assertEquals(iterations.filter((iteration) => iteration.up !== 1).length, 0);
    assertEquals(withMissing.length, 0);
    assertEquals(await exporter.stop(), 0);
  },
});
