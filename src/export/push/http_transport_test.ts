import { assert, assertEquals, assertRejects } from "../../../tests/assert.ts";
import type { ExporterConfig } from "../../config/load_config.ts";
import { createPushTransport, pushHeaders, remoteWriteProtocolHeaders } from "./http_transport.ts";

type RemoteWriteSettings = ExporterConfig["remoteWrite"];

function settings(overrides: Partial<RemoteWriteSettings>): RemoteWriteSettings {
  return {
    enabled: true,
    url: "http://127.0.0.1:1/api/v1/write",
    headers: {},
    timeoutMs: 2_000,
    queueMaxSamples: 100,
    maxSamplesPerSend: 10,
    basicAuth: undefined,
    bearerToken: undefined,
    tls: undefined,
    protocol: "1.0",
    ...overrides,
  };
}

const deps = {
  readTextFile: (path: string) => Deno.readTextFileSync(path),
  userAgent: "test/1",
  protocolHeaders: remoteWriteProtocolHeaders("1.0"),
  configPath: "prometheus_remote_write",
};
const remoteWriteHeaders = (settings: RemoteWriteSettings, userAgent: string) =>
  pushHeaders(settings, { userAgent, protocolHeaders: remoteWriteProtocolHeaders("1.0") });

Deno.test("remoteWriteHeaders(): protocol headers, user headers, one kind of auth", () => {
  const plain = remoteWriteHeaders(settings({ headers: { "X-Scope-OrgID": "t1" } }), "ua/1");
  assertEquals(plain, {
    "X-Scope-OrgID": "t1",
    "Content-Encoding": "snappy",
    "Content-Type": "application/x-protobuf",
    "User-Agent": "ua/1",
    "X-Prometheus-Remote-Write-Version": "0.1.0",
  });
  // Non-ASCII credentials are sent as UTF-8 in base64, as Prometheus' clients do.
  const basic = remoteWriteHeaders(
    settings({ basicAuth: { username: "ü", password: "p:w" } }),
    "ua",
  );
  assertEquals(basic.Authorization, "Basic w7w6cDp3");
  assertEquals(
    remoteWriteHeaders(settings({ bearerToken: "tok" }), "ua").Authorization,
    "Bearer tok",
  );
});

Deno.test({
  name: "the transport POSTs the body with its headers and returns status and body",
  fn: async () => {
    const received: Array<{ method: string; headers: Headers; body: Uint8Array }> = [];
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (
      request,
    ) => {
      received.push({
        method: request.method,
        headers: request.headers,
        body: new Uint8Array(await request.arrayBuffer()),
      });
      return new Response("out of order sample", { status: 400 });
    });
    try {
      const send = createPushTransport(
        settings({ url: `http://127.0.0.1:${server.addr.port}/api/v1/write`, bearerToken: "t" }),
        deps,
      );
      const result = await send(new Uint8Array([1, 2, 3]));
      assertEquals(result, { status: 400, body: "out of order sample" });
      assertEquals(received.length, 1);
      assertEquals(received[0].method, "POST");
      assertEquals(received[0].body, new Uint8Array([1, 2, 3]));
      assertEquals(received[0].headers.get("authorization"), "Bearer t");
      assertEquals(received[0].headers.get("content-encoding"), "snappy");
    } finally {
      await server.shutdown();
    }
  },
});

Deno.test({
  name: "the transport gives up after the timeout on a receiver that never answers",
  fn: async () => {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const accepted: Deno.Conn[] = [];
    (async () => {
      for await (const connection of listener) accepted.push(connection);
    })().catch(() => {});
    try {
      const send = createPushTransport(
        settings({ url: `http://127.0.0.1:${listener.addr.port}/w`, timeoutMs: 300 }),
        deps,
      );
      const started = performance.now();
      await assertRejects(() => send(new Uint8Array([1])), Error);
      const tookMs = performance.now() - started;
      assert(tookMs >= 250 && tookMs < 5_000, `gave up after ${tookMs} ms`);
    } finally {
      listener.close();
      for (const connection of accepted) connection.close();
    }
  },
});
