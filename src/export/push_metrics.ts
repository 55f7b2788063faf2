/**
 * The exporter's metrics about its push paths (remote write, OTLP): items sent, failed and
 * dropped, request durations, the queue. The OTLP ones exist only when OTLP is configured.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** What a push path's queue and sender report into. */
export interface PushHooks {
  onSent(samples: number): void;
  onFailed(samples: number): void;
  onDropped(samples: number): void;
  observeRequest(seconds: number): void;
  setQueueSize(provider: () => number): void;
}

/** How each path names its metrics: remote write's names predate OTLP and stay as they are. */
const NAMES = {
  remote_write: {
    items: "kafka_lag_exporter_remote_write_samples_total",
    itemsHelp:
      "Remote-write samples by outcome: sent, failed (rejected with a 4xx) or dropped (queue full).",
    requests: "kafka_lag_exporter_remote_write_request_duration_seconds",
    requestsHelp: "Duration of remote-write requests, each retry counted on its own.",
    queue: "kafka_lag_exporter_remote_write_queue_samples",
    queueHelp: "Samples waiting to be sent to the remote-write endpoint.",
  },
  otlp: {
    items: "kafka_lag_exporter_otlp_data_points_total",
    itemsHelp:
      "OTLP data points by outcome: sent, failed (rejected with a 4xx) or dropped (queue full).",
    requests: "kafka_lag_exporter_otlp_request_duration_seconds",
    requestsHelp: "Duration of OTLP export requests, each retry counted on its own.",
    queue: "kafka_lag_exporter_otlp_queue_data_points",
    queueHelp: "Data points waiting to be sent to the OTLP endpoint.",
  },
} as const;

/** Registers one push path's metrics and returns the hooks that record into them. */
export function registerPushMetrics(
  registers: Registry[],
  path: keyof typeof NAMES,
): PushHooks {
  const names = NAMES[path];
  const items = new Counter({
    name: names.items,
    help: names.itemsHelp,
    labelNames: ["result"],
    registers,
  });
  const requests = new Histogram({
    name: names.requests,
    help: names.requestsHelp,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  let queueSize: (() => number) | undefined;
  new Gauge({
    name: names.queue,
    help: names.queueHelp,
    registers,
    collect() {
      if (queueSize) this.set(queueSize());
    },
  });
  return {
    onSent: (count) => items.inc({ result: "sent" }, count),
    onFailed: (count) => items.inc({ result: "failed" }, count),
    onDropped: (count) => items.inc({ result: "dropped" }, count),
    observeRequest: (seconds) => requests.observe(seconds),
    setQueueSize: (provider) => queueSize = provider,
  };
}
