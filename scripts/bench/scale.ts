/**
 * Scale benchmark (not part of the test run): `deno task bench:scale [--sizes 1000,10000,50000]`.
 * Longer than 350 lines: one benchmark's sequence (fixture, sizes, measurements, report) in order.
 * On a local Kafka: T topics × P partitions, G groups each reading 1–5 topics (about 25
 * group-partitions per group), offsets committed directly. For each size and store (memory,
 * Redis), a real exporter process (the binary's permission flags) runs back-to-back iterations
 * for `--seconds` while being scraped (gzip) every `--scrape-interval` seconds, as one Prometheus
 * would (the warm-up before it polls gzip too); reported: median iteration wall time (every
 * iteration's, from the JSON API), anonymous memory peak (whole run, up to the window's end), CPU
 * seconds and Kafka requests by API per iteration, peak RSS (/proc VmHWM, the process's whole
 * life), /metrics render time and bytes (one uncompressed scrape after the window; the gzip
 * scrapes' time and bytes on the wire), Redis commands and bytes per iteration (INFO).
 * A store written `memory+rw` also pushes every iteration to a real Prometheus by remote write
 * (`--rw-interval` seconds apart): samples sent and dropped per push, request time per push, and
 * how many lag series Prometheus holds afterwards. `memory@topic` measures at topic granularity
 * (`--granularity` sets the default). `--clusters 5` splits the groups over 5 cluster entries
 * (all on the one broker), each iterating on its own schedule.
 */
import { parseArgs } from "node:util";
import { startKafka } from "../../tests/harness/kafka.ts";
import { startExporter } from "../../tests/harness/exporter.ts";
import { commitManyGroups, type GroupCommit } from "../../tests/harness/kafka_fixtures.ts";
import { eventually, freePort } from "../../tests/harness/processes.ts";
import { type parsePrometheusText, sampleValue } from "../../tests/harness/prom_text.ts";
import { startRedis } from "../../tests/harness/redis.ts";
import { startPrometheus } from "../../tests/harness/prometheus.ts";
import { measureBrokerFloor } from "./broker_floor.ts";
import { allocationsByFunction, heapByConstructor, profileCpu } from "./inspect_exporter.ts";
import { createScaleTopics, groupCommits, RECORDS_PER_PARTITION } from "./scale_fixture.ts";
import { checkLagAgreement } from "./lag_agreement.ts";
import {
  gzipScrapeOf,
  median,
  printScaleReport,
  procStats,
  recordIterations,
  redisPerIteration,
  remoteWriteSummary,
  requests,
  requestsPerIteration,
  sampleMemory,
  scrapeExposition,
  spread,
} from "./scale_probes.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    sizes: { type: "string", default: "100,1000,10000" },
    seconds: { type: "string", default: "40" },
    "scrape-interval": { type: "string", default: "5" },
    topics: { type: "string", default: "200" },
    partitions: { type: "string", default: "8" },
    stores: { type: "string", default: "memory,redis" },
    "rw-interval": { type: "string", default: "15" },
    // prometheus_local.granularity of the exporter.
    granularity: { type: "string", default: "partition" },
    // Cluster entries (1, 2, 5 or 10), all against the one broker, each measuring its share of
    // the groups (a consumer_groups whitelist on the group number's last digit).
    clusters: { type: "string", default: "1" },
    // The broker's JVM heap: 100,000 groups keep some 2.4 million committed offsets in it.
    "kafka-heap": { type: "string", default: "512m" },
    // Sets up the groups of the largest size, prints the bootstrap address and waits for Ctrl-C:
    // for profiling an exporter started by hand against the same data.
    hold: { type: "boolean", default: false },
    // After the measured window of the largest size (first store): a CPU profile and a heap
    // snapshot by constructor of the exporter, over its inspector.
    inspect: { type: "boolean", default: false },
    // gzip scrapes sent at once each round, as HA Prometheus pairs and federation do.
    "concurrent-scrapes": { type: "string", default: "1" },
  },
});
// The idle exporter (no group) is always measured first: bytes per group-partition are counted
// above it.
const listedSizes = values.sizes!.split(",").map(Number);
const sizes = values.hold ? [Math.max(...listedSizes)] : [...new Set([0, ...listedSizes])];
const MEASURE_SECONDS = Number(values.seconds);
const SCRAPE_SECONDS = Number(values["scrape-interval"]);
const CONCURRENT_SCRAPES = Number(values["concurrent-scrapes"]);
const TOPICS = Number(values.topics);
const PARTITIONS = Number(values.partitions);
const GRANULARITY = values.granularity as "partition" | "topic" | "group";
const CLUSTERS = Number(values.clusters);
if (![1, 2, 5, 10].includes(CLUSTERS)) throw new Error("--clusters must be 1, 2, 5 or 10");
const clusterNames = Array.from({ length: CLUSTERS }, (_, index) => `bench-${index}`);
/** The last digits of the group numbers cluster `index` measures. */
const digitsOf = (index: number) =>
  Array.from({ length: 10 / CLUSTERS }, (_, step) => index + step * CLUSTERS).join("");
const say = (line: string) => console.error(`[bench] ${line}`);

await using broker = await startKafka({ maxHeap: values["kafka-heap"] });
await using redis = await startRedis();
const topicNames = await createScaleTopics(broker.bootstrap, {
  topics: TOPICS,
  partitions: PARTITIONS,
});
say(
  `Kafka ${broker.version}: ${TOPICS} topics × ${PARTITIONS} partitions, ${RECORDS_PER_PARTITION} records each`,
);

const groupCommit = groupCommits({ topicNames, partitions: PARTITIONS });

type Samples = ReturnType<typeof parsePrometheusText>;

/** A per-cluster metric summed over the benchmark's clusters. */
function sumOverClusters(samples: Samples, name: string, labels: Record<string, string> = {}) {
  return perCluster(samples, name, labels).reduce((sum, value) => sum + value, 0);
}

/** A per-cluster metric, one value per benchmark cluster (0 when absent). */
function perCluster(samples: Samples, name: string, labels: Record<string, string> = {}) {
  return clusterNames.map((clustername) =>
    sampleValue(samples, name, { clustername, ...labels }) ?? 0
  );
}

const rows: string[] = [];
const coldLines: string[] = [];
let committed = 0;
let totalGroupPartitions = 0;
const inspections: string[] = [];
/** RssAnon (MB) of the idle exporter at the end of its window: the base of bytes per partition. */
let idleAnonMb: number | undefined;
const topicPartitions = new Map(
  topicNames.map((topic) => [topic, Array.from({ length: PARTITIONS }, (_, index) => index)]),
);
for (const size of sizes) {
  const started = Date.now();
  const commits: GroupCommit[] = [];
  while (committed + commits.length < size) commits.push(groupCommit(committed + commits.length));
  await commitManyGroups(broker.bootstrap, commits);
  committed = size;
  const groupPartitions = commits.reduce((sum, commit) => sum + commit.offsets.length, 0);
  totalGroupPartitions += groupPartitions;
  say(
    `${size} groups ready (+${commits.length} in ${
      ((Date.now() - started) / 1_000).toFixed(0)
    } s, ~${Math.round(groupPartitions / Math.max(1, commits.length))} group-partitions each)`,
  );

  if (values.hold) {
    say(
      `holding: Kafka on ${broker.bootstrap}, Redis on ${redis.host}:${redis.port}; Ctrl-C stops`,
    );
    await new Promise<void>((resolve) => Deno.addSignalListener("SIGINT", resolve));
    break;
  }
  for (const variant of values.stores!.split(",")) {
    // A variant is a store, `+rw` for remote write, `@topic` (or `@group`) for that granularity.
    const [storeAndPush, granularity = GRANULARITY] = variant.split("@");
    const store = storeAndPush.replace(/\+rw$/, "") as "memory" | "redis";
    await redis.cli(["flushall"]);
    await using prometheus = storeAndPush.endsWith("+rw") ? await startPrometheus() : undefined;
    const inspectPort = values.inspect && size === sizes.at(-1) ? freePort() : undefined;
    const exporter = await startExporter({
      kafka_clusters: clusterNames.map((name, index) => ({
        name,
        brokers: [broker.bootstrap],
        client_request_timeout: "60s",
        ...(CLUSTERS > 1
          ? { consumer_groups: { whitelist: [`^scale-group-\\d*[${digitsOf(index)}]$`] } }
          : {}),
      })),
      prometheus_local: { granularity },
      storage: store === "redis"
        ? { type: "redis", redis: { address: redis.host, port: redis.port, key_prefix: "scale" } }
        : { type: "memory" },
      app: {
        iteration_interval: prometheus ? `${values["rw-interval"]}s` : "1s",
        node_id: "bench",
      },
      ...(prometheus
        ? { prometheus_remote_write: { enabled: true, url: `${prometheus.url}/api/v1/write` } }
        : {}),
    }, { denoFlags: inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [] });
    const pid = exporter.pid;
    const memory = sampleMemory(pid);
    const scrape = () => scrapeExposition(exporter.metricsUrl);
    // Until the window, the benchmark polls every second or so: as Prometheus asks (gzip), so
    // that its own polling does not weigh on the memory peak more than one Prometheus would.
    const poll = () => scrapeExposition(exporter.metricsUrl, undefined, { gzip: true });
    const gzipScrape = () => gzipScrapeOf(exporter.metricsUrl);
    // The first iteration warms connections and the history: measure the ones after it.
    let last = await eventually(
      "first iteration",
      async () => {
        const { samples } = await poll();
        return sumOverClusters(samples, "kafka_total_groups_checked") === size
          ? samples
          : undefined;
      },
      300_000,
      500,
    );
    // Cold start: every committed record predates the exporter, so lag in seconds comes from
    // reading records (at most exact_lag_seconds.max_partitions per iteration, the rest deferred).
    // Measured from the first snapshot until nothing is deferred any more.
    const coldFrom = last;
    const coldStartedMs = Date.now();
    const coldDurations: number[] = [];
    while (Date.now() - coldStartedMs < 300_000) {
      const deferred = sumOverClusters(last, "kafka_lag_exporter_record_lookups", {
        result: "deferred",
      });
      coldDurations.push(
        ...perCluster(last, "kafka_lag_exporter_cluster_iteration_duration_seconds"),
      );
      if (deferred === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      last = (await poll()).samples;
    }
    const histogram = (samples: Samples, suffix: string) =>
      sumOverClusters(samples, `kafka_lag_exporter_kafka_request_duration_seconds_${suffix}`, {
        api: "Fetch",
      });
    const coldIterations = Math.max(
      1,
      ((requests(last).ListGroups ?? 0) - (requests(coldFrom).ListGroups ?? 0)) / CLUSTERS + 1,
    );
    const coldFetches = histogram(last, "count");
    const coldLine =
      `${size} groups, ${variant}, cold start: every lagging partition dated by its ` +
      `record after ~${coldIterations} iterations (${
        ((Date.now() - coldStartedMs) / 1_000).toFixed(0)
      } s after the first snapshot); ${coldFetches} Fetch requests in all (${
        (coldFetches / coldIterations).toFixed(1)
      }/iteration, ${
        (1_000 * histogram(last, "sum") / Math.max(1, coldFetches)).toFixed(1)
      } ms each), ${
        sumOverClusters(last, "kafka_lag_exporter_record_lookups", { result: "found" })
      } records found, ${
        sumOverClusters(last, "kafka_lag_exporter_record_lookups", { result: "missing" })
      } missing; iteration during it median ${median(coldDurations).toFixed(2)} s`;
    coldLines.push(coldLine);
    say(coldLine);
    const cpuBefore = await procStats(pid);
    const redisBefore = await redis.stats();
    const requestsBefore = requests(last);
    const samplesBefore = last;
    // Scraped as one Prometheus does (gzip, every SCRAPE_SECONDS), not more: every scrape renders
    // the exposition from the snapshot on the thread the iterations run on, so each extra scrape
    // in the window would slow the iterations it overlaps (at 100,000 groups a rendering takes
    // seconds). The uncompressed exposition is read once after the window (render time, size,
    // series, and the samples the request and heap columns come from).
    const renders: number[] = [];
    const gzipRenders: number[] = [];
    let gzipBytes = 0;
    const measureUntil = Date.now() + MEASURE_SECONDS * 1_000;
    // Every iteration of the window, not only the ones the scrapes happen to show.
    const everyIteration = recordIterations(
      exporter.metricsUrl.replace(/\/metrics$/, "/api/v1/clusters"),
      measureUntil,
    );
    while (Date.now() < measureUntil) {
      await new Promise((resolve) => setTimeout(resolve, SCRAPE_SECONDS * 1_000));
      const concurrent = await Promise.all(
        Array.from({ length: CONCURRENT_SCRAPES }, () => gzipScrape()),
      );
      const gzipped = concurrent.reduce((slowest, one) => one.ms > slowest.ms ? one : slowest);
      gzipRenders.push(gzipped.ms);
      gzipBytes = gzipped.bytes;
    }
    const iterationsByCluster = await everyIteration;
    const wallsByCluster = clusterNames.map((name) => iterationsByCluster.get(name) ?? []);
    const walls = wallsByCluster.flat();
    const cpuAfter = await procStats(pid);
    // Stopped before any inspection: a heap snapshot allocates in the exporter.
    await memory.stop();
    const render = await scrape();
    renders.push(render.ms);
    const bytes = render.bytes;
    const lagSeries = render.lagSeries;
    last = render.samples;
    const heapUsedMb =
      (sampleValue(last, "kafka_lag_exporter_process_memory_bytes", { kind: "heap_used" }) ?? 0) /
      1_048_576;
    const heapTotalMb = (sampleValue(last, "process_heap_bytes") ?? 0) / 1_048_576;
    // Lag agreement: one more scrape, every group-partition against the truth (lag_agreement.ts).
    if (size > 0 && granularity === "partition") {
      const agreement = await checkLagAgreement({
        metricsUrl: exporter.metricsUrl,
        bootstrap: broker.bootstrap,
        topicNames,
        partitions: PARTITIONS,
        groups: size,
      });
      coldLines.push(`${size} groups, ${variant}: ${agreement}`);
      say(coldLines.at(-1)!);
    }
    if (inspectPort) {
      inspections.push(
        `${size} groups, ${variant}: self time over 20 s of iterations and scrapes`,
        ...await profileCpu(inspectPort, { seconds: 20 }),
        `${size} groups, ${variant}: what was allocated over 10 s, by function (self)`,
        ...await allocationsByFunction(inspectPort, { seconds: 10 }),
        `${size} groups, ${variant}: heap by constructor after a full GC (shallow size)`,
        ...await heapByConstructor(inspectPort),
      );
    }
    const redisAfter = await redis.stats();
    const requestsAfter = requests(last);
    await exporter.stop();
    if (size === 0 && store === "memory") idleAnonMb ??= cpuAfter.anonMb;
    const bytesPerGroupPartition = size > 0 && idleAnonMb !== undefined
      ? `${((cpuAfter.anonMb - idleAnonMb) * 1_048_576 / totalGroupPartitions).toFixed(0)} B`
      : "-";
    // Measured after the exporter stopped, so the two never share the cores.
    const floor = size > 0 && CLUSTERS === 1
      ? await measureBrokerFloor({
        bootstrap: broker.bootstrap,
        groupIds: Array.from({ length: size }, (_, index) => `scale-group-${index}`),
        topics: topicPartitions,
        concurrency: 10,
      })
      : undefined;
    const floorText = floor
      ? `${(floor.medianMs / 1_000).toFixed(2)} s (×${
        (median(walls) / (floor.medianMs / 1_000)).toFixed(2)
      })`
      : "-";
    // Iterations run back to back: count them by ListGroups (one per iteration), not by scrapes;
    // with several clusters, an iteration of each.
    const iterations = Math.max(
      1,
      ((requestsAfter.ListGroups ?? 0) - (requestsBefore.ListGroups ?? 0)) / CLUSTERS,
    );
    if (CLUSTERS > 1) {
      const line = `${size} groups in ${CLUSTERS} clusters, ${variant}: iteration per cluster ${
        wallsByCluster.map((list, index) =>
          `${clusterNames[index]} ${spread(list, (value) => `${value.toFixed(2)} s`)}`
        ).join(", ")
      }`;
      coldLines.push(line);
      say(line);
    }
    const perIteration = requestsPerIteration(requestsBefore, { after: requestsAfter, iterations });
    const redisPer = store === "redis"
      ? redisPerIteration(redisBefore, { after: redisAfter, iterations })
      : prometheus
      ? await remoteWriteSummary(prometheus, {
        before: samplesBefore,
        after: last,
        pushes: iterations,
        shown: lagSeries,
      })
      : "-";
    const row = `| ${size.toLocaleString("en")} | ${variant} | ${
      spread(walls, (value) => `${value.toFixed(2)} s`)
    } | ${floorText} | ${
      // The CPU of the window, over the iterations that ended in it.
      ((cpuAfter.cpuSeconds - cpuBefore.cpuSeconds) / Math.max(1, walls.length / CLUSTERS))
        .toFixed(2)} s | ${memory.peak.anonMb.toFixed(0)} / ${cpuAfter.anonMb.toFixed(0)} MB | ${
      memory.peak.fileMb.toFixed(0)
    } / ${cpuAfter.fileMb.toFixed(0)} MB | ${heapUsedMb.toFixed(0)} / ${
      heapTotalMb.toFixed(0)
    } MB | ${bytesPerGroupPartition} | ${cpuAfter.peakRssMb.toFixed(0)} MB | ${
      spread(renders, (value) => value.toFixed(0))
    } ms / ${(bytes / 1_048_576).toFixed(1)} MB | ${
      spread(gzipRenders, (value) => value.toFixed(0))
    } ms / ${(gzipBytes / 1_048_576).toFixed(1)} MB | ${perIteration} | ${redisPer} |`;
    rows.push(row);
    say(row);
  }
}
await printScaleReport({
  heading: `Kafka ${broker.version}, ${TOPICS} topics × ${PARTITIONS} partitions, ${CLUSTERS} ` +
    `cluster entr${CLUSTERS === 1 ? "y" : "ies"}, granularity ${GRANULARITY}, iterations back ` +
    `to back for ${MEASURE_SECONDS} s each, scraped every ${SCRAPE_SECONDS} s ` +
    `(${CONCURRENT_SCRAPES} gzip scrape${
      CONCURRENT_SCRAPES === 1 ? "" : "s at once; the slowest shown"
    })`,
  rows,
  notes: coldLines,
  inspections,
});
Deno.exit(0);
