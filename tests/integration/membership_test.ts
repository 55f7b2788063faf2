/** Membership against a real redis-server. */
import { assertEquals, assertRejects } from "../assert.ts";
import { startRedis } from "../harness/redis.ts";
import { eventually } from "../harness/processes.ts";
import { createRedisClient, waitUntilReady } from "../../src/redis/redis_client.ts";
import { DuplicateNodeError, RedisMembership } from "../../src/scale_out/membership.ts";

Deno.test({
  name: "RedisMembership on a real Redis",
  fn: async (t) => {
    await using redis = await startRedis();
    const client = createRedisClient({
      host: redis.host,
      port: redis.port,
      requestTimeoutMs: 5_000,
    }, { readTextFile: Deno.readTextFileSync });
    await waitUntilReady(client, 10_000);
    const member = (nodeId: string, ttlMs = 2_000, keyPrefix = "m") =>
      new RedisMembership(client, { keyPrefix, nodeId, ttlMs });
    try {
      await t.step("members see each other, sorted", async () => {
        const a = member("a");
        const b = member("b");
        await a.join();
        await b.join();
        assertEquals(await a.heartbeat(), ["a", "b"]);
        await a.leave();
        assertEquals(await b.heartbeat(), ["b"]);
        await b.leave();
      });
      await t.step("each heartbeat publishes what the instance exports", async () => {
        const a = member("a");
        const b = member("b");
        await a.join();
        await b.join();
        assertEquals(b.exportsOf("a"), "{}"); // registered, exporting nothing yet
        a.setExports('{"k":["a","b"]}');
        await a.heartbeat();
        await b.heartbeat();
        assertEquals(b.exportsOf("a"), '{"k":["a","b"]}');
        await a.leave();
        await b.heartbeat();
        assertEquals(b.exportsOf("a"), null);
        await b.leave();
      });
      await t.step(
        "a registration expires one TTL after the last heartbeat (Redis time)",
        async () => {
          const a = member("a", 600);
          const b = member("b", 5_000);
          await a.join();
          await b.join();
          assertEquals(b.liveNodes(), ["a", "b"]);
          const joinedAt = Date.now();
          await eventually(
            "a expired",
            async () => (await b.heartbeat()).length === 1 || undefined,
          );
          const expiredAfterMs = Date.now() - joinedAt;
          assertEquals(b.liveNodes(), ["b"]);
          // Not before its TTL (600 ms), and not long after.
          assertEquals(
            expiredAfterMs >= 550 && expiredAfterMs <= 2_000,
            true,
            `${expiredAfterMs} ms`,
          );
          await b.leave();
        },
      );
      await t.step("a second live process with the same node id is refused", async () => {
        const first = member("same", 1_500);
        const second = member("same", 1_500);
        await first.join();
        const beating = setInterval(() => first.heartbeat().catch(() => {}), 300);
        try {
          const started = Date.now();
          await assertRejects(() => second.join(), DuplicateNodeError);
          // It waited one TTL in case the registration was its own stale one.
          assertEquals(Date.now() - started >= 1_500, true);
        } finally {
          clearInterval(beating);
          await first.leave();
        }
      });
      await t.step(
        "a stale registration of a crashed process is waited out, not refused",
        async () => {
          const crashed = member("restarted", 800, "m2");
          await crashed.join(); // never beats again, never leaves: like SIGKILL
          const restarted = member("restarted", 800, "m2");
          await restarted.join();
          assertEquals(restarted.liveNodes(), ["restarted"]);
          await restarted.leave();
        },
      );
    } finally {
      client.disconnect();
    }
  },
});
