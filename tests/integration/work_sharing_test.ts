/** Redis work sharing against a real redis-server: what it reports when its node id is taken. */
import { assertEquals } from "../assert.ts";
import { startRedis } from "../harness/redis.ts";
import { eventually } from "../harness/processes.ts";
import { loadConfig } from "../../src/config/load_config.ts";
import { createLogger } from "../../src/log/logger.ts";
import { startRedisWorkSharing } from "../../src/scale_out/redis_work_sharing.ts";

Deno.test({
  name: "a node id taken by another process is logged once per change, not every heartbeat",
  fn: async () => {
    await using redis = await startRedis();
    const yaml = `
kafka_clusters: [{ name: main, brokers: ["127.0.0.1:9"] }]
storage:
  type: redis
  redis: { address: ${redis.host}, port: ${redis.port}, key_prefix: ws, heartbeat_ttl: 1s }
app: { node_id: x }
`;
    const config = await loadConfig("inline.yaml", {
      readTextFile: () => Promise.resolve(yaml),
      getEnv: () => undefined,
      hostname: () => "host",
    });
    const lines: string[] = [];
    let redisErrors = 0;
    const sharing = await startRedisWorkSharing(config, {
      logger: createLogger({ level: "info", format: "text", write: (line) => lines.push(line) }),
      readTextFile: Deno.readTextFileSync,
      onRedisError: () => redisErrors++,
      now: Date.now,
    });
    const duplicates = () =>
      lines.filter((line) => line.includes('another live instance is registered with node_id "x"'))
        .length;
    try {
      assertEquals(sharing.healthy(), true);
      // Another process registers node id "x" (its own token, and it keeps beating: its
      // registration does not expire): every heartbeat of this one now conflicts.
      const takeOver = async () => {
        await redis.cli(["HSET", "{ws}:member-tokens", "x", "another-process"]);
        await redis.cli(["ZADD", "{ws}:members", String(Date.now() + 3_600_000), "x"]);
      };
      await takeOver();
      await eventually("several heartbeats refused", () => redisErrors >= 4 || undefined, 10_000);
      assertEquals(sharing.healthy(), false);
      assertEquals(duplicates(), 1);
      // The other process goes away: registered again, healthy, and a new conflict is logged anew.
      await redis.cli(["HDEL", "{ws}:member-tokens", "x"]);
      await eventually("healthy again", () => sharing.healthy() || undefined, 10_000);
      await takeOver();
      const errorsBefore = redisErrors;
      await eventually(
        "refused again",
        () => redisErrors >= errorsBefore + 4 || undefined,
        10_000,
      );
      assertEquals(duplicates(), 2);
    } finally {
      await sharing.stop();
    }
  },
});
