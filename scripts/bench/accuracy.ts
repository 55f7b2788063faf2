/**
 * Longer than 350 lines: a benchmark is one self-contained program (scenarios, producers, report).
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

/** Records to produce between two instants of the scenario's clock (ms since its start). */
type ProducePlan = (fromMs: number, toMs: number) => number;
/** The offset the consumer has committed at `elapsedMs`, given the produced records' CreateTimes. */
type ConsumePlan = (
  elapsedMs: number,
  createTimes: number[],
  startMs: number,
  previous: number,
) => number;

interface Scenario {
  name: string;
  description: string;
  shortWindow?: boolean;
  produce: ProducePlan;
  consume: ConsumePlan;
  recreateAtMs?: number;
  /** Produced by Kafka's Java producer (ground truth read back from the log at the end). */
  javaProducer?: boolean;
  /** Measured only by the collectors that restart halfway. */
  restart?: boolean;
}

const steadyRate = (perSecond: number, pause?: [number, number]): ProducePlan => (from, to) => {
  const active = (ms: number) => (pause && ms >= pause[0] && ms < pause[1] ? pause[0] : ms);
  const activeMs = (
    ms: number,
  ) => (pause && ms >= pause[1] ? ms - (pause[1] - pause[0]) : active(ms));
  return Math.floor(activeMs(to) * perSecond / 1_000) -
    Math.floor(activeMs(from) * perSecond / 1_000);
};
const behindBy = (delayMs: number): ConsumePlan => (elapsed, createTimes, startMs) => {
  const cutoff = startMs + elapsed - delayMs;
  let committed = 0;
  while (committed < createTimes.length && createTimes[committed] <= cutoff) committed++;
  return committed;
};
const atRate = (perSecond: number): ConsumePlan => (elapsed, createTimes) =>
  Math.min(createTimes.length, Math.floor(elapsed * perSecond / 1_000));

const half = Math.round(durationMs / 2);
const scenarios: Scenario[] = [
  {
    name: "steady",
    description: "20 records/s; consumer 20 s behind",
    produce: steadyRate(20),
    consume: behindBy(20_000),
  },
  {
    name: "bursty",
    description: "300-record bursts every 30 s, quiet in between; consumer 40 s behind",
    produce: (from, to) => Math.floor(to / 30_000) - Math.floor(from / 30_000) > 0 ? 300 : 0,
    consume: behindBy(40_000),
  },
  {
    name: "producer-pause",
    description: `10 records/s, paused from 30 s to ${
      Math.round((30_000 + half) / 1_000)
    } s; consumer at 5 records/s`,
    produce: steadyRate(10, [30_000, 30_000 + half]),
    consume: atRate(5),
  },
  {
    name: "trickle",
    description: "1 record every 5 s; consumer 30 s behind",
    produce: steadyRate(0.2),
    consume: behindBy(30_000),
  },
  {
    name: "behind-window",
    description: `10 records/s; consumer at 2 records/s, history window ${
      SHORT_WINDOW_MS / 1_000
    } s`,
    shortWindow: true,
    produce: steadyRate(10),
    consume: atRate(2),
  },
  {
    name: "stop-catch-up",
    description:
      "10 records/s; consumer 3 s behind, stops from 30 s to 90 s, then reads 40 records/s",
    produce: steadyRate(10),
    consume: (elapsed, createTimes, startMs, previous) => {
      if (elapsed < 30_000) return behindBy(3_000)(elapsed, createTimes, startMs, previous);
      if (elapsed < 90_000) return previous;
      // Time-based, not per call: committing can take longer than the loop's nominal second.
      const atStop = behindBy(3_000)(30_000, createTimes, startMs, previous);
      const caughtUp = behindBy(3_000)(elapsed, createTimes, startMs, previous);
      return Math.min(atStop + Math.floor((elapsed - 90_000) * 40 / 1_000), caughtUp);
    },
  },
  {
    name: "topic-recreated",
    description: `10 records/s; topic deleted and re-created at ${
      half / 1_000
    } s; consumer 15 s behind`,
    produce: steadyRate(10),
    consume: behindBy(15_000),
    recreateAtMs: half,
  },
  {
    name: "cold-start",
    description:
      `${COLD_BACKLOG_RECORDS} records written by the Java producer (snappy, linger 1 s, 1 MB ` +
      `batches) ${
        backlogAgeMs / 1_000
      } s before the collectors start; then no production, consumer at ${COLD_CONSUME_PER_SECOND} records/s`,
    produce: () => 0,
    consume: (elapsed) =>
      Math.min(COLD_BACKLOG_RECORDS, Math.floor(elapsed * COLD_CONSUME_PER_SECOND / 1_000)),
    javaProducer: true,
  },
  {
    name: "exporter-restart",
    description:
      `${RESTART_PRODUCE_PER_SECOND} records/s by the Java producer (snappy, linger 1 s); consumer ` +
      `${RESTART_BEHIND_MS / 1_000} s behind; the collectors restart with no history at ${
        half / 1_000
      } s (measured after the restart)`,
    produce: () => 0,
    consume: (elapsed) =>
      Math.max(0, Math.floor((elapsed - RESTART_BEHIND_MS) * RESTART_PRODUCE_PER_SECOND / 1_000)),
    javaProducer: true,
    restart: true,
  },
];

interface ScenarioState {
  scenario: Scenario;
  topic: string;
  group: string;
  startMs: number;
  /** CreateTime per offset, per topic generation. */
  generations: number[][];
  committed: number;
  recreating: boolean;
}

interface Sample {
  scenario: string;
  mode: string;
  /** Known at once for the kafkajs scenarios; filled in from the broker's log for the others. */
  trueSeconds?: number;
  value?: number;
  method?: string;
  committedOffset: number;
  observedAtMs: number;
  /** 1 for the first iteration of the collector (or of its restart). */
  iteration: number;
}

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

/** Kafka's own producer: large compressed batches, as production clients write them. */
function javaProducerArgs(
  topic: string,
  { records, perSecond }: { records: number; perSecond: number },
): string[] {
  return [
    "--topic",
    topic,
    "--num-records",
    String(records),
    "--record-size",
    "200",
    "--throughput",
    String(perSecond),
    "--producer-props",
    `bootstrap.servers=${broker.bootstrap}`,
    "compression.type=snappy",
    "linger.ms=1000",
    "batch.size=1048576",
    "acks=1",
  ];
}

say(`cold start: writing ${COLD_BACKLOG_RECORDS} records with the Java producer`);
const backlog = await broker.runTool(
  "org.apache.kafka.tools.ProducerPerformance",
  javaProducerArgs("bench-cold-start", { records: COLD_BACKLOG_RECORDS, perSecond: 2_000 }),
);
if (backlog.code !== 0) throw new Error(`Java producer failed: ${backlog.stderr}`);
say(`cold start: the backlog ages ${backlogAgeMs / 1_000} s before the collectors start`);
await sleep(backlogAgeMs);

const stop = new AbortController();
const samples: Sample[] = [];
const costs = new Map<
  string,
  {
    iterations: number;
    totalMs: number;
    fetchRequests: number;
    fetchMs: number;
    /** Records read from Kafka. */
    lookups: number;
    /** Records whose timestamp was wanted (from Kafka or the cache), and of those found. */
    wanted: number;
    found: number;
  }
>();

async function produceLoop(state: ScenarioState) {
  let lastMs = 0;
  while (!stop.signal.aborted) {
    const elapsed = Date.now() - state.startMs;
    if (
      state.scenario.recreateAtMs !== undefined && elapsed >= state.scenario.recreateAtMs &&
      state.generations.length === 1
    ) {
      await recreate(state);
      lastMs = Date.now() - state.startMs;
      continue;
    }
    const count = state.scenario.produce(lastMs, elapsed);
    lastMs = elapsed;
    if (count > 0) {
      const timestampMs = Date.now();
      const [result] = await producer.send({
        topic: state.topic,
        messages: Array.from(
          { length: count },
          (_, index) => ({ value: `r${index}`, timestamp: String(timestampMs) }),
        ),
      });
      const generation = state.generations.at(-1)!;
      const base = Number(result.baseOffset);
      for (let index = 0; index < count; index++) generation[base + index] = timestampMs;
    }
    await sleep(100);
  }
}

async function recreate(state: ScenarioState) {
  state.recreating = true;
  await admin.deleteTopics({ topics: [state.topic] });
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await admin.createTopics({
        topics: [{ topic: state.topic, numPartitions: 1 }],
        waitForLeaders: true,
      });
      break;
    } catch {
      await sleep(200);
    }
  }
  state.generations.push([]);
  state.committed = 0;
  state.recreating = false;
}

async function consumeLoop(state: ScenarioState) {
  while (!stop.signal.aborted) {
    if (!state.recreating) {
      const generation = state.generations.at(-1)!;
      const createTimes = generation.slice(0, firstHole(generation));
      const generationStart = state.generations.length === 1
        ? state.startMs
        : state.startMs + state.scenario.recreateAtMs!;
      const elapsed = Date.now() - generationStart;
      const next = state.scenario.consume(elapsed, createTimes, generationStart, state.committed);
      if (next !== state.committed || createTimes.length === 0) {
        try {
          await admin.setOffsets({
            groupId: state.group,
            topic: state.topic,
            partitions: [{ partition: 0, offset: String(next) }],
          });
          state.committed = next;
        } catch {
          // the topic is being re-created
        }
      }
    }
    await sleep(1_000);
  }
}

function firstHole(array: number[]): number {
  let index = 0;
  while (index < array.length && array[index] !== undefined) index++;
  return index;
}

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
  javaProducerArgs("bench-exporter-restart", {
    records: Math.ceil(durationMs / 1_000) * RESTART_PRODUCE_PER_SECOND,
    perSecond: RESTART_PRODUCE_PER_SECOND,
  }),
);
const loops = [
  ...states.flatMap((state) => [produceLoop(state), consumeLoop(state)]),
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
const checker = createKafkajsAdmin({
  name: "check",
  brokers: [broker.bootstrap],
  requestTimeoutMs: 10_000,
  metadataTimeoutMs: 5_000,
  groupFilter: compileNameFilter(undefined, undefined),
  topicFilter: compileNameFilter(undefined, undefined),
  recordTimestamps: {
    exact: true,
    maxPartitions: 1_000,
    maxFutureSkewMs: 60_000,
    maxBatchBytes: 16_777_216,
  },
}, { now: Date.now, logger, readTextFile: Deno.readTextFileSync });
await checker.fetchEndOffsets(() => true);
let checked = 0;
let matched = 0;
for (const state of states) {
  const generation = state.generations.at(-1)!;
  const offsets = [
    ...new Set([
      0,
      Math.floor(generation.length / 3),
      Math.floor(generation.length * 2 / 3),
      generation.length - 1,
    ]),
  ]
    .filter((offset) => offset >= 0 && generation[offset] !== undefined);
  for (const offset of offsets) {
    const times = await checker.fetchRecordTimes([{ topic: state.topic, partition: 0, offset }]);
    const found = [...times.values()][0];
    checked++;
    if (found && "timestampMs" in found && found.timestampMs === generation[offset]) matched++;
  }
}
await checker.close();
await producer.disconnect();
await admin.disconnect();
await broker.stop();

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
const mean = (list: number[]) => list.reduce((sum, value) => sum + value, 0) / list.length;
const format = (value: number, digits = 2) => Number.isFinite(value) ? value.toFixed(digits) : "-";
const rows: Array<Record<string, string | number>> = [];
const intervalSeconds = intervalMs / 1_000;
for (const scenario of scenarios) {
  for (const mode of ["default", "exact"]) {
    const own = measured.filter((sample) =>
      sample.scenario === scenario.name && sample.mode === mode
    );
    const valued = own.filter((sample) => sample.value !== undefined);
    const errorOf = (sample: Sample) => Math.abs(sample.value! - sample.trueSeconds!);
    const errors = valued.map(errorOf).sort((a, b) => a - b);
    const relative = valued.filter((sample) => sample.trueSeconds! >= 1).map((sample) =>
      errorOf(sample) / sample.trueSeconds!
    )
      .sort((a, b) => a - b);
    const withinBound = valued.filter((sample) =>
      errorOf(sample) <= Math.max(intervalSeconds, 0.1 * sample.trueSeconds!)
    ).length;
    // The first value a scrape would show after the collector (re)started.
    const firstValued = valued.reduce<Sample | undefined>(
      (first, sample) =>
        !first || sample.iteration < first.iteration ? sample : first,
      undefined,
    );
    const noValueAfterFirst = own.filter((sample) =>
      sample.iteration > 1 && sample.value === undefined
    ).length;
    const bad = valued.filter((sample) =>
      !Number.isFinite(sample.value!) || sample.value! < 0
    ).length;
    rows.push({
      scenario: scenario.name,
      mode,
      samples: own.length,
      "no value": `${format(100 * (own.length - valued.length) / Math.max(1, own.length), 1)}%`,
      "true lag p50 (s)": format(
        percentile(own.map((sample) => sample.trueSeconds!).sort((a, b) => a - b), 0.5),
        1,
      ),
      "mean abs err (s)": format(mean(errors)),
      "p95 abs err (s)": format(percentile(errors, 0.95)),
      "p95 rel err": `${format(100 * percentile(relative, 0.95), 1)}%`,
      "within max(interval, 10%)": `${format(100 * withinBound / Math.max(1, valued.length), 1)}%`,
      "first value err (s)": firstValued
        ? `${format(errorOf(firstValued))} (it. ${firstValued.iteration})`
        : "-",
      "no value after 1st it.": noValueAfterFirst,
      "NaN/neg": bad,
    });
  }
}
const headers = Object.keys(rows[0]);
const table = [
  `| ${headers.join(" | ")} |`,
  `| ${headers.map(() => "---").join(" | ")} |`,
  ...rows.map((row) => `| ${headers.map((header) => row[header]).join(" | ")} |`),
].join("\n");
const costLines = [...costs].map(([label, cost]) =>
  `${label}: ${cost.iterations} iterations, mean ${
    format(cost.totalMs / cost.iterations, 1)
  } ms/iteration` +
  (cost.fetchRequests > 0
    ? `; ${format(cost.fetchRequests / cost.iterations, 2)} Fetch requests/iteration (${
      format(cost.fetchMs / cost.fetchRequests, 1)
    } ms each), ${format(cost.lookups / cost.iterations, 1)} records read/iteration, ${
      format(cost.wanted / cost.iterations, 1)
    } timestamps used/iteration (${format(100 * cost.found / Math.max(1, cost.wanted), 1)}% found)`
    : "")
);
console.log(
  `Lag-in-seconds accuracy: Kafka ${broker.version}, ${values.minutes} min per scenario, iteration ${intervalSeconds} s, ${
    new Date().toISOString()
  }\n`,
);
console.log(
  scenarios.map((scenario) => `- ${scenario.name}: ${scenario.description}`).join("\n") + "\n",
);
console.log(table + "\n");
console.log(costLines.map((line) => `- ${line}`).join("\n"));
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
