import { assert, assertEquals } from "../../tests/assert.ts";
import { statusPageResponse } from "./status_page/status_page.ts";
import {
  acceptsGzip,
  createHandler,
  type HandlerDeps,
  limitInFlight,
  preferredFormat,
} from "./create_handler.ts";
import { evaluateHealth } from "./health.ts";

function deps(overrides: Partial<HandlerDeps> = {}): HandlerDeps {
  return {
    renderMetrics: () => Promise.resolve("m 1\n"),
    health: () => ({ status: "OK", unhealthy_clusters: [] }),
    live: () => true,
    ...overrides,
  };
}

const both = { serveMetrics: true, serveHealth: true, healthPath: "/healthz" };
const get = (path: string, method = "GET") => new Request(`http://exporter${path}`, { method });

Deno.test("createHandler() routes", async (t) => {
  const cases: Array<[string, Partial<HandlerDeps>, typeof both, string, string, number, string?]> =
    [
      ["/metrics in Prometheus text", {}, both, "GET", "/metrics", 200, "m 1\n"],
      [
        "seed health JSON",
        {},
        both,
        "GET",
        "/healthz",
        200,
        '{"status":"OK","unhealthy_clusters":[]}',
      ],
      [
        "health stays 200 when unhealthy (seed behaviour)",
        { health: () => ({ status: "Unhealthy", unhealthy_clusters: ["a"] }) },
        both,
        "GET",
        "/healthz",
        200,
        '{"status":"Unhealthy","unhealthy_clusters":["a"]}',
      ],
      ["custom health path", {}, { ...both, healthPath: "/health" }, "GET", "/health", 200],
      ["readyz 200 when healthy", {}, both, "GET", "/readyz", 200],
      [
        "readyz 503 when unhealthy",
        { health: () => ({ status: "Unhealthy", unhealthy_clusters: [] }) },
        both,
        "GET",
        "/readyz",
        503,
      ],
      ["livez 200 while the loop runs", {}, both, "GET", "/livez", 200],
      ["livez 503 when the loop stopped", { live: () => false }, both, "GET", "/livez", 503],
      ["unknown path 404", {}, both, "GET", "/nope", 404],
      ["POST is refused", {}, both, "POST", "/metrics", 405],
      ["HEAD is allowed", {}, both, "HEAD", "/metrics", 200],
      [
        "metrics-only listener has no health",
        {},
        { ...both, serveHealth: false },
        "GET",
        "/healthz",
        404,
      ],
      [
        "health-only listener has no metrics",
        {},
        { ...both, serveMetrics: false },
        "GET",
        "/metrics",
        404,
      ],
    ];
  for (const [name, overrides, options, method, path, status, body] of cases) {
    await t.step(name, async () => {
      const response = await createHandler(deps(overrides), options)(get(path, method));
      assertEquals(response.status, status);
      const text = await response.text();
      if (body !== undefined) assertEquals(text, body);
    });
  }
});

Deno.test("evaluateHealth()", async (t) => {
  const up = (clusterName: string, isUp?: boolean) => ({
    clusterName,
    up: isUp,
    iterationErrorsTotal: 0,
  });
  await t.step(
    "healthy when one cluster answers",
    () =>
      assertEquals(evaluateHealth([up("a", true), up("b", false)]), {
        status: "OK",
        unhealthy_clusters: ["b"],
      }),
  );
  await t.step(
    "unhealthy when none answers",
    () =>
      assertEquals(evaluateHealth([up("a", false)]), {
        status: "Unhealthy",
        unhealthy_clusters: ["a"],
      }),
  );
  await t.step(
    "unhealthy before the first iteration",
    () =>
      assertEquals(evaluateHealth([up("a")]), { status: "Unhealthy", unhealthy_clusters: ["a"] }),
  );
  await t.step(
    "unhealthy when the store is down",
    () =>
      assertEquals(evaluateHealth([up("a", true)], false), {
        status: "Unhealthy",
        unhealthy_clusters: [],
      }),
  );
});

Deno.test("/metrics is gzip-compressed when the client accepts it", async () => {
  const exposition = 'kafka_consumer_group_lag_in_offsets{group="g"} 7\n'.repeat(5_000);
  const handler = createHandler(
    deps({
      renderMetrics: () =>
        Promise.resolve(
          new ReadableStream({
            start(controller) {
              const bytes = new TextEncoder().encode(exposition);
              for (let start = 0; start < bytes.length; start += 65_536) {
                controller.enqueue(bytes.slice(start, start + 65_536));
              }
              controller.close();
            },
          }),
        ),
    }),
    both,
  );
  const request = (encoding?: string) =>
    new Request("http://exporter/metrics", {
      headers: encoding === undefined ? {} : { "accept-encoding": encoding },
    });
  const gzipped = await handler(request("gzip"));
  assertEquals(gzipped.headers.get("content-encoding"), "gzip");
  assertEquals(gzipped.headers.get("vary"), "accept, accept-encoding");
  const compressed = new Uint8Array(await gzipped.arrayBuffer());
  assertEquals(compressed.byteLength < exposition.length / 20, true);
  const restored = await new Response(
    new Blob([compressed]).stream().pipeThrough(new DecompressionStream("gzip")),
  ).text();
  assertEquals(restored, exposition);
  const plain = await handler(request());
  assertEquals(plain.headers.get("content-encoding"), null);
  assertEquals(await plain.text(), exposition);
});

Deno.test("acceptsGzip() reads Accept-Encoding as clients send it", () => {
  const cases: Array<[string | null, boolean]> = [
    [null, false],
    ["", false],
    ["gzip", true],
    ["GZIP", true],
    ["deflate, gzip;q=1.0, *;q=0.5", true],
    ["br, gzip;q=0", false],
    ["identity", false],
    ["*", true],
    ["snappy", false],
  ];
  for (const [header, expected] of cases) {
    assertEquals(acceptsGzip(header), expected, String(header));
  }
});

Deno.test("limitInFlight() answers 503 at once past the limit, and serves again after", async () => {
  const release: Array<() => void> = [];
  const slow = limitInFlight(
    () => new Promise<Response>((resolve) => release.push(() => resolve(new Response("ok")))),
    2,
  );
  const first = slow(new Request("http://x/metrics"));
  const second = slow(new Request("http://x/metrics"));
  const third = await slow(new Request("http://x/metrics"));
  assertEquals(third.status, 503);
  assertEquals(third.headers.get("retry-after"), "1");
  for (const done of release) done();
  assertEquals((await first).status, 200);
  assertEquals((await second).status, 200);
  const fourth = slow(new Request("http://x/metrics"));
  release.at(-1)!();
  assertEquals((await fourth).status, 200);
});

Deno.test("/ui: the status page, with the API's auth, off with the API", async () => {
  const withPage = deps({ statusPage: statusPageResponse, api: () => undefined });
  for (const path of ["/ui", "/ui/"]) {
    const response = await createHandler(withPage, both)(get(path));
    assertEquals(response.status, 200, path);
    assertEquals(response.headers.get("content-type"), "text/html; charset=utf-8");
    const policy = response.headers.get("content-security-policy") ?? "";
    // Only the page's own script and style (by hash) and same-origin requests.
    assert(policy.includes("default-src 'none'") && policy.includes("connect-src 'self'"), policy);
    assert(/script-src 'sha256-[A-Za-z0-9+/=]+'/.test(policy), policy);
    const page = await response.text();
    assert(!/<(script|link)[^>]+(src|href)="(?!data:)/.test(page), "nothing loaded from elsewhere");
  }
  const denied = deps({
    statusPage: statusPageResponse,
    authorized: () => Promise.resolve(false),
  });
  assertEquals((await createHandler(denied, both)(get("/ui"))).status, 401);
  assertEquals((await createHandler(deps(), both)(get("/ui"))).status, 404, "API switched off");
  const healthOnly = { ...both, serveMetrics: false };
  assertEquals((await createHandler(withPage, healthOnly)(get("/ui"))).status, 404);
});

Deno.test("preferredFormat(): OpenMetrics when the scraper ranks it first, else Prometheus text", () => {
  const cases: Array<[string | null, string]> = [
    [null, "text"],
    ["*/*", "text"],
    ["text/plain;version=0.0.4", "text"],
    [
      // Prometheus 3's default scrape_protocols
      "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6," +
      "application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;" +
      "escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
      "openmetrics",
    ],
    ["application/openmetrics-text; version=1.0.0", "openmetrics"],
    ["application/openmetrics-text;version=0.0.1", "text"],
    ["text/plain;q=1,application/openmetrics-text;version=1.0.0;q=0.5", "text"],
    ["application/openmetrics-text;version=1.0.0;q=0", "text"],
  ];
  for (const [accept, expected] of cases) {
    assertEquals(preferredFormat(accept), expected, accept ?? "none");
  }
});

Deno.test("/metrics answers in the syntax asked for, gzip or not", async () => {
  const handler = createHandler(
    deps({ renderMetrics: (format) => Promise.resolve(`${format}\n`) }),
    both,
  );
  const ask = (accept: string) =>
    handler(new Request("http://exporter/metrics", { headers: { accept } }));
  const openMetrics = await ask("application/openmetrics-text;version=1.0.0");
  assertEquals(
    openMetrics.headers.get("content-type"),
    "application/openmetrics-text; version=1.0.0; charset=utf-8",
  );
  assertEquals(await openMetrics.text(), "openmetrics\n");
  const text = await ask("text/plain");
  assertEquals(text.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
  assertEquals(await text.text(), "text\n");
});
