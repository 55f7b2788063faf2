/**
 * The exporter's own metrics (prom-client), collector style: the per-cluster gauges are reset and
 * refilled from the latest cluster snapshots on every scrape, so a cluster or group that vanished
 * has no series at all. The lag series themselves are rendered by lag_series.ts and appended;
 * what an iteration left out or estimated is in snapshot_detail_metrics.ts, the push paths' own
 * metrics in push_metrics.ts.
 */
import { Counter, Gauge, Histogram, type OpenMetricsContentType, Registry } from "prom-client";
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";
import { type Granularity, lagSeriesValues, lagTextChunks } from "./lag_series.ts";
import { textStream } from "./text_stream.ts";
import type { SeriesSource } from "./push/remote_writer.ts";
import { type PushHooks, registerPushMetrics } from "./push_metrics.ts";
import { registerSnapshotDetailMetrics } from "./snapshot_detail_metrics.ts";
import { type CompatScheme, compatSeriesValues, compatTextChunks } from "./compat_series.ts";
import { currentProcess, type ProcessReadings, registerProcessMetrics } from "./process_metrics.ts";

/** Which lag series to export: finer ones are dropped to bound cardinality. */
export type { Granularity } from "./lag_series.ts";

/** Where the metrics read from. */
export interface MetricsSource {
  clusters(): ClusterStatus[];
  iterationSeconds(): number | undefined;
  /** Live instances sharing the work (1 without Redis). */
  liveInstances(): number;
}

/** Settings of the registry. */
export interface MetricsOptions {
  labels: Record<string, string>;
  granularity: Granularity;
  /** Label partition lag series with the member owning the partition. */
  memberLabels?: boolean;
  /** Export our own lag series (false when only compat names are wanted). */
  native?: boolean;
  /** Also export the lag series under these exporters' names. */
  compat?: readonly CompatScheme[];
  version: string;
  commit: string;
  /** Whether OTLP push is configured (its metrics exist only then). */
  otlp?: boolean;
  /** Process memory, injectable for tests; Deno.memoryUsage by default. */
  memoryUsage?: () => { rss: number; heapUsed: number };
  /** Readings for the process_* metrics, injectable for tests; this process by default. */
  process?: ProcessReadings;
}

/** The registry plus the hooks the rest of the exporter records into. */
export interface ExporterMetrics {
  registry: Registry;
  /**
   * Prometheus text format of the current state, as a stream generated while it is read (it can
   * be tens of megabytes: never held whole).
   */
  render(options?: { openMetrics?: boolean }): Promise<ReadableStream<Uint8Array<ArrayBuffer>>>;
  /** The same series as render(), as values with their labels (`__name__` included), to push. */
  collectSeries(): Promise<SeriesSource>;
  /** Hooks of the remote-write client. */
  remoteWrite: PushHooks;
  /** Hooks of the OTLP client (when configured). */
  otlp?: PushHooks;
  observeKafkaRequest(request: { clusterName: string; api: string; seconds: number }): void;
  countStoreError(store: string): void;
}

/** Builds the registry over `source`. */
export function createExporterMetrics(
  source: MetricsSource,
  options: MetricsOptions,
): ExporterMetrics {
  const registry = new Registry();
  // The same metrics in OpenMetrics syntax, for scrapers that ask for it (Prometheus 3 does).
  const openMetricsRegistry = new Registry<OpenMetricsContentType>();
  openMetricsRegistry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  // deno-lint-ignore no-explicit-any -- prom-client types a registry per syntax; metrics take both
  const registers = [registry, openMetricsRegistry] as Registry<any>[];
  for (const one of registers) one.setDefaultLabels(options.labels);

  /** A gauge refilled from the snapshots at every scrape (reset first: nothing stale). */
  const snapshotGauge = <L extends string>(
    settings: { name: string; help: string; labelNames: readonly L[] },
  ) => new Gauge<L>({ ...settings, registers });

  const groupsChecked = snapshotGauge({
    name: "kafka_total_groups_checked",
    help: "Consumer groups measured in the last iteration of the cluster.",
    labelNames: ["clustername"],
  });
  const iterationTime = new Gauge({
    name: "kafka_iteration_time_seconds",
    help: "Duration of the last iteration (the slowest cluster's, when there are several).",
    registers,
  });

  const clusterUp = snapshotGauge({
    name: "kafka_lag_exporter_cluster_up",
    help: "1 if the last iteration over the cluster succeeded, 0 if it failed.",
    labelNames: ["clustername"],
  });
  const clusterErrors = new Counter({
    name: "kafka_lag_exporter_cluster_iteration_errors_total",
    help: "Iterations over the cluster that failed.",
    labelNames: ["clustername"],
    registers,
  });
  const clusterDuration = snapshotGauge({
    name: "kafka_lag_exporter_cluster_iteration_duration_seconds",
    help: "Duration of the last iteration over the cluster.",
    labelNames: ["clustername"],
  });
  const clusterLastSuccess = snapshotGauge({
    name: "kafka_lag_exporter_cluster_last_success_timestamp_seconds",
    help: "Unix time at which the last successful iteration over the cluster ended.",
    labelNames: ["clustername"],
  });
  const snapshotDetails = registerSnapshotDetailMetrics(registers);
  const liveInstances = new Gauge({
    name: "kafka_lag_exporter_live_instances",
    help: "Exporter instances sharing the work.",
    registers,
  });
  const kafkaRequests = new Histogram({
    name: "kafka_lag_exporter_kafka_request_duration_seconds",
    help: "Duration of Kafka requests by API.",
    labelNames: ["clustername", "api"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const storeErrors = new Counter({
    name: "kafka_lag_exporter_store_errors_total",
    help:
      "Failed reads or writes of the offset history store (Redis errors when the store is Redis).",
    labelNames: ["store"],
    registers,
  });
  const buildInfo = new Gauge({
    name: "kafka_lag_exporter_build_info",
    help: "Always 1; the labels carry the build's version and commit.",
    labelNames: ["version", "commit", "deno_version"],
    registers,
  });
  buildInfo.set({
    version: options.version,
    commit: options.commit,
    deno_version: Deno.version.deno,
  }, 1);
  const memory = new Gauge({
    name: "kafka_lag_exporter_process_memory_bytes",
    help: "Memory of the exporter process (rss: resident set; heap_used: JavaScript heap in use).",
    labelNames: ["kind"],
    registers,
  });
  const memoryUsage = options.memoryUsage ?? (() => Deno.memoryUsage());
  registerProcessMetrics(registers, options.process ?? currentProcess());

  const snapshotGauges = [
    groupsChecked,
    iterationTime,
    clusterUp,
    clusterDuration,
    clusterLastSuccess,
    liveInstances,
    memory,
  ];

  const refresh = () => {
    for (const gauge of snapshotGauges) gauge.reset();
    snapshotDetails.reset();
    const seconds = source.iterationSeconds();
    if (seconds !== undefined) iterationTime.set(seconds);
    liveInstances.set(source.liveInstances());
    const usage = memoryUsage();
    memory.set({ kind: "rss" }, usage.rss);
    memory.set({ kind: "heap_used" }, usage.heapUsed);
    for (const status of source.clusters()) {
      const clustername = status.clusterName;
      if (status.up !== undefined) clusterUp.set({ clustername }, status.up ? 1 : 0);
      // Make the counter visible at 0 before the first failure, so rate() works from the start.
      clusterErrors.inc({ clustername }, 0);
      if (status.lastDurationSeconds !== undefined) {
        clusterDuration.set({ clustername }, status.lastDurationSeconds);
      }
      if (status.lastSuccessMs !== undefined) {
        clusterLastSuccess.set({ clustername }, status.lastSuccessMs / 1_000);
      }
      const snapshot = status.snapshot;
      if (!snapshot) continue;
      groupsChecked.set({ clustername }, snapshot.groupsChecked);
      snapshotDetails.fill(snapshot, { clustername });
    }
  };

  // Counters accumulate from the statuses rather than being incremented by the loop, so the
  // metrics stay a pure function of the state; track what was already counted per cluster.
  const countedErrors = new Map<string, number>();
  const syncErrorCounters = () => {
    for (const status of source.clusters()) {
      const already = countedErrors.get(status.clusterName) ?? 0;
      if (status.iterationErrorsTotal > already) {
        clusterErrors.inc(
          { clustername: status.clusterName },
          status.iterationErrorsTotal - already,
        );
        countedErrors.set(status.clusterName, status.iterationErrorsTotal);
      }
    }
  };

  const remoteWrite = registerPushMetrics(registers, "remote_write");
  const otlp = options.otlp ? registerPushMetrics(registers, "otlp") : undefined;

  const lagOptions = {
    labels: options.labels,
    granularity: options.granularity,
    memberLabels: options.memberLabels,
    native: options.native ?? true,
  };
  const compatOptions = { ...lagOptions, schemes: options.compat ?? [] };

  return {
    registry,
    render: async ({ openMetrics = false } = {}) => {
      refresh();
      syncErrorCounters();
      // The lag series are all gauges, written alike in both syntaxes; the exporter's own
      // (counters, histograms) come last, and in OpenMetrics end with "# EOF".
      const selfMetrics = await (openMetrics ? openMetricsRegistry : registry).metrics();
      // Snapshots are immutable: the stream reads the ones current now, however long it takes.
      const clusters = source.clusters();
      return textStream(concatPieces(
        lagTextChunks(clusters, lagOptions),
        compatTextChunks(clusters, compatOptions),
        [selfMetrics],
      ));
    },
    collectSeries: async () => {
      refresh();
      syncErrorCounters();
      // Captured now: the source gives these same series whenever it is read again.
      const clusters = source.clusters();
      const selfMetrics = await registry.getMetricsAsJSON();
      return function* () {
        yield* lagSeriesValues(clusters, lagOptions);
        yield* compatSeriesValues(clusters, compatOptions);
        for (const metric of selfMetrics) {
          const samples = metric.values as Array<{
            value: number;
            labels: Record<string, string | number>;
            metricName?: string;
          }>;
          for (const sample of samples) {
            const labels: Record<string, string> = { __name__: sample.metricName ?? metric.name };
            for (const [name, value] of Object.entries(sample.labels)) labels[name] = String(value);
            yield { labels, value: sample.value };
          }
        }
      };
    },
    remoteWrite,
    otlp,
    observeKafkaRequest: ({ clusterName, api, seconds }) =>
      kafkaRequests.observe({ clustername: clusterName, api }, seconds),
    countStoreError: (store) => storeErrors.inc({ store }),
  };
}

function* concatPieces(...parts: Iterable<string>[]): Generator<string> {
  for (const part of parts) yield* part;
}
