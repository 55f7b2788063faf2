/** The long-running exporter: one loop per cluster, /metrics and health servers, graceful stop. */
import type { ExporterConfig } from "../config/load_config.ts";
import { abortableSleep, iterationDeadlineMs, runClusterLoop } from "../collect/cluster_loop.ts";
import { ExporterState } from "../collect/exporter_state.ts";
import { withDeadline } from "../collect/with_deadline.ts";
import { createExporterMetrics } from "../export/metrics_registry.ts";
import { describeError, type Logger } from "../log/logger.ts";
import { DuplicateNodeError } from "../scale_out/membership.ts";
import { singleInstance, type WorkSharing } from "../scale_out/work_sharing.ts";
import { COMMIT, VERSION } from "../version.ts";
import { ClusterMonitor } from "./cluster_monitor.ts";
import { HttpServers } from "./http_servers.ts";
import { ConfigError } from "../config/config_error.ts";
import { EXIT_OK, EXIT_USAGE } from "./exit_codes.ts";

/** Longest wait for each shutdown step (deregistering, servers, Kafka and Redis clients). */
const SHUTDOWN_STEP_MS = 1_500;
/** Kept from the shutdown budget for closing the Kafka and Redis clients after the last push. */
const CLOSE_RESERVE_MS = 500;
/** Kept from the shutdown budget for the process to end once every step is done or abandoned. */
const EXIT_MARGIN_MS = 500;

/** Waits for `work` to settle, at most `ms`; its outcome is ignored. */
async function settleWithin(work: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!work) return;
  await withDeadline(work, { deadlineMs: ms, what: "shutdown step" }).catch(() => {});
}

/** The long-running exporter: one loop per cluster, /metrics and health servers, graceful stop. */
export async function runService(
  config: ExporterConfig,
  { logger }: { logger: Logger },
): Promise<number> {
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
      memberLabels: config.metrics.memberLabels,
      native: config.metrics.native,
      compat: config.metrics.compat,
      otlp: config.otlp.enabled,
      version: VERSION,
      commit: COMMIT,
    },
  );
  if (config.storage.type === "redis") {
    try {
      // Loaded only here: the Redis client is a large dependency most single instances never use.
      const { startRedisWorkSharing } = await import("../scale_out/redis_work_sharing.ts");
      sharing = await startRedisWorkSharing(config, {
        logger,
        readTextFile: (path) => Deno.readTextFileSync(path),
        onRedisError: () => metrics.countStoreError("redis"),
        now: Date.now,
      });
    } catch (error) {
      if (!(error instanceof DuplicateNodeError)) throw error;
      console.error(`kafka-lag-deno: ${error.message}`);
      return EXIT_USAGE;
    }
  }

  let servers: HttpServers;
  try {
    servers = await HttpServers.start(config, { state, metrics, sharing, logger });
  } catch (error) {
    await sharing.stop();
    if (!(error instanceof ConfigError)) throw error;
    console.error(`kafka-lag-deno: ${error.message}`);
    return EXIT_USAGE;
  }
  const stop = new AbortController();
  /** When the shutdown budget (app.shutdown_timeout, from the signal) runs out. */
  let budgetEndsMs = Infinity;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    Deno.addSignalListener(signal, () => {
      if (stop.signal.aborted) return;
      logger.info("shutting down", { signal });
      budgetEndsMs = Date.now() + config.app.shutdownTimeoutMs - EXIT_MARGIN_MS;
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
  const monitors = config.clusters.map((cluster) =>
    new ClusterMonitor(cluster, {
      logger,
      metrics,
      now: Date.now,
      statusWindowMs: config.app.statusWindowMs,
      iterationIntervalMs: config.app.iterationIntervalMs,
    })
  );
  const pushLoops = config.remoteWrite.enabled || config.otlp.enabled
    ? await import("../export/push/push_loop.ts")
    : undefined;
  const pushDeps = { metrics, logger, signal: stop.signal, now: Date.now };
  const pushes = [
    config.remoteWrite.enabled ? pushLoops!.startRemoteWrite(config, pushDeps) : undefined,
    config.otlp.enabled
      ? await pushLoops!.startOtlp(config, {
        ...pushDeps,
        nodeId: config.app.nodeId,
        startTimeMs: performance.timeOrigin,
      })
      : undefined,
  ].filter((push) => push !== undefined);
  state.setLoopRunning(true);
  await Promise.all(monitors.map((monitor) =>
    runClusterLoop(
      {
        clusterName: monitor.config.name,
        intervalMs: config.app.iterationIntervalMs,
        deadlineMs: iterationDeadlineMs(config.app.iterationIntervalMs, monitor.config),
        signal: stop.signal,
      },
      {
        collect: () =>
          monitor.collect({
            store: sharing.store,
            now: Date.now,
            logger,
            concurrency: config.app.concurrency,
            selectOwnedGroups: (clusterName, groupIds) =>
              sharing.selectOwnedGroups(clusterName, groupIds),
            onStoreError: (error) => {
              metrics.countStoreError(config.storage.type);
              logger.warn("offset history store failed", {
                cluster: monitor.config.name,
                error: describeError(error),
              });
            },
          }),
        resetClient: () => monitor.close(),
        now: Date.now,
        sleep: abortableSleep,
        logger,
        publish: (status) => {
          state.publish(status);
          sharing.snapshotPublished(status.clusterName, status.snapshot !== undefined);
        },
      },
    )
  ));
  state.setLoopRunning(false);

  // Every step is bounded, all of them together by app.shutdown_timeout: a hung broker, Redis or
  // remote-write endpoint must not hold the process past the grace period systemd and Kubernetes
  // give (Deno.exit then drops whatever is still open). Deregistered first, so that a SIGKILL
  // after the grace period cannot leave the peers waiting a whole TTL for this one's groups.
  if (budgetEndsMs === Infinity) {
    budgetEndsMs = Date.now() + config.app.shutdownTimeoutMs - EXIT_MARGIN_MS;
  }
  const left = () => Math.max(0, budgetEndsMs - Date.now());
  const step = () => Math.min(SHUTDOWN_STEP_MS, left());
  // The last push is taken while the groups are still this instance's; from the moment it
  // leaves, neither /metrics nor remote write carries them (their new owner may already).
  await settleWithin(Promise.all(pushes.map((push) => push.lastPush())), step());
  state.withdrawSnapshots();
  await settleWithin(sharing.leave(), step());
  await settleWithin(servers.shutdown(), step());
  // The flush gets what is left, less a moment to close the clients.
  const flushEndsMs = budgetEndsMs - CLOSE_RESERVE_MS;
  await settleWithin(
    Promise.all(pushes.map((push) => push.flush(flushEndsMs))),
    Math.max(0, flushEndsMs - Date.now()),
  );
  await settleWithin(Promise.all(monitors.map((monitor) => monitor.close())), step());
  await settleWithin(sharing.stop(), step());
  logger.info("stopped");
  return EXIT_OK;
}
