/** The shared store contract against real redis-server processes: standalone and a 3-master Redis Cluster. */
import { runOffsetHistoryStoreContract } from "../contracts/offset_history_store_contract.ts";
import { startRedis, startRedisCluster } from "../harness/redis.ts";
import {
  createRedisClient,
  type RedisClient,
  waitUntilReady,
} from "../../src/redis/redis_client.ts";
import { RedisOffsetHistoryStore } from "../../src/store/redis_store.ts";
import { estimateTimeLag } from "../../src/lag/time_lag.ts";
import { assert, assertEquals } from "../assert.ts";

function settings(nodes: string[], cluster: boolean) {
  const [host, port] = nodes[0].split(":");
  return {
    host,
    port: Number(port),
    clusterNodes: cluster ? nodes : undefined,
    keyPrefix: "test",
    requestTimeoutMs: 5_000,
    idleTimeoutMs: 60_000,
  };
}

for (const mode of ["standalone", "cluster"] as const) {
  let counter = 0;
  const servers: Array<{ stop(): Promise<void> }> = [];
  const clients: RedisClient[] = [];
  runOffsetHistoryStoreContract(`redis ${mode}`, async (limits) => {
    if (servers.length === 0) {
      servers.push(mode === "cluster" ? await startRedisCluster() : await startRedis());
    }
    const server = servers[0] as Awaited<ReturnType<typeof startRedis>>;
    const client = createRedisClient(settings(server.nodes, mode === "cluster"), {
      readTextFile: Deno.readTextFileSync,
    });
    await waitUntilReady(client, 10_000);
    clients.push(client);
    // A fresh prefix per case: an empty store without restarting Redis.
    return new RedisOffsetHistoryStore(client, { keyPrefix: `case-${++counter}`, ...limits });
  }, {
    afterAll: async () => {
      for (const client of clients) client.disconnect();
      for (const server of servers) await server.stop();
    },
  });
}

Deno.test({
  name: "two instances whose clocks differ by 30 s write one consistent history in Redis",
  fn: async () => {
    const server = await startRedis();
    const clients: RedisClient[] = [];
    try {
      const storeWithClock = async (skewMs: number) => {
        const client = createRedisClient(settings(server.nodes, false), {
          readTextFile: Deno.readTextFileSync,
        });
        await waitUntilReady(client, 10_000);
        clients.push(client);
        return new RedisOffsetHistoryStore(client, {
          keyPrefix: "skew",
          retentionMs: 3_600_000,
          now: () => Date.now() + skewMs,
        });
      };
      const accurate = await storeWithClock(0);
      const ahead = await storeWithClock(30_000);
      const t0 = Date.now();
      const observe = (offset: number, timestampMs: number) => [
        { topic: "t", partition: 0, offset, timestampMs },
      ];
      // Real time t0: offset 100, seen by the accurate instance.
      await accurate.recordAndRead("k", observe(100, t0));
      // Real time t0 + 10 s: offset 200, seen by the instance whose clock is 30 s ahead.
      const [seenAhead] = await ahead.recordAndRead("k", observe(200, t0 + 10_000 + 30_000));
      // Each instance reads the history in its own clock.
      assert(
        Math.abs(seenAhead[0].timestampMs - (t0 + 30_000)) < 250,
        `the accurate instance's point, in the other's clock: ${seenAhead[0].timestampMs - t0}`,
      );
      const lag = estimateTimeLag(seenAhead, {
        committedOffset: 150,
        endOffset: 200,
        nowMs: t0 + 40_000,
      });
      assert(lag.kind === "value" && Math.abs(lag.seconds - 4.95) < 0.3, JSON.stringify(lag));
      // The accurate instance's later sighting of a smaller offset (a late write) keeps the history.
      const [seenAccurate] = await accurate.recordAndRead("k", observe(200, t0 + 11_000));
      assertEquals(seenAccurate.map((point) => point.offset), [100, 200, 200]);
      assert(Math.abs(seenAccurate[1].timestampMs - (t0 + 10_000)) < 250);
    } finally {
      for (const client of clients) client.disconnect();
      await server.stop();
    }
  },
});
