/** Creates the ioredis client (standalone or Redis Cluster) from the storage settings. */
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "ioredis";
import type { RedisSettings, TlsSettings } from "../config/schema/settings.ts";
import { readTlsFiles } from "../util/tls_files.ts";

/** A standalone client or a cluster client: both run commands, scripts and pipelines. */
export type RedisClient = Redis | Cluster;

/** The connection part of `storage.redis`. */
export type RedisConnectionSettings = Pick<
  RedisSettings,
  "host" | "port" | "clusterNodes" | "requestTimeoutMs" | "username" | "password" | "tls"
>;

/** What creating a client reads from outside. */
export interface RedisClientDeps {
  readTextFile(path: string): string;
}

/**
 * Options shared by both modes. Commands fail fast while disconnected (no offline queue) so an
 * outage falls back to this instance's memory at once instead of stalling iterations; ioredis
 * keeps reconnecting in the background with a capped backoff.
 */
function baseOptions(
  settings: RedisConnectionSettings,
  deps: RedisClientDeps,
): RedisOptions {
  const tls = settings.tls;
  return {
    username: settings.username,
    password: settings.password,
    connectTimeout: Math.min(settings.requestTimeoutMs, 10_000),
    commandTimeout: settings.requestTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
    tls: tls ? redisTls(tls, deps.readTextFile) : undefined,
  };
}

/** A client for `storage.redis`: Redis Cluster when `cluster_nodes` is set. */
export function createRedisClient(
  settings: RedisConnectionSettings,
  deps: RedisClientDeps,
): RedisClient {
  const options = baseOptions(settings, deps);
  if (settings.clusterNodes && settings.clusterNodes.length > 0) {
    const clusterOptions: ClusterOptions = {
      redisOptions: options,
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      scaleReads: "master",
      clusterRetryStrategy: (attempt) => Math.min(attempt * 200, 5_000),
      slotsRefreshTimeout: Math.min(settings.requestTimeoutMs, 10_000),
    };
    return new Cluster(
      settings.clusterNodes.map((node) => {
        const separator = node.lastIndexOf(":");
        // `[2001:db8::1]:7000` → host 2001:db8::1 (net.connect takes IPv6 without brackets).
        const host = node.slice(0, separator).replace(/^\[(.*)\]$/, "$1");
        return { host, port: Number(node.slice(separator + 1)) };
      }),
      clusterOptions,
    );
  }
  return new Redis({
    ...options,
    host: settings.host,
    port: settings.port,
    enableAutoPipelining: true,
  });
}

/** Resolves when the client is ready, rejects after `timeoutMs` (the client keeps trying). */
export function waitUntilReady(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    // The reason (refused, TLS, auth) arrives as "error" events; the timeout alone says nothing.
    let lastError: unknown;
    const timer = setTimeout(() => {
      cleanup();
      const reason = lastError instanceof Error ? `: ${lastError.message}` : "";
      reject(
        new Error(`Redis not ready within ${timeoutMs} ms (status ${client.status})${reason}`, {
          cause: lastError,
        }),
      );
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onError = (error: unknown) => lastError = error;
    const cleanup = () => {
      clearTimeout(timer);
      client.off("ready", onReady);
      client.off("error", onError);
    };
    client.on("ready", onReady);
    client.on("error", onError);
  });
}

function redisTls(tls: TlsSettings, readTextFile: (path: string) => string) {
  const { ca, cert, key } = readTlsFiles(tls, readTextFile);
  return { ca: ca ? [ca] : undefined, cert, key, rejectUnauthorized: !tls.insecureSkipVerify };
}
