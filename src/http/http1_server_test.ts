/**
 * serveHttp1() with real TCP clients on loopback: half-sent requests and clients that never read
 * their answer are closed within the limits, and meanwhile a normal request is answered at once.
 */
import { waitFor } from "../../tests/harness/processes.ts";
import { assert, assertEquals } from "../../tests/assert.ts";
import { serveHttp1 } from "./http1_server.ts";

const LIMITS = {
  headerTimeoutMs: 1_500,
  idleTimeoutMs: 2_000,
  writeTimeoutMs: 1_500,
  maxConnections: 600,
};
const MiB = 1024 * 1024;

/** 64 MiB made as it is read: far more than the socket buffers take. */
function bigBody(): ReadableStream<Uint8Array<ArrayBuffer>> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= 64 * MiB) return controller.close();
      sent += MiB;
      controller.enqueue(new Uint8Array(MiB));
    },
  });
}

Deno.test("500 half-sent requests and 50 unread answers: answered at once, closed in time", async () => {
  const server = await serveHttp1(
    { hostname: "127.0.0.1", port: 0, limits: LIMITS },
    (request) =>
      Promise.resolve(
        new URL(request.url).pathname === "/big" ? new Response(bigBody()) : new Response("ok\n"),
      ),
  );
  const port = server.addr.port;
  const clients: Deno.Conn[] = [];
  try {
    const encoder = new TextEncoder();
    for (let index = 0; index < 500; index++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(encoder.encode("GET /small HTTP/1.1\r\nHost: x\r\n"));
      clients.push(conn);
    }
    for (let index = 0; index < 50; index++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(encoder.encode("GET /big HTTP/1.1\r\nHost: x\r\n\r\n"));
      clients.push(conn);
    }
    await waitFor("every connection accepted", {
      done: () => server.openConnections() === 550,
      timeoutMs: 5_000,
    });
    const started = performance.now();
    const answer = await fetch(`http://127.0.0.1:${port}/small`);
    assertEquals(await answer.text(), "ok\n");
    const answerMs = performance.now() - started;
    assert(answerMs < 1_000, `answered in ${answerMs} ms`);
    // Every half-sent request is past its header deadline, every unread answer past its write
    // deadline (and the one kept-alive fetch past its idle one): all closed by the server.
    const closedMs = await waitFor("every connection closed", {
      done: () => server.openConnections() === 0,
      timeoutMs: 6_000,
    });
    console.log(
      `  answered in ${answerMs.toFixed(0)} ms; all 551 connections closed ${closedMs} ms later`,
    );
    // The half-sent ones see the close.
    const buffer = new Uint8Array(16);
    const read = await clients[0].read(buffer).catch(() => null);
    assertEquals(read, null);
  } finally {
    for (const conn of clients) {
      try {
        conn.close();
      } catch {
        // closed
      }
    }
    await server.shutdown();
  }
});

Deno.test("past the connection limit: 503 at once; keep-alive reuses one connection", async () => {
  const server = await serveHttp1(
    { hostname: "127.0.0.1", port: 0, limits: { ...LIMITS, maxConnections: 2 } },
    () => Promise.resolve(new Response("ok\n")),
  );
  const port = server.addr.port;
  const held = [
    await Deno.connect({ hostname: "127.0.0.1", port }),
    await Deno.connect({ hostname: "127.0.0.1", port }),
  ];
  try {
    await waitFor("two connections", {
      done: () => server.openConnections() === 2,
      timeoutMs: 2_000,
    });
    const refused = await fetch(`http://127.0.0.1:${port}/`);
    await refused.body?.cancel();
    assertEquals(refused.status, 503);
    assertEquals(refused.headers.get("retry-after"), "1");
  } finally {
    for (const conn of held) conn.close();
  }
  await waitFor("held connections gone", {
    done: () => server.openConnections() === 0,
    timeoutMs: 2_000,
  });
  for (let index = 0; index < 3; index++) {
    const response = await fetch(`http://127.0.0.1:${port}/`);
    assertEquals(await response.text(), "ok\n");
  }
  assertEquals(server.openConnections(), 1);
  await server.shutdown();
});
