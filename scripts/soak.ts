/**
 * Soak task (not part of the test run): `deno task soak [--hours 1]`.
 *
 * A real 3-node Kafka cluster (RF 3, min.insync 2) with continuous produce and consume, and one
 * exporter measuring it at a 2 s interval, for `--hours`:
 * - traffic: a producer on every partition of the base topics, two live consumer groups, and
 *   static groups committed once;
 * - churn every `--churn-seconds`: a topic and a group created, those of two rounds ago deleted;
 *   every 10 minutes a partition added to the growing topic;
 * - faults: one node restarted (SIGTERM) every `--restart-minutes`, one killed (SIGKILL, 30 s
 *   down) every `--kill-minutes`, round robin; with `--outage-minutes`, first one node killed
 *   for that long while the exporter's memory is sampled every 30 s.
 * /metrics is sampled every second. Reported at every `--report-minutes` and at the end: samples
 * with a missing series (of groups and partitions that exist throughout), series of deleted
 * groups or topics still exported 60 s after the deletion (leaks), samples with the cluster down,
 * failed iterations, the exporter's RSS and anonymous memory, and its log lines by level.
 */
import { parseArgs } from "node:util";
import { startKafkaCluster } from "../tests/harness/kafka_cluster.ts";
import { startExporter } from "../tests/harness/exporter.ts";
import { clusterKafka, commitManyGroups } from "../tests/harness/kafka_fixtures.ts";
import { findSamples, type Sample, sampleValue } from "../tests/harness/prom_text.ts";
import { eventually } from "../tests/harness/processes.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    hours: { type: "string", default: "1" },
    "restart-minutes": { type: "string", default: "10" },
    "kill-minutes": { type: "string", default: "30" },
    "churn-seconds": { type: "string", default: "30" },
    "report-minutes": { type: "string", default: "60" },
    // A first, long outage: one node killed for this many minutes while the exporter's memory is
    // sampled every 30 s (reconnect storms show as growth), then the usual schedule.
    "outage-minutes": { type: "string", default: "0" },
  },
});
const DURATION_MS = Number(values.hours) * 3_600_000;
const RESTART_MS = Number(values["restart-minutes"]) * 60_000;
const KILL_MS = Number(values["kill-minutes"]) * 60_000;
const CHURN_MS = Number(values["churn-seconds"]) * 1_000;
const REPORT_MS = Number(values["report-minutes"]) * 60_000;
/** A deleted group's or topic's series still exported this long after the deletion is a leak. */
const LEAK_AFTER_MS = 60_000;
const BASE_TOPICS = ["soak-a", "soak-b", "soak-c"];
const GROWING_TOPIC = "soak-growing";
const PARTITIONS = 6;
const STATIC_GROUPS = ["static-1", "static-2", "static-3", "static-4"];
const LIVE_GROUPS = ["live-1", "live-2"];

const say = (line: string) => console.error(`[soak ${new Date().toISOString()}] ${line}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await using cluster = await startKafkaCluster({ size: 3 });
const kafka = clusterKafka(cluster.brokers);
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({
  topics: [...BASE_TOPICS, GROWING_TOPIC].map((topic) => ({
    topic,
    numPartitions: PARTITIONS,
    configEntries: [{ name: "min.insync.replicas", value: "2" }],
  })),
  waitForLeaders: false,
});
await cluster.waitUntilInSync([...BASE_TOPICS, GROWING_TOPIC]);
say(`Kafka ${cluster.version}: 3 nodes, ${BASE_TOPICS.length + 1} topics × ${PARTITIONS}`);

const stop = new AbortController();
const producer = kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();
let growingPartitions = PARTITIONS;
const producing = (async () => {
  let sequence = 0;
  while (!stop.signal.aborted) {
    const topics = [...BASE_TOPICS.map((topic) => ({ topic, partitions: PARTITIONS })), {
      topic: GROWING_TOPIC,
      partitions: growingPartitions,
    }];
    await producer.sendBatch({
      acks: -1,
      topicMessages: topics.map(({ topic, partitions }) => ({
        topic,
        messages: Array.from({ length: partitions }, (_, partition) => ({
          partition,
          value: `m-${sequence++}`,
        })),
      })),
    }).catch(() => {}); // a node restarting: the next send goes to the new leader
    // sleep-ok: paces the producer
    await sleep(250);
  }
})();
const consumers = await Promise.all(LIVE_GROUPS.map(async (groupId) => {
  const consumer = kafka.consumer({ groupId, retry: { retries: 50 } });
  await consumer.connect();
  await consumer.subscribe({ topics: [...BASE_TOPICS, GROWING_TOPIC], fromBeginning: true });
  await consumer.run({ autoCommitInterval: 1_000, eachMessage: async () => {} });
  return consumer;
}));
await commitManyGroups(
  cluster.brokers[0],
  STATIC_GROUPS.map((groupId) => ({
    groupId,
    offsets: BASE_TOPICS.flatMap((topic) =>
      Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, offset: 0 }))
    ),
  })),
);

await using exporter = await startExporter({
  kafka_clusters: [{ name: "soak", brokers: cluster.brokers, client_request_timeout: "5s" }],
  app: { iteration_interval: "2s" },
});

/** The series that must never go missing: static groups on the base topics (known offsets). */
const steady = new Set(
  STATIC_GROUPS.flatMap((group) =>
    BASE_TOPICS.flatMap((topic) =>
      Array.from({ length: PARTITIONS }, (_, partition) => `${group}/${topic}/${partition}`)
    )
  ),
);
const keyOf = (sample: Sample) =>
  `${sample.labels.group}/${sample.labels.topic}/${sample.labels.partition}`;

/** Deleted groups and topics, and when. */
const deletedGroups = new Map<string, number>();
const deletedTopics = new Map<string, number>();
const totals = {
  samples: 0,
  withMissing: 0,
  longestMissingMs: 0,
  leakedSamples: 0,
  leakedSeries: new Set<string>(),
  downSamples: 0,
  scrapeFailures: 0,
  restarts: 0,
  kills: 0,
};
let missingSinceMs: number | undefined;
let errorsAtStart: number | undefined;
let errorsNow = 0;

// Sampled from the first complete snapshot on: before it, nothing is missing but not yet measured.
await eventually("every steady series exported", async () => {
  const present = new Set(
    findSamples(await exporter.scrape(), "kafka_consumer_group_lag_in_offsets").map(keyOf),
  );
  return [...steady].every((key) => present.has(key)) || undefined;
}, 120_000);
const sampling = (async () => {
  while (!stop.signal.aborted) {
    try {
      const samples = await exporter.scrape();
      const nowMs = Date.now();
      totals.samples++;
      const lag = findSamples(samples, "kafka_consumer_group_lag_in_offsets");
      const present = new Set(lag.map(keyOf));
      const missing = [...steady].filter((key) => !present.has(key));
      if (missing.length > 0) {
        totals.withMissing++;
        missingSinceMs ??= nowMs;
        totals.longestMissingMs = Math.max(totals.longestMissingMs, nowMs - missingSinceMs);
      } else missingSinceMs = undefined;
      for (const sample of lag) {
        const groupGone = deletedGroups.get(sample.labels.group);
        const topicGone = deletedTopics.get(sample.labels.topic);
        const goneMs = Math.min(groupGone ?? Infinity, topicGone ?? Infinity);
        if (nowMs - goneMs > LEAK_AFTER_MS) {
          totals.leakedSamples++;
          totals.leakedSeries.add(keyOf(sample));
        }
      }
      if (sampleValue(samples, "kafka_lag_exporter_cluster_up", { clustername: "soak" }) !== 1) {
        totals.downSamples++;
      }
      errorsNow = sampleValue(samples, "kafka_lag_exporter_cluster_iteration_errors_total", {
        clustername: "soak",
      }) ?? 0;
      errorsAtStart ??= errorsNow;
    } catch {
      totals.scrapeFailures++;
    }
    // sleep-ok: the sampling period
    await sleep(1_000);
  }
})();

/** Topic and group churn: create one of each per round, delete those of two rounds ago. */
const churning = (async () => {
  let round = 0;
  let lastGrowthMs = Date.now();
  while (!stop.signal.aborted) {
    // sleep-ok: the churn period
    await sleep(CHURN_MS);
    if (stop.signal.aborted) break;
    try {
      const topic = `churn-topic-${round}`;
      await admin.createTopics({
        topics: [{ topic, numPartitions: 3, replicationFactor: 3 }],
        waitForLeaders: false,
      });
      await commitManyGroups(cluster.brokers[round % 3], [{
        groupId: `churn-group-${round}`,
        offsets: BASE_TOPICS.slice(0, 1).map((base) => ({ topic: base, partition: 0, offset: 0 })),
      }]).catch(() => {});
      const old = round - 2;
      if (old >= 0) {
        await admin.deleteGroups([`churn-group-${old}`]).catch(() => {});
        deletedGroups.set(`churn-group-${old}`, Date.now());
        await admin.deleteTopics({ topics: [`churn-topic-${old}`] }).catch(() => {});
        deletedTopics.set(`churn-topic-${old}`, Date.now());
      }
      if (Date.now() - lastGrowthMs >= 10 * 60_000 && growingPartitions < 24) {
        await admin.createPartitions({
          topicPartitions: [{ topic: GROWING_TOPIC, count: growingPartitions + 1 }],
        });
        growingPartitions++;
        lastGrowthMs = Date.now();
      }
    } catch (error) {
      say(`churn round ${round}: ${error instanceof Error ? error.message : error}`);
    }
    round++;
  }
})();

async function exporterMemory(): Promise<string> {
  const status = await Deno.readTextFile(`/proc/${exporter.pid}/status`).catch(() => "");
  const mb = (field: string) =>
    (Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? 0) / 1024).toFixed(0);
  return `RSS ${mb("VmRSS")} MB (anonymous ${mb("RssAnon")} MB, peak ${mb("VmHWM")} MB)`;
}

function logCounts(): string {
  const counts: Record<string, number> = {};
  for (const line of exporter.logs().split("\n")) {
    const level = line.match(/^\S+ (DEBUG|INFO|WARN|ERROR)/)?.[1];
    if (level) counts[level] = (counts[level] ?? 0) + 1;
  }
  const warnings = exporter.logs().split("\n").filter((line) => line.includes("process warning"));
  return Object.entries(counts).map(([level, count]) => `${level} ${count}`).join(", ") +
    `; process warnings ${warnings.length}`;
}

const reports: string[] = [];
async function report(label: string): Promise<void> {
  const line = `| ${label} | ${totals.samples} | ${totals.withMissing} (longest ${
    (totals.longestMissingMs / 1_000).toFixed(1)
  } s) | ${totals.leakedSeries.size} series in ${totals.leakedSamples} samples | ${totals.downSamples} | ${
    errorsNow - (errorsAtStart ?? errorsNow)
  } | ${totals.restarts} / ${totals.kills} | ${await exporterMemory()} | ${logCounts()} |`;
  reports.push(line);
  say(line);
}

// Faults, round robin over the nodes, and the reports, until the duration is over.
await report("start");
const startedMs = Date.now();
const OUTAGE_MS = Number(values["outage-minutes"]) * 60_000;
const outageLines: string[] = [];
if (OUTAGE_MS > 0) {
  const node = cluster.nodes[cluster.nodes.length - 1];
  say(`outage: killing node ${node.nodeId} for ${values["outage-minutes"]} min`);
  await node.kill();
  const outageStartedMs = Date.now();
  while (Date.now() - outageStartedMs < OUTAGE_MS) {
    // sleep-ok: the outage's sampling period
    await sleep(30_000);
    const line = `${
      ((Date.now() - outageStartedMs) / 60_000).toFixed(1)
    } min: ${await exporterMemory()}`;
    outageLines.push(line);
    say(`outage ${line}`);
  }
  await node.start();
  await cluster.waitUntilInSync(BASE_TOPICS).catch((error) => say(String(error)));
  totals.kills++;
  await report("after the outage");
}
let nextRestartMs = Date.now() + RESTART_MS;
let nextKillMs = Date.now() + KILL_MS;
let nextReportMs = startedMs + REPORT_MS;
let victim = 0;
while (Date.now() - startedMs < DURATION_MS) {
  // sleep-ok: the fault schedule's tick
  await sleep(1_000);
  const nowMs = Date.now();
  if (nowMs >= nextKillMs) {
    const node = cluster.nodes[victim++ % cluster.nodes.length];
    say(`killing node ${node.nodeId} for 30 s`);
    await node.kill();
    // sleep-ok: the node stays down
    await sleep(30_000);
    await node.start();
    await cluster.waitUntilInSync(BASE_TOPICS).catch((error) => say(String(error)));
    totals.kills++;
    nextKillMs += KILL_MS;
    if (nextRestartMs < Date.now()) nextRestartMs = Date.now() + 60_000;
  } else if (nowMs >= nextRestartMs) {
    const node = cluster.nodes[victim++ % cluster.nodes.length];
    say(`restarting node ${node.nodeId}`);
    await node.stop();
    await node.start();
    await cluster.waitUntilInSync(BASE_TOPICS).catch((error) => say(String(error)));
    totals.restarts++;
    nextRestartMs += RESTART_MS;
  }
  if (Date.now() >= nextReportMs) {
    await report(`${((Date.now() - startedMs) / 60_000).toFixed(0)} min`);
    nextReportMs += REPORT_MS;
  }
}
await report("end");
stop.abort();
await Promise.all([sampling, churning, producing]);
await Promise.all(consumers.map((consumer) => consumer.disconnect().catch(() => {})));
await producer.disconnect().catch(() => {});
await admin.disconnect().catch(() => {});
const exitCode = await exporter.stop();

console.log(
  `Soak: Kafka ${cluster.version}, 3 nodes, ${values.hours} h; a node restarted every ${
    values["restart-minutes"]
  } min and one killed for 30 s every ${values["kill-minutes"]} min; topic and group churn every ${
    values["churn-seconds"]
  } s; exporter at a 2 s interval, /metrics sampled every second. Exit code ${exitCode}.\n`,
);
console.log(
  "| at | samples | samples with a missing series | series of deleted groups/topics after 60 s | " +
    "samples with cluster_up 0 | failed iterations | restarts / kills | exporter memory | log lines |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const line of reports) console.log(line);
if (outageLines.length > 0) {
  console.log(`\nThe exporter during the ${values["outage-minutes"]}-minute outage of one node:`);
  for (const line of outageLines) console.log(`- ${line}`);
}
if (totals.leakedSeries.size > 0) {
  console.log(`\nLeaked series: ${[...totals.leakedSeries].slice(0, 20).join(", ")}`);
}
