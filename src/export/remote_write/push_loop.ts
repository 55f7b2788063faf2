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

/** The push loop's shutdown, in two steps (the instance leaves its peers in between). */
export interface RemoteWriteShutdown {
  /** After `signal` aborted: queues the last push of every series (still this instance's). */
  lastPush(): Promise<void>;
  /** Sends what is queued, until the deadline at most. */
  flush(deadlineMs: number): Promise<void>;
}

/** Starts pushing until `signal` aborts. */
export function startRemoteWrite(
  config: ExporterConfig,
  { metrics, logger, signal }: { metrics: ExporterMetrics; logger: Logger; signal: AbortSignal },
): RemoteWriteShutdown {
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
    lastPush: async () => {
      await pushing;
      await push();
    },
    flush: async (deadlineMs) => {
      await sending;
      await writer.flush(deadlineMs);
    },
  };
}
