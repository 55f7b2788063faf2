/**
 * Accuracy benchmark of lag in seconds (not part of the test run): `deno task bench:accuracy`.
 *
 * Nine scenarios run at once on a local Kafka broker, each on its own topic and consumer group.
 * Collectors run the exporter's own collection code side by side: default and exact mode, each
 * with the default history window and with a short one (for the scenario where the consumer falls
 * behind the window), and a default/exact pair that restarts (history and cache lost, as a
 * memory-store exporter that is restarted) halfway. After every iteration, every lagging
 * partition's value is compared with the ground truth of SPEC §4: t_now − CreateTime of the record
 * at the committed offset. Seven scenarios are produced by the benchmark's kafkajs producer, which
 * sets CreateTime (cross-checked against Kafka at the end); "cold-start" and "exporter-restart" are
 * produced by Kafka's own Java producer in large compressed batches, and their CreateTimes are read
 * back from the broker's log with Kafka's DumpLogSegments.
 *
 * Options: --minutes N (default 4), --interval 2s, --backlog-age 60s (how long the cold-start
 * backlog waits before the collectors start), --out FILE (JSON results).
 */
import { parseArgs } from "node:util";
import { type Admin, Partitioners, type Producer } from "kafkajs";
import { startKafka } from "../../tests/harness/kafka.ts";
import { createTopic, testKafka } from "../../tests/harness/kafka_fixtures.ts";
import { collectCluster } from "../../src/collect/collect_cluster.ts";
import { compileNameFilter } from "../../src/config/schema/name_filter.ts";
import type { KafkaClusterConfig } from "../../src/config/load_config.ts";
import { parseDurationMs } from "../../src/config/schema/duration.ts";
import { createKafkajsAdmin } from "../../src/kafka/kafkajs_admin.ts";
import { RecordTimeCache } from "../../src/collect/record_timestamps.ts";
import type { KafkaAdmin } from "../../src/kafka/kafka_admin.ts";
import { createLogger } from "../../src/log/logger.ts";
import { MemoryOffsetHistoryStore } from "../../src/store/memory_store.ts";
import { accuracyScenarios } from "./accuracy_scenarios.ts";
import {
  checkCreateTimes,
  consumeLoop,
  javaProducerArgs,
  produceLoop,
  type ScenarioState,
} from "./accuracy_traffic.ts";
import {
  accuracyRows,
  costLines,
  type IterationCost,
  markdownTable,
  type Sample,
} from "./accuracy_report.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    minutes: { type: "string", default: "4" },
    interval: { type: "string", default: "2s" },
    "backlog-age": { type: "string", default: "60s" },
    out: { type: "string" },
  },
});
const durationMs = Number(values.minutes) * 60_000;
const intervalMs = parseDurationMs(values.interval!) ?? 2_000;
const SHORT_WINDOW_MS = 60_000;
const backlogAgeMs = parseDurationMs(values["backlog-age"]!) ?? 60_000;
/** Cold start: records written before the collectors start, and how fast they are then read. */
const COLD_BACKLOG_RECORDS = 20_000;
const COLD_CONSUME_PER_SECOND = 50;
/** Exporter restart: steady production by the Java producer; the consumer 60 s behind. */
const RESTART_PRODUCE_PER_SECOND = 20;
const RESTART_BEHIND_MS = 60_000;
const logger = createLogger({ level: "warn", format: "text" });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (line: string) => console.error(`[bench] ${line}`);

const scenarios = accuracyScenarios({
  durationMs,
  shortWindowMs: SHORT_WINDOW_MS,
  backlogAgeMs,
  cold: { records: COLD_BACKLOG_RECORDS, consumePerSecond: COLD_CONSUME_PER_SECOND },
  restart: { producePerSecond: RESTART_PRODUCE_PER_SECOND, behindMs: RESTART_BEHIND_MS },
});

const broker = await startKafka();
say(
  `Kafka ${broker.version} on ${broker.bootstrap}; ${scenarios.length} scenarios × ${values.minutes} min, iteration ${intervalMs} ms`,
);
const kafka = testKafka(broker.bootstrap);
const admin: Admin = kafka.admin();
await admin.connect();
const producer: Producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();

const states: ScenarioState[] = [];
for (const scenario of scenarios) {
  const topic = `bench-${scenario.name}`;
  await createTopic(broker.bootstrap, topic, 1);
  states.push({
    scenario,
    topic,
    group: `bench-${scenario.name}-group`,
    startMs: 0,
    generations: [[]],
    committed: 0,
    recreating: false,
  });
}

say(`cold start: writing ${COLD_BACKLOG_RECORDS} records with the Java producer`);
const backlog = await broker.runTool(
  "org.apache.kafka.tools.ProducerPerformance",
  javaProducerArgs({ topic: "bench-cold-start", bootstrap: broker.bootstrap }, {
    records: COLD_BACKLOG_RECORDS,
    perSecond: 2_000,
  }),
);
if (backlog.code !== 0) throw new Error(`Java producer failed: ${backlog.stderr}`);
say(`cold start: the backlog ages ${backlogAgeMs / 1_000} s before the collectors start`);
await sleep(backlogAgeMs);

const stop = new AbortController();
const samples: Sample[] = [];
const costs = new Map<string, IterationCost>();

async function collectorLoop(
  mode: "default" | "exact",
  options: { shortWindow?: boolean; restartAtMs?: number } = {},
) {
  const shortWindow = Boolean(options.shortWindow);
  const label = `${mode}${shortWindow ? "/short-window" : ""}${
    options.restartAtMs ? "/restart" : ""
  }`;
  const cost = {
    iterations: 0,
    totalMs: 0,
    fetchRequests: 0,
    fetchMs: 0,
    lookups: 0,
    wanted: 0,
    found: 0,
  };
  costs.set(label, cost);
  const config: KafkaClusterConfig = {
    name: "bench",
    brokers: [broker.bootstrap],
    requestTimeoutMs: 10_000,
    metadataTimeoutMs: 5_000,
    groupFilter: compileNameFilter("^bench-", undefined),
    topicFilter: compileNameFilter(undefined, undefined),
    recordTimestamps: {
      exact: mode === "exact",
      maxPartitions: 1_000,
      maxFutureSkewMs: 60_000,
      maxBatchBytes: 16_777_216,
    },
  };
  const kafkaAdmin = createKafkajsAdmin(config, {
    now: Date.now,
    logger,
    readTextFile: Deno.readTextFileSync,
    observeRequest: (api, seconds) => {
      if (api !== "Fetch") return;
      cost.fetchRequests++;
      cost.fetchMs += seconds * 1_000;
    },
  });
  // The "now" of each partition's lag: when its end offset was read.
  const observedAt = new Map<string, number>();
  const observingAdmin: KafkaAdmin = {
    listGroups: () => kafkaAdmin.listGroups(),
    fetchCommittedOffsets: (groupIds, concurrency, options) =>
      kafkaAdmin.fetchCommittedOffsets(groupIds, concurrency, options),
    describeGroups: (groups, concurrency) => kafkaAdmin.describeGroups(groups, concurrency),
    fetchEndOffsets: async (includeTopic) => {
      const latestOffsets = await kafkaAdmin.fetchEndOffsets(includeTopic);
      for (const latest of latestOffsets.offsets) {
        observedAt.set(`${latest.topic}/${latest.partition}`, latest.observedAtMs);
      }
      return latestOffsets;
    },
    fetchRecordTimes: (lookups) => kafkaAdmin.fetchRecordTimes(lookups),
    close: () => kafkaAdmin.close(),
  };
  const newStore = () =>
    new MemoryOffsetHistoryStore({ retentionMs: shortWindow ? SHORT_WINDOW_MS : 7_200_000 });
  let store = newStore();
  let recordTimes = new RecordTimeCache();
  let iteration = 0;
  let restarted = false;
  while (!stop.signal.aborted) {
    const started = Date.now();
    if (options.restartAtMs && !restarted && started - startMs >= options.restartAtMs) {
      // A restarted memory-store exporter: no history, no cache.
      store = newStore();
      recordTimes = new RecordTimeCache();
      iteration = 0;
      restarted = true;
    }
    try {
      const snapshot = await collectCluster(config, {
        admin: observingAdmin,
        store,
        now: Date.now,
        logger,
        concurrency: 10,
        recordTimes,
      });
      iteration++;
      cost.iterations++;
      cost.totalMs += Date.now() - started;
      cost.lookups += snapshot.recordLookups?.fetched ?? 0;
      const counts = snapshot.recordLookups;
      cost.found += counts?.found ?? 0;
      cost.wanted += (counts?.found ?? 0) + (counts?.missing ?? 0) + (counts?.untrusted ?? 0);
      for (const state of states) {
        if (Boolean(state.scenario.shortWindow) !== shortWindow || state.recreating) continue;
        if (Boolean(state.scenario.restart) !== Boolean(options.restartAtMs)) continue;
        if (options.restartAtMs && !restarted) continue;
        const group = snapshot.groups.find((candidate) => candidate.groupId === state.group);
        for (const partition of group?.partitions ?? []) {
          if (partition.lagOffsets <= 0) continue;
          const observedAtMs = observedAt.get(`${partition.topic}/${partition.partition}`)!;
          const sample: Sample = {
            scenario: state.scenario.name,
            mode,
            value: partition.lagSeconds,
            method: partition.lagSecondsMethod,
            committedOffset: partition.committedOffset,
            observedAtMs,
            iteration,
          };
          if (!state.scenario.javaProducer) {
            const createTime = state.generations.at(-1)![partition.committedOffset];
            // Right after a re-creation the group may still show the old topic's offsets.
            if (
              createTime === undefined || partition.endOffset > state.generations.at(-1)!.length
            ) continue;
            sample.trueSeconds = (observedAtMs - createTime) / 1_000;
          }
          samples.push(sample);
        }
      }
    } catch (error) {
      say(`${label} iteration failed: ${error}`);
    }
    await sleep(Math.max(0, intervalMs - (Date.now() - started)));
  }
  await kafkaAdmin.close();
}

const startMs = Date.now();
for (const state of states) state.startMs = startMs;
const restartProducer = broker.spawnTool(
  "org.apache.kafka.tools.ProducerPerformance",
  javaProducerArgs({ topic: "bench-exporter-restart", bootstrap: broker.bootstrap }, {
    records: Math.ceil(durationMs / 1_000) * RESTART_PRODUCE_PER_SECOND,
    perSecond: RESTART_PRODUCE_PER_SECOND,
  }),
);
// The restart scenario's collectors restart halfway (accuracy_scenarios.ts says the same).
const half = Math.round(durationMs / 2);
const loops = [
  ...states.flatMap((state) => {
    const traffic = { producer, admin, signal: stop.signal };
    return [produceLoop(state, traffic), consumeLoop(state, traffic)];
  }),
  collectorLoop("default"),
  collectorLoop("exact"),
  collectorLoop("default", { shortWindow: true }),
  collectorLoop("exact", { shortWindow: true }),
  collectorLoop("default", { restartAtMs: half }),
  collectorLoop("exact", { restartAtMs: half }),
];
const progress = setInterval(
  () => say(`${Math.round((Date.now() - startMs) / 1_000)} s, ${samples.length} samples`),
  30_000,
);
await sleep(durationMs);
stop.abort();
clearInterval(progress);
await Promise.all(loops);
await restartProducer[Symbol.asyncDispose]();

// Ground truth of the Java producer's scenarios: CreateTimes from the broker's log.
for (const state of states.filter((candidate) => candidate.scenario.javaProducer)) {
  const dumped = await broker.runTool("kafka.tools.DumpLogSegments", [
    "--deep-iteration",
    "--files",
    `${broker.dataDir}/${state.topic}-0/00000000000000000000.log`,
  ]);
  const createTimes = new Map<number, number>();
  for (const match of dumped.stdout.matchAll(/^\| offset: (\d+) CreateTime: (\d+)/gm)) {
    createTimes.set(Number(match[1]), Number(match[2]));
  }
  for (const sample of samples) {
    if (sample.scenario !== state.scenario.name) continue;
    const createTime = createTimes.get(sample.committedOffset);
    if (createTime !== undefined) sample.trueSeconds = (sample.observedAtMs - createTime) / 1_000;
  }
}
const measured = samples.filter((sample) => sample.trueSeconds !== undefined);

// Ground truth check: what Kafka stored as CreateTime must equal the producer's log.
const { checked, matched } = await checkCreateTimes(states, broker.bootstrap);
await producer.disconnect();
await admin.disconnect();
await broker.stop();

const intervalSeconds = intervalMs / 1_000;
const rows = accuracyRows({ scenarios, measured, intervalSeconds });
const table = markdownTable(rows);
console.log(
  `Lag-in-seconds accuracy: Kafka ${broker.version}, ${values.minutes} min per scenario, iteration ${intervalSeconds} s, ${
    new Date().toISOString()
  }\n`,
);
console.log(
  scenarios.map((scenario) => `- ${scenario.name}: ${scenario.description}`).join("\n") + "\n",
);
console.log(table + "\n");
console.log(costLines(costs).map((line) => `- ${line}`).join("\n"));
console.log(
  `- ground truth check: ${matched}/${checked} CreateTimes read back from Kafka equal the producer's`,
);
if (values.out) {
  await Deno.writeTextFile(
    values.out,
    JSON.stringify({ rows, costs: Object.fromEntries(costs), matched, checked, samples }, null, 1),
  );
}
Deno.exit(0);
