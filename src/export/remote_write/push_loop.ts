/**
 * The remote-write push loop: one push of every series per iteration interval, sent by its own
 * loop; on shutdown a last push and a bounded flush. Loaded only when remote write is enabled.
 */
import type { ExporterConfig } from "../../config/load_config.ts";
import { abortableSleep } from "../../collect/cluster_loop.ts";
import type { Logger } from "../../log/logger.ts";
import { VERSION } from "../../version.ts";
import type { ExporterMetrics } from "../metrics_registry.ts";
import { createRemoteWriteTransport } from "./http_transport.ts";
import { RemoteWriter } from "./remote_writer.ts";

/**
 * Starts pushing; `finish(deadlineMs)` after `signal` aborts sends the last push and flushes
 * until the deadline at most.
 */
export function startRemoteWrite(
  config: ExporterConfig,
  { metrics, logger, signal }: { metrics: ExporterMetrics; logger: Logger; signal: AbortSignal },
): { finish(deadlineMs: number): Promise<void> } {
  const settings = config.remoteWrite;
  const sleep = (ms: number, abort?: AbortSignal) =>
    abortableSleep(ms, abort ?? new AbortController().signal);
  const writer = new RemoteWriter(
    { queueMaxSamples: settings.queueMaxSamples, maxSamplesPerSend: settings.maxSamplesPerSend },
    {
      send: createRemoteWriteTransport(settings, {
        readTextFile: (path) => Deno.readTextFileSync(path),
        userAgent: `kafka-lag-deno/${VERSION}`,
      }),
      sleep,
      logger: logger.child({ component: "remote_write" }),
      ...metrics.remoteWrite,
      now: Date.now,
    },
  );
  metrics.remoteWrite.setQueueSize(() => writer.queuedSamples());
  const push = async () => writer.push(await metrics.collectSeries(), Date.now());
  const pushing = (async () => {
    while (!signal.aborted) {
      await abortableSleep(config.app.iterationIntervalMs, signal);
      if (!signal.aborted) await push();
    }
  })();
  const sending = writer.run(signal);
  return {
    finish: async (deadlineMs) => {
      await Promise.all([pushing, sending]);
      await push();
      await writer.flush(deadlineMs);
    },
  };
}
