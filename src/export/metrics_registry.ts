/**
 * Everything /metrics and the push paths export, collector style: each scrape walks the families
 * of the one metric model (metric_family.ts) over the clusters' last snapshots — the exporter's
 * own state (state_families.ts), the native lag series (lag_series.ts) and the compat names
 * (compat_series.ts) — so a cluster or group that vanished has no series at all. prom-client
 * keeps what is counted as events: failed iterations, Kafka request durations, store errors,
 * the push paths' counters (push_metrics.ts) and the process metrics; its text follows.
 */
import { Counter, Histogram, type OpenMetricsContentType, Registry } from "prom-client";
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";
import { nativeFamilies } from "./lag_series.ts";
import {
  familyByteChunks,
  familySeriesValues,
  type Granularity,
  type ScrapeState,
} from "./metric_family.ts";
import { type ChunkPool, textStream } from "./text_stream.ts";
import type { SeriesSource } from "./push/remote_writer.ts";
import { type PushHooks, registerPushMetrics } from "./push_metrics.ts";
import { stateFamilies } from "./state_families.ts";
import { compatFamilies, type CompatScheme } from "./compat_series.ts";
import { currentProcess, type ProcessReadings, registerProcessMetrics } from "./process_metrics.ts";

/** Which lag series to export: finer ones are dropped to bound cardinality. */
export type { Granularity } from "./metric_family.ts";

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
   * be tens of megabytes: never held whole). With a `pool`, chunks are taken from it (the reader
   * hands them back: ChunkPool).
   */
  render(
    options?: { openMetrics?: boolean; pool?: ChunkPool },
  ): Promise<ReadableStream<Uint8Array<ArrayBuffer>>>;
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

  const clusterErrors = new Counter({
    name: "kafka_lag_exporter_cluster_iteration_errors_total",
    help: "Iterations over the cluster that failed.",
    labelNames: ["clustername"],
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
  const memoryUsage = options.memoryUsage ?? (() => Deno.memoryUsage());
  registerProcessMetrics(registers, options.process ?? currentProcess());

  // The families, in the order they are written: lag series first, the exporter's own after.
  const families = [
    ...nativeFamilies({ memberLabels: options.memberLabels, native: options.native ?? true }),
    ...compatFamilies(options.compat ?? []),
    ...stateFamilies({
      version: options.version,
      commit: options.commit,
      denoVersion: Deno.version.deno,
    }),
  ];
  const scrapeState = (): ScrapeState => ({
    // Snapshots are immutable: a scrape reads the ones current now, however long it takes.
    statuses: source.clusters(),
    // An unlabelled gauge shows 0 before the first iteration ends, as it always has.
    iterationSeconds: source.iterationSeconds() ?? 0,
    liveInstances: source.liveInstances(),
    memory: memoryUsage(),
  });
  const walkOptions = (state: ScrapeState) => ({
    state,
    granularity: options.granularity,
    labels: options.labels,
  });

  // Counters accumulate from the statuses rather than being incremented by the loop, so the
  // metrics stay a pure function of the state; track what was already counted per cluster.
  const countedErrors = new Map<string, number>();
  const syncErrorCounters = (statuses: readonly ClusterStatus[]) => {
    for (const status of statuses) {
      const already = countedErrors.get(status.clusterName) ?? 0;
      // Visible at 0 before the first failure, so rate() works from the start.
      clusterErrors.inc(
        { clustername: status.clusterName },
        Math.max(0, status.iterationErrorsTotal - already),
      );
      countedErrors.set(status.clusterName, Math.max(already, status.iterationErrorsTotal));
    }
  };

  const remoteWrite = registerPushMetrics(registers, "remote_write");
  const otlp = options.otlp ? registerPushMetrics(registers, "otlp") : undefined;

  return {
    registry,
    render: async ({ openMetrics = false, pool } = {}) => {
      const state = scrapeState();
      syncErrorCounters(state.statuses);
      // The families are all gauges, written alike in both syntaxes; prom-client's (counters,
      // histograms) come last, and in OpenMetrics end with "# EOF".
      const counted = await (openMetrics ? openMetricsRegistry : registry).metrics();
      return textStream(
        concatPieces(familyByteChunks(families, { ...walkOptions(state), pool }), [counted]),
      );
    },
    collectSeries: async () => {
      const state = scrapeState();
      syncErrorCounters(state.statuses);
      // Captured now: the source gives these same series whenever it is read again.
      const counted = await registry.getMetricsAsJSON();
      return function* () {
        yield* familySeriesValues(families, walkOptions(state));
        for (const metric of counted) {
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

function* concatPieces(
  ...parts: Iterable<string | Uint8Array<ArrayBuffer>>[]
): Generator<string | Uint8Array<ArrayBuffer>> {
  for (const part of parts) yield* part;
}
