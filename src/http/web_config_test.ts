import bcrypt from "bcryptjs";
import { assert, assertEquals, assertStringIncludes, assertThrows } from "../../tests/assert.ts";
import { ConfigError } from "../config/config_error.ts";
import { createBasicAuth } from "./basic_auth.ts";
import { createHandler } from "./create_handler.ts";
import { toWebConfig } from "./web_config.ts";

const HASH = bcrypt.hashSync("right-password", 4);
const TLS = { cert_file: "c.pem", key_file: "k.pem" };

Deno.test("toWebConfig() reads exporter-toolkit's format", async (t) => {
  await t.step("TLS, users and headers", () => {
    assertEquals(
      toWebConfig({
        tls_server_config: { cert_file: "c.pem", key_file: "k.pem", min_version: "VersionTLS12" },
        http_server_config: { headers: { "Strict-Transport-Security": "max-age=31536000" } },
        basic_auth_users: { prometheus: HASH },
      }, "web.yml"),
      {
        tls: { certFile: "c.pem", keyFile: "k.pem" },
        basicAuthUsers: { prometheus: HASH },
        headers: { "Strict-Transport-Security": "max-age=31536000" },
      },
    );
  });
  await t.step("client certificates: the policy, its CA and the allowed names", () => {
    assertEquals(
      toWebConfig({
        tls_server_config: {
          ...TLS,
          client_auth_type: "RequireAndVerifyClientCert",
          client_ca_file: "clients.pem",
          client_allowed_sans: ["scraper.example"],
        },
      }, "web.yml").tls,
      {
        certFile: "c.pem",
        keyFile: "k.pem",
        clientAuth: {
          type: "RequireAndVerifyClientCert",
          caFile: "clients.pem",
          allowedSans: ["scraper.example"],
        },
      },
    );
    // Go's older name is accepted, as exporter-toolkit does; no CA needed when nothing is verified.
    assertEquals(
      toWebConfig({ tls_server_config: { ...TLS, client_auth_type: "RequireClientCert" } }, "w")
        .tls?.clientAuth,
      { type: "RequireAnyClientCert", allowedSans: [] },
    );
    assertEquals(
      toWebConfig({ tls_server_config: { ...TLS, client_auth_type: "NoClientCert" } }, "w").tls,
      { certFile: "c.pem", keyFile: "k.pem" },
    );
  });
  await t.step("an empty file changes nothing", () => {
    assertEquals(toWebConfig(null, "web.yml"), { basicAuthUsers: {}, headers: {} });
  });
  const refused: Array<[string, unknown, string]> = [
    ["an unknown key", { tls_server_config: { cert: "x" } }, "tls_server_config.cert: unknown key"],
    [
      "verified client certificates without a client CA",
      { tls_server_config: { ...TLS, client_auth_type: "RequireAndVerifyClientCert" } },
      "tls_server_config.client_ca_file: required by client_auth_type RequireAndVerifyClientCert",
    ],
    [
      "a client CA without a policy that asks for certificates",
      { tls_server_config: { ...TLS, client_ca_file: "ca.pem" } },
      "tls_server_config.client_ca_file: given without a client_auth_type",
    ],
    [
      "allowed names without verified certificates",
      {
        tls_server_config: {
          ...TLS,
          client_auth_type: "RequireAnyClientCert",
          client_allowed_sans: ["scraper"],
        },
      },
      "tls_server_config.client_allowed_sans: needs client_auth_type RequireAndVerifyClientCert",
    ],
    [
      "an unknown client_auth_type",
      { tls_server_config: { ...TLS, client_auth_type: "Mandatory" } },
      "tls_server_config.client_auth_type: expected one of NoClientCert",
    ],
    [
      "client certificates without a server certificate",
      { tls_server_config: { client_auth_type: "RequestClientCert" } },
      "tls_server_config: client certificates need cert_file",
    ],
    [
      "cipher suites",
      { tls_server_config: { cipher_suites: ["TLS_AES_128_GCM_SHA256"] } },
      "tls_server_config.cipher_suites: not supported",
    ],
    [
      "TLS 1.3 only",
      { tls_server_config: { min_version: "VersionTLS13" } },
      "tls_server_config.min_version: not supported",
    ],
    ["a certificate without its key", { tls_server_config: { cert_file: "c.pem" } }, "go together"],
    [
      "a header that is not a security header",
      { http_server_config: { headers: { Authorization: "x" } } },
      "http_server_config.headers.Authorization: not allowed",
    ],
  ];
  for (const [name, raw, expected] of refused) {
    await t.step(`refused: ${name}`, () => {
      const error = assertThrows(() => toWebConfig(raw, "web.yml"), ConfigError);
      assertStringIncludes(error.message, expected);
    });
  }
  await t.step("a password in place of a hash is refused without being echoed", () => {
    const error = assertThrows(
      () => toWebConfig({ basic_auth_users: { admin: "plain-text-secret" } }, "web.yml"),
      ConfigError,
    );
    assertStringIncludes(error.message, "basic_auth_users.admin: expected a bcrypt hash");
    assert(!error.message.includes("plain-text-secret"));
  });
});

Deno.test("basic auth on /metrics and the API; health stays open; headers on every answer", async () => {
  const auth = createBasicAuth({ prometheus: HASH });
  const handler = createHandler({
    renderMetrics: () => Promise.resolve("up 1\n"),
    health: () => ({ status: "OK" as const, unhealthy_clusters: [] }),
    live: () => true,
    api: () => Response.json({ clusters: [] }),
    authorized: (request) => auth(request.headers.get("authorization")),
    headers: () => ({ "X-Content-Type-Options": "nosniff" }),
  }, { serveMetrics: true, serveHealth: true, healthPath: "/healthz" });
  const basic = (user: string, password: string) => ({
    authorization: `Basic ${btoa(`${user}:${password}`)}`,
  });
  const get = (path: string, headers: Record<string, string> = {}) =>
    handler(new Request(`http://x${path}`, { headers }));
  const anonymous = await get("/metrics");
  assertEquals(anonymous.status, 401);
  assertEquals(anonymous.headers.get("www-authenticate"), 'Basic realm="kafka-lag-deno"');
  assertEquals((await get("/metrics", basic("prometheus", "wrong"))).status, 401);
  assertEquals((await get("/metrics", basic("nobody", "right-password"))).status, 401);
  assertEquals((await get("/api/v1/clusters")).status, 401);
  const allowed = await get("/metrics", basic("prometheus", "right-password"));
  assertEquals(allowed.status, 200);
  assertEquals(await allowed.text(), "up 1\n");
  assertEquals((await get("/api/v1/clusters", basic("prometheus", "right-password"))).status, 200);
  for (const path of ["/livez", "/readyz", "/healthz"]) assertEquals((await get(path)).status, 200);
  for (const path of ["/metrics", "/livez", "/nowhere"]) {
    assertEquals((await get(path)).headers.get("x-content-type-options"), "nosniff", path);
  }
});

Deno.test("a wrong user takes as long as a wrong password (no user probing by timing)", async () => {
  const auth = createBasicAuth({ prometheus: bcrypt.hashSync("right-password", 10) });
  const timed = async (user: string, password: string) => {
    const started = performance.now();
    assertEquals(await auth(`Basic ${btoa(`${user}:${password}`)}`), false);
    return performance.now() - started;
  };
  const median = (values: number[]) => values.toSorted((a, b) => a - b)[values.length >> 1];
  const wrongPassword: number[] = [];
  const wrongUser: number[] = [];
  for (let round = 0; round < 5; round++) {
    wrongPassword.push(await timed("prometheus", `wrong-${round}`));
    wrongUser.push(await timed(`nobody-${round}`, "right-password"));
  }
  const ratio = median(wrongUser) / median(wrongPassword);
  assert(ratio > 0.6 && ratio < 1.6, `wrong user ${wrongUser}, wrong password ${wrongPassword}`);
});
