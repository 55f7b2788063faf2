/** The shared store contract against real redis-server processes: standalone and a 3-master Redis Cluster. */
import { runOffsetHistoryStoreContract } from "../contracts/offset_history_store_contract.ts";
import { startRedis, startRedisCluster } from "../harness/redis.ts";
import {
  createRedisClient,
  type RedisClient,
  waitUntilReady,
} from "../../src/store/redis_client.ts";
import { RedisOffsetHistoryStore } from "../../src/store/redis_store.ts";

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
