/**
 * kafka-lag-deno entry point and composition root: the only place that creates real clients,
 * listens on ports and handles signals.
 */
import { stringify } from "yaml";
import { parseCliArgs, USAGE } from "./src/cli/parse_args.ts";
import { renderOnceJson, renderOnceTable } from "./src/cli/once_report.ts";
import { ConfigError, UsageError } from "./src/config/config_error.ts";
import {
  type ExporterConfig,
  type KafkaClusterConfig,
  loadConfig,
} from "./src/config/load_config.ts";
import { redactConfig } from "./src/config/redact.ts";
import type { ClusterStatus } from "./src/collect/cluster_snapshot.ts";
import { collectCluster } from "./src/collect/collect_cluster.ts";
import { RecordTimeCache } from "./src/collect/record_timestamps.ts";
import { GroupMemory } from "./src/collect/group_memory.ts";
import { abortableSleep, iterateCluster, runClusterLoop } from "./src/collect/cluster_loop.ts";
import { ExporterState } from "./src/collect/exporter_state.ts";
import { withDeadline } from "./src/collect/with_deadline.ts";
import { createExporterMetrics, type ExporterMetrics } from "./src/export/metrics_registry.ts";
import { createHandler } from "./src/http/create_handler.ts";
import { evaluateHealth } from "./src/http/health.ts";
import { createKafkajsAdmin } from "./src/kafka/kafkajs_admin.ts";
import type { KafkaAdmin } from "./src/kafka/kafka_admin.ts";
import { createLogger, describeError, type Logger } from "./src/log/logger.ts";
import { MemoryOffsetHistoryStore } from "./src/store/memory_store.ts";
import { DuplicateNodeError } from "./src/cluster/membership.ts";
import { singleInstance, type WorkSharing } from "./src/cluster/work_sharing.ts";
import { COMMIT, VERSION } from "./src/version.ts";

const EXIT_OK = 0;
const EXIT_RUNTIME = 1;
const EXIT_USAGE = 2;
/** Longest wait for each shutdown step (deregistering, servers, Kafka and Redis clients). */
const SHUTDOWN_STEP_MS = 1_500;

/** Waits for `work` to settle, at most `ms`; its outcome is ignored. */
async function settleWithin(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!work) return;
  await withDeadline(work, ms, "shutdown step").catch(() => {});
}

/** Runs the program with `args` and returns its exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let cli;
  try {
    cli = parseCliArgs(args, (name) => Deno.env.get(name));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    printError(`kafka-lag-deno: ${error.message} (see --help)`);
    return EXIT_USAGE;
  }
  if (cli.help) {
    console.log(USAGE);
    return EXIT_OK;
  }
  if (cli.version) {
    console.log(`kafka-lag-deno ${VERSION} (commit ${COMMIT}, deno ${Deno.version.deno})`);
    return EXIT_OK;
  }

  let config: ExporterConfig;
  try {
    config = await loadConfig(cli.configFile, {
      readTextFile: (path) => Deno.readTextFile(path),
      getEnv: (name) => Deno.env.get(name),
      hostname: () => Deno.hostname(),
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    printError(`kafka-lag-deno: ${error.message}`);
    return EXIT_USAGE;
  }
  if (cli.checkConfig) {
    console.log(`# ${config.file} is valid; effective configuration (secrets redacted):`);
    console.log(stringify(redactConfig(config.effective)).trimEnd());
    return EXIT_OK;
  }

  const logger = createLogger({
    level: cli.logLevel ?? config.app.logLevel,
    format: config.app.logFormat,
  });
  // A daemon must not die on a stray rejection inside a client library; log it and keep going.
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    logger.warn("unhandled rejection", { error: describeError(event.reason) });
  });
  try {
    return cli.once ? await runOnce(config, cli.format, logger) : await runService(config, logger);
  } catch (error) {
    logger.error("fatal error", { error: describeError(error) });
    return EXIT_RUNTIME;
  }
}

/** Deadline of one cluster iteration: it must not outlive the interval, nor cut a slow request. */
function clusterDeadlineMs(config: ExporterConfig, cluster: KafkaClusterConfig): number {
  return Math.max(
    config.app.iterationIntervalMs,
    cluster.requestTimeoutMs + cluster.metadataTimeoutMs,
  );
}

function createAdmin(
  cluster: KafkaClusterConfig,
  logger: Logger,
  metrics?: ExporterMetrics,
): KafkaAdmin {
  return createKafkajsAdmin(cluster, {
    now: Date.now,
    logger,
    readTextFile: (path) => Deno.readTextFileSync(path),
    observeRequest: metrics
      ? (api, seconds) => metrics.observeKafkaRequest(cluster.name, api, seconds)
      : undefined,
  });
}

/** The cluster as --once measures it: exact mode on (one iteration has no offset history). */
function onceCluster(cluster: KafkaClusterConfig): KafkaClusterConfig {
  return { ...cluster, recordTimestamps: { ...cluster.recordTimestamps, exact: true } };
}

/** One iteration over every cluster, printed as a report; no ports, no Redis. */
async function runOnce(
  config: ExporterConfig,
  format: "table" | "json",
  logger: Logger,
): Promise<number> {
  const store = new MemoryOffsetHistoryStore({ retentionMs: config.storage.retentionMs });
  const statuses = await Promise.all(
    config.clusters.map(async (cluster): Promise<ClusterStatus> => {
      const admin = createAdmin(cluster, logger);
      try {
        return await iterateCluster(
          { clusterName: cluster.name, iterationErrorsTotal: 0 },
          {
            intervalMs: config.app.iterationIntervalMs,
            deadlineMs: clusterDeadlineMs(config, cluster),
          },
          {
            // One iteration has no offset history: read record timestamps instead, so the
            // report has lag in seconds for lagging partitions too.
            collect: () =>
              collectCluster(onceCluster(cluster), {
                admin,
                store,
                now: Date.now,
                logger,
                concurrency: config.app.numWorkers,
              }),
            resetClient: () => admin.close(),
            now: Date.now,
            logger,
          },
        );
      } finally {
        await admin.close();
      }
    }),
  );
  await store.close();
  await writeStdout(format === "json" ? renderOnceJson(statuses) : renderOnceTable(statuses));
  return statuses.some((status) => status.up) ? EXIT_OK : EXIT_RUNTIME;
}

/** The long-running exporter: one loop per cluster, /metrics and health servers, graceful stop. */
async function runService(config: ExporterConfig, logger: Logger): Promise<number> {
  const state = new ExporterState(config.clusters.map((cluster) => cluster.name));
  let sharing: WorkSharing = singleInstance(config);
  const metrics = createExporterMetrics(
    {
      clusters: () => state.clusters(),
      iterationSeconds: () => state.iterationSeconds(),
      liveInstances: () => sharing.liveInstances(),
    },
    {
      labels: config.metrics.labels,
      granularity: config.metrics.granularity,
      version: VERSION,
      commit: COMMIT,
    },
  );
  if (config.storage.type === "redis") {
    try {
      // Loaded only here: the Redis client is a large dependency most single instances never use.
      const { startRedisWorkSharing } = await import("./src/cluster/redis_work_sharing.ts");
      sharing = await startRedisWorkSharing(config, {
        logger,
        readTextFile: (path) => Deno.readTextFileSync(path),
        onRedisError: () => metrics.countStoreError("redis"),
      });
    } catch (error) {
      if (!(error instanceof DuplicateNodeError)) throw error;
      printError(`kafka-lag-deno: ${error.message}`);
      return EXIT_USAGE;
    }
  }

  let servers: Deno.HttpServer[];
  try {
    servers = startServers(config, state, metrics, sharing, logger);
  } catch (error) {
    await sharing.stop();
    throw error;
  }
  const stop = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(signal, () => {
      if (stop.signal.aborted) return;
      logger.info("shutting down", { signal });
      stop.abort();
    });
  }

  logger.info("kafka-lag-deno started", {
    version: VERSION,
    node_id: config.app.nodeId,
    storage: config.storage.type,
    clusters: config.clusters.map((cluster) => cluster.name).join(","),
    metrics_port: config.metrics.port,
    health_port: config.app.healthPort,
    interval_ms: config.app.iterationIntervalMs,
  });
  const admins = config.clusters.map((cluster) => createAdmin(cluster, logger, metrics));
  const recordTimes = config.clusters.map(() => new RecordTimeCache());
  const groupMemories = config.clusters.map(() => new GroupMemory());
  const remoteWrite = config.remoteWrite.enabled
    ? (await import("./src/export/remote_write/push_loop.ts")).startRemoteWrite(config, {
      metrics,
      logger,
      signal: stop.signal,
    })
    : undefined;
  state.setLoopRunning(true);
  await Promise.all(config.clusters.map((cluster, index) =>
    runClusterLoop(
      cluster.name,
      {
        intervalMs: config.app.iterationIntervalMs,
        deadlineMs: clusterDeadlineMs(config, cluster),
      },
      {
        collect: () =>
          collectCluster(cluster, {
            admin: admins[index],
            store: sharing.store,
            now: Date.now,
            logger,
            concurrency: config.app.numWorkers,
            recordTimes: recordTimes[index],
            groupMemory: groupMemories[index],
            selectOwnedGroups: (clusterName, groupIds) =>
              sharing.selectOwnedGroups(clusterName, groupIds),
            onStoreError: (error) => {
              metrics.countStoreError(config.storage.type);
              logger.warn("offset history store failed", {
                cluster: cluster.name,
                error: describeError(error),
              });
            },
          }),
        resetClient: () => admins[index].close(),
        now: Date.now,
        sleep: abortableSleep,
        logger,
        publish: (status) => {
          state.publish(status);
          sharing.snapshotPublished(status.clusterName, status.snapshot !== undefined);
        },
      },
      stop.signal,
    )
  ));
  state.setLoopRunning(false);

  // Every step is bounded: a hung broker or Redis must not hold the process past the grace
  // period systemd and Kubernetes give (Deno.exit then drops whatever is still open).
  await remoteWrite?.finish();
  await settleWithin(Promise.all(servers.map((server) => server.shutdown())), SHUTDOWN_STEP_MS);
  // Deregistered only once /metrics is gone, so the other instances take over this one's groups
  // on their next iteration without a moment where two instances export them.
  await settleWithin(sharing.leave(), SHUTDOWN_STEP_MS);
  await settleWithin(Promise.all(admins.map((admin) => admin.close())), SHUTDOWN_STEP_MS);
  await settleWithin(sharing.stop(), SHUTDOWN_STEP_MS);
  logger.info("stopped");
  return EXIT_OK;
}

function startServers(
  config: ExporterConfig,
  state: ExporterState,
  metrics: ExporterMetrics,
  sharing: WorkSharing,
  logger: Logger,
): Deno.HttpServer[] {
  const deps = {
    renderMetrics: () => metrics.render(),
    health: () => evaluateHealth(state.clusters(), sharing.healthy()),
    live: () => state.loopRunning(),
  };
  const healthPath = config.app.healthPath;
  const listen = (port: number, serveMetrics: boolean, serveHealth: boolean) =>
    Deno.serve({
      hostname: "0.0.0.0",
      port,
      onListen: ({ port }) =>
        logger.info("listening", { port, metrics: serveMetrics, health: serveHealth }),
      onError: (error) => {
        logger.error("HTTP handler failed", { error: describeError(error) });
        return new Response("internal error\n", { status: 500 });
      },
    }, createHandler(deps, { serveMetrics, serveHealth, healthPath }));
  try {
    if (config.metrics.port === config.app.healthPort) {
      return [listen(config.metrics.port, true, true)];
    }
    return [listen(config.metrics.port, true, false), listen(config.app.healthPort, false, true)];
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Error(
        `cannot listen: a port is already in use (metrics ${config.metrics.port}, health ${config.app.healthPort})`,
        { cause: error },
      );
    }
    throw error;
  }
}

function printError(message: string): void {
  console.error(message);
}

async function writeStdout(text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
