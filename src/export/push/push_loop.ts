/**
 * The push loops (remote write, OTLP): one push of every series per iteration interval, sent by
 * its own queue; on shutdown a last push and a bounded flush. Loaded only when a push path is
 * configured.
 */
import type { ExporterConfig } from "../../config/load_config.ts";
import { abortableSleep } from "../../collect/cluster_loop.ts";
import type { Logger } from "../../log/logger.ts";
import { VERSION } from "../../version.ts";
import type { ExporterMetrics } from "../metrics_registry.ts";
import type { PushHooks } from "../push_metrics.ts";
import {
  createPushTransport,
  type PushEndpointSettings,
  remoteWriteProtocolHeaders,
} from "./http_transport.ts";
import { RemoteWriter } from "./remote_writer.ts";
import type { TimeSeries } from "./write_request.ts";
import { encodeRemoteWriteBody } from "./write_request.ts";
import { encodeRemoteWriteV2Body } from "./write_request_v2.ts";

/** A push loop's shutdown, in two steps (the instance leaves its peers in between). */
export interface PushShutdown {
  /** After `signal` aborted: queues the last push of every series (still this instance's). */
  lastPush(): Promise<void>;
  /** Sends what is queued, until the deadline at most. */
  flush(deadlineMs: number): Promise<void>;
}

/** What a push loop needs from the service. */
interface PushDeps {
  metrics: ExporterMetrics;
  logger: Logger;
  signal: AbortSignal;
  /** The clock samples are stamped with. */
  now(): number;
}

/** Starts pushing to the remote-write endpoint until `signal` aborts. */
export function startRemoteWrite(config: ExporterConfig, deps: PushDeps): PushShutdown {
  const settings = config.remoteWrite;
  return startPushLoop(config, {
    ...deps,
    settings,
    hooks: deps.metrics.remoteWrite,
    configPath: "prometheus_remote_write",
    component: "remote_write",
    protocolHeaders: remoteWriteProtocolHeaders(settings.protocol),
    encode: settings.protocol === "2.0" ? encodeRemoteWriteV2Body : encodeRemoteWriteBody,
  });
}

/** Starts pushing to the OTLP endpoint until `signal` aborts (the encoder is loaded only then). */
export async function startOtlp(
  config: ExporterConfig,
  deps: PushDeps & { nodeId: string; startTimeMs: number },
): Promise<PushShutdown> {
  const { encodeOtlpBody } = await import("./otlp_request.ts");
  const resource = {
    attributes: {
      ...config.otlp.resourceAttributes,
      "service.name": config.otlp.resourceAttributes["service.name"] ?? "kafka-lag-deno",
      "service.instance.id": deps.nodeId,
      "service.version": VERSION,
    },
    startTimeMs: deps.startTimeMs,
    scopeVersion: VERSION,
  };
  return startPushLoop(config, {
    ...deps,
    settings: config.otlp,
    hooks: deps.metrics.otlp!,
    configPath: "otlp",
    component: "otlp",
    protocolHeaders: { "Content-Type": "application/x-protobuf", "Content-Encoding": "gzip" },
    encode: (series) => encodeOtlpBody(series, resource),
  });
}

function startPushLoop(
  config: ExporterConfig,
  { metrics, logger, signal, now, settings, hooks, configPath, component, protocolHeaders, encode }:
    & PushDeps
    & {
      settings: PushEndpointSettings;
      hooks: PushHooks;
      configPath: string;
      component: string;
      protocolHeaders: Record<string, string>;
      encode(series: readonly TimeSeries[]): Uint8Array<ArrayBuffer>;
    },
): PushShutdown {
  const sleep = (ms: number, abort?: AbortSignal) =>
    abortableSleep(ms, abort ?? new AbortController().signal);
  const writer = new RemoteWriter(
    { queueMaxSamples: settings.queueMaxSamples, maxSamplesPerSend: settings.maxSamplesPerSend },
    {
      send: createPushTransport(settings, {
        readTextFile: (path) => Deno.readTextFileSync(path),
        userAgent: `kafka-lag-deno/${VERSION}`,
        protocolHeaders,
        configPath,
      }),
      encode,
      sleep,
      logger: logger.child({ component }),
      ...hooks,
      now,
    },
  );
  hooks.setQueueSize(() => writer.queuedSamples());
  const push = async () => writer.push(await metrics.collectSeries(), now());
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
