/**
 * The client-certificate listener (node:tls) under the HTTP/1.1 server, with real TLS clients on
 * loopback: the same limits hold as on the other listeners (an answer the client does not read is
 * cut at the write deadline, a stalled handshake at the header deadline), keep-alive works, and
 * the policy decides who gets in.
 */
import { waitFor } from "../../tests/harness/processes.ts";
import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { makeCertificates } from "../../tests/harness/certs.ts";
import { serveHttp1 } from "./http1_server.ts";

const MiB = 1024 * 1024;
const LIMITS = { headerTimeoutMs: 1_000, idleTimeoutMs: 2_000, writeTimeoutMs: 1_000 };

Deno.test("client-certificate listener: limits, keep-alive and the policy on real TLS", async () => {
  const certs = await makeCertificates();
  const read = (path: string) => Deno.readTextFileSync(path);
  const refusals: string[] = [];
  const server = await serveHttp1({
    hostname: "127.0.0.1",
    port: 0,
    limits: LIMITS,
    tls: {
      cert: read(certs.certFile),
      key: read(certs.keyFile),
      clientAuth: { type: "RequireAnyClientCert", allowedSans: [] },
    },
    onRefusedClient: (reason) => refusals.push(reason),
  }, (request) => {
    const big = new URL(request.url).pathname === "/big";
    return Promise.resolve(new Response(big ? new Uint8Array(64 * MiB) : "ok\n"));
  });
  const port = server.addr.port;
  const client = Deno.createHttpClient({
    caCerts: [read(certs.caFile)],
    cert: read(certs.otherCertFile),
    key: read(certs.keyFile),
  });
  const anonymous = Deno.createHttpClient({ caCerts: [read(certs.caFile)] });
  try {
    // RequireAnyClientCert: any certificate, even one from another CA; none is refused.
    for (let index = 0; index < 3; index++) {
      const response = await fetch(`https://localhost:${port}/`, { client });
      assertEquals(await response.text(), "ok\n");
    }
    assertEquals(server.openConnections(), 1, "keep-alive reuses one connection");
    await assertRejects(
      () => fetch(`https://localhost:${port}/`, { client: anonymous }),
      TypeError,
    );
    assertEquals(refusals, ["no client certificate"]);

    // An answer the client never reads is cut at the write deadline.
    const reader = await Deno.connectTls({
      hostname: "localhost",
      port,
      caCerts: [read(certs.caFile)],
      cert: read(certs.certFile),
      key: read(certs.keyFile),
    });
    await reader.write(new TextEncoder().encode("GET /big HTTP/1.1\r\nhost: x\r\n\r\n"));
    // A handshake never started is cut at the header deadline.
    const silent = await Deno.connect({ hostname: "127.0.0.1", port });
    await waitFor("two more connections", {
      done: () => server.openConnections() === 2,
      timeoutMs: 3_000,
    });
    const response = await fetch(`https://localhost:${port}/`, { client });
    assertEquals(await response.text(), "ok\n", "answered meanwhile");
    client.close();
    const closedMs = await waitFor("all closed", {
      done: () => server.openConnections() === 0,
      timeoutMs: 5_000,
    });
    assert(closedMs < 4_000, `closed after ${closedMs} ms`);
    assertEquals(await silent.read(new Uint8Array(1)), null, "the silent client was closed");
    silent.close();
    reader.close();
  } finally {
    anonymous.close();
    await server.shutdown();
    await Deno.remove(certs.dir, { recursive: true });
  }
});
