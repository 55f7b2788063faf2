/**
 * A real exporter process under 500 connections that send half a request and stop: /metrics
 * still answers at once, and the exporter closes every one of them after its 10 s header
 * deadline.
 */
import { assert, assertEquals } from "../assert.ts";
import { startExporter } from "../harness/exporter.ts";
import { freePort } from "../harness/processes.ts";

Deno.test("500 half-sent requests: /metrics answers at once, each closed after 10 s", async () => {
  await using exporter = await startExporter({
    kafka_clusters: [{ name: "nowhere", brokers: [`127.0.0.1:${freePort()}`] }],
  });
  const port = Number(new URL(exporter.metricsUrl).port);
  const clients: Deno.Conn[] = [];
  try {
    const half = new TextEncoder().encode("GET /metrics HTTP/1.1\r\nHost: x\r\n");
    for (let index = 0; index < 500; index++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(half);
      clients.push(conn);
    }
    const openedMs = Date.now();
    const started = performance.now();
    const response = await fetch(exporter.metricsUrl);
    assertEquals(response.status, 200);
    assert((await response.text()).includes("kafka_lag_exporter_cluster_up"));
    const answerMs = performance.now() - started;
    assert(answerMs < 1_000, `/metrics answered in ${answerMs} ms`);
    // Each half-sent request sees its connection closed by the server: read gives EOF.
    const closedAfterMs = await Promise.all(clients.map(async (conn) => {
      const read = await conn.read(new Uint8Array(64)).catch(() => null);
      assertEquals(read, null);
      return Date.now() - openedMs;
    }));
    const latest = Math.max(...closedAfterMs);
    console.log(`  /metrics in ${answerMs.toFixed(0)} ms; all 500 closed within ${latest} ms`);
    assert(latest < 13_000, `closed after ${latest} ms`);
  } finally {
    for (const conn of clients) {
      try {
        conn.close();
      } catch {
        // closed by the server
      }
    }
  }
});
