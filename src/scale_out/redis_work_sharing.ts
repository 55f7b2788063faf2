/**
 * Work sharing through Redis: membership with heartbeats, a shared offset history, and the groups
 * rendezvous hashing gives this instance, taken over only once no other instance may still export
 * them (handover.ts). Loaded only when `storage.type` is redis (it brings the Redis client).
 */
import { explainTlsFailure } from "../util/tls_failure_hint.ts";
import type { ExporterConfig } from "../config/load_config.ts";
import { describeError, type Logger } from "../log/logger.ts";
import { FallbackOffsetHistoryStore } from "../store/fallback_store.ts";
import { MemoryOffsetHistoryStore } from "../store/memory_store.ts";
import { createRedisClient, type RedisClient, waitUntilReady } from "../redis/redis_client.ts";
import { RedisOffsetHistoryStore } from "../store/redis_store.ts";
import { DuplicateNodeError, RedisMembership } from "./membership.ts";
import { GroupClaims } from "./group_claims.ts";
import type { WorkSharing } from "./work_sharing.ts";

/** What Redis work sharing needs from outside. */
export interface RedisWorkSharingDeps {
  logger: Logger;
  readTextFile(path: string): string;
  /** Called on every failed Redis operation (for the error counter). */
  onRedisError(): void;
  /** The local clock (heartbeat ages; Redis' own clock decides expiry). */
  now(): number;
}

/**
 * Connects to Redis, joins the membership (waiting out a stale registration of this node id)
 * and starts the heartbeat. Throws DuplicateNodeError when another live instance has this
 * node id. When Redis cannot be reached it starts anyway: alone, unhealthy, retrying.
 */
export async function startRedisWorkSharing(
  config: ExporterConfig,
  deps: RedisWorkSharingDeps,
): Promise<WorkSharing> {
  const settings = config.storage.redis;
  const log = deps.logger.child({ store: "redis" });
  const client: RedisClient = createRedisClient(settings, deps);
  let redisReachable = true;
  const reportError = (what: string, error: unknown) => {
    deps.onRedisError();
    if (redisReachable) {
      log.error(`${what}; continuing with this instance's memory`, {
        error: describeError(
          explainTlsFailure(error, { tls: settings.tls, sslKey: "storage.redis.ssl" }),
        ),
      });
    }
    redisReachable = false;
  };
  const reportRecovered = () => {
    if (!redisReachable) log.info("Redis answers again");
    redisReachable = true;
  };
  // ioredis reports connection problems as events; the operations below report their own.
  client.on("error", (error) => log.debug("redis client error", { error: describeError(error) }));

  const membership = new RedisMembership(client, {
    keyPrefix: settings.keyPrefix,
    nodeId: config.app.nodeId,
    ttlMs: settings.heartbeatTtlMs,
    now: deps.now,
  });
  try {
    await waitUntilReady(client, Math.min(settings.requestTimeoutMs, 10_000));
    await membership.join();
    log.info("joined", { node_id: config.app.nodeId, live: membership.liveNodes().join(",") });
  } catch (error) {
    if (error instanceof DuplicateNodeError) {
      client.disconnect();
      throw error;
    }
    reportError("cannot join the instances in Redis", error);
  }

  // Once per state change, like every other log line here: not at every heartbeat.
  let duplicateLogged = false;
  let lastBeatMs = deps.now();
  const beat = async () => {
    try {
      await membership.heartbeat();
      lastBeatMs = deps.now();
      duplicateLogged = false;
      reportRecovered();
    } catch (error) {
      if (error instanceof DuplicateNodeError && !duplicateLogged) {
        log.error(error.message);
        duplicateLogged = true;
      }
      reportError("Redis heartbeat failed", error);
    }
  };
  const heartbeat = setInterval(beat, Math.max(250, settings.heartbeatTtlMs / 3));
  let left: Promise<void> | undefined;
  const leave = () =>
    left ??= (async () => {
      clearInterval(heartbeat);
      await membership.leave().catch((error) =>
        log.warn("cannot deregister from Redis", { error: describeError(error) })
      );
    })();

  const shared = new RedisOffsetHistoryStore(client, {
    keyPrefix: settings.keyPrefix,
    retentionMs: config.storage.retentionMs,
  });
  const store = new FallbackOffsetHistoryStore(
    shared,
    new MemoryOffsetHistoryStore({ retentionMs: config.storage.retentionMs }),
    {
      onError: (error) => reportError("Redis offset history failed", error),
      onRecovered: reportRecovered,
    },
  );

  const claims = new GroupClaims(membership);
  let lastAwaiting = 0;
  let stopped = false;
  /**
   * With `when_cut_off: stop`: true while the last heartbeat is older than the TTL, when the
   * others count this instance gone and may have taken its groups.
   */
  const cutOff = () => {
    const cut = settings.whenCutOff === "stop" &&
      deps.now() - lastBeatMs > settings.heartbeatTtlMs;
    if (cut !== stopped) {
      if (cut) {
        log.warn(
          "cut off from Redis for longer than the heartbeat TTL: no group is exported until " +
            "Redis answers (storage.redis.when_cut_off: stop)",
        );
      } else log.info("Redis answers again: groups are shared again");
      stopped = cut;
    }
    return cut;
  };

  return {
    store,
    selectOwnedGroups: async (clusterName, groupIds) => {
      // Every iteration reads the live set first; while Redis is down the last one known is kept.
      await beat();
      // The live set it selects with is announced before the others' announcements are read for
      // the selection (write, then read): of two instances deciding at once, one sees the other.
      if (claims.intend(clusterName)) await beat();
      // The snapshot of this iteration holds no group, and the claim none (so that, back in
      // Redis, this instance takes groups only through the handover).
      if (cutOff()) return claims.selectNone(clusterName);
      const { owned, awaiting } = claims.select(clusterName, groupIds);
      if (awaiting !== lastAwaiting) {
        log.debug("groups waiting until their previous owner stops exporting them", {
          cluster: clusterName,
          groups: awaiting,
        });
        lastAwaiting = awaiting;
      }
      return owned;
    },
    snapshotPublished: (clusterName, isExported) => {
      // At once rather than at the next heartbeat: the instances waiting for the groups this
      // instance dropped can take them on their next iteration.
      if (claims.published(clusterName, isExported)) void beat();
    },
    liveInstances: () => membership.liveNodes().length,
    healthy: () => redisReachable && store.sharedHealthy(),
    leave,
    stop: async () => {
      await leave();
      await store.close();
      client.disconnect();
    },
  };
}
