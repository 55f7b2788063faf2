import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../tests/assert.ts";
import { ConfigError } from "./config_error.ts";
import { loadConfig } from "./load_config.ts";
import { deps, MINIMAL } from "../../tests/fakes/config_files.ts";
import { redactConfig } from "./redact.ts";
import { isIncluded } from "./schema/name_filter.ts";

Deno.test("loadConfig() fills the seed's defaults", async () => {
  const config = await loadConfig("c.yaml", deps({ "c.yaml": MINIMAL }));
  assertEquals(config.metrics, {
    port: 9090,
    listenAddress: "0.0.0.0",
    apiEnabled: true,
    webConfigFile: undefined,
    labels: {},
    granularity: "partition",
    memberLabels: false,
    native: true,
    compat: [],
  });
  assertEquals(config.app, {
    iterationIntervalMs: 30_000,
    statusWindowMs: 600_000,
    concurrency: 10,
    logLevel: "info",
    logFormat: "text",
    healthPort: 8080,
    healthAddress: "0.0.0.0",
    healthPath: "/healthz",
    nodeId: "host-1",
    shutdownTimeoutMs: 5_000,
  });
  assertEquals(config.storage.type, "memory");
  assertEquals(config.storage.retentionMs, 7_200_000);
  assertEquals(config.clusters[0].requestTimeoutMs, 30_000);
  assertEquals(config.clusters[0].metadataTimeoutMs, 5_000);
  assertEquals(config.clusters[0].tls, undefined);
});

Deno.test("loadConfig() reads a full seed-style config", async () => {
  const yaml = `
prometheus_local:
  metrics_port: 9100
  labels: {env: prod, team: data}
prometheus_remote_write:
  enabled: true
  url: https://prom.example/api/v1/write
  headers: {X-Scope-OrgID: tenant-1}
  timeout: 10s
  bearer_token: \${RW_TOKEN}
kafka_clusters:
  - name: main
    brokers: ["k1:9092", "k2:9092"]
    client_request_timeout: 1m30s
    metadata_fetch_timeout: 500ms
    consumer_groups: {whitelist: "^app-", blacklist: "test"}
    ssl: {enabled: true, ca_file: /ca.pem}
    sasl: {enabled: true, mechanism: PLAIN, user: exporter, password_file: /secret}
storage:
  type: redis
  redis: {address: redis.local, port: 6380, retention_ttl_seconds: 600, auth: {enabled: true, username: lag, password: \"\${REDIS_PASSWORD:-fallback}\"}}
app:
  iteration_interval: 15s
  num_workers: 4
  log_level: debug
  health_check_port: 8081
  health_check_path: /health
  node_id: exporter-a
`;
  const config = await loadConfig(
    "c.yaml",
    deps({ "c.yaml": yaml, "/secret": "s3cret\n" }, { RW_TOKEN: "tok" }),
  );
  const cluster = config.clusters[0];
  assertEquals(cluster.requestTimeoutMs, 90_000);
  assertEquals(cluster.metadataTimeoutMs, 500);
  assertEquals(cluster.sasl, { mechanism: "PLAIN", username: "exporter", password: "s3cret" });
  assertEquals(cluster.tls, {
    caFile: "/ca.pem",
    certFile: undefined,
    keyFile: undefined,
    insecureSkipVerify: false,
  });
  assert(isIncluded(cluster.groupFilter, "app-orders"));
  assert(!isIncluded(cluster.groupFilter, "other"));
  assertEquals(config.remoteWrite.bearerToken, "tok");
  assertEquals(config.storage.redis.password, "fallback");
  assertEquals(config.storage.retentionMs, 600_000);
  assertEquals(config.app.nodeId, "exporter-a");
});

Deno.test("loadConfig() rejects mistakes with the key path", async (t) => {
  const cases: Array<
    { name: string; yaml: string; files?: Record<string, string>; expected: string[] }
  > = [
    {
      name: "unknown key (typo)",
      yaml: MINIMAL + "app:\n  iteration_intervall: 5s\n",
      expected: ["app.iteration_intervall: unknown key"],
    },
    {
      name: "unknown key in a list item",
      yaml: MINIMAL.replace("brokers:", "brokerz: [x]\n    brokers:"),
      expected: ["kafka_clusters[0].brokerz: unknown key"],
    },
    {
      name: "wrong type",
      yaml: MINIMAL + "prometheus_local:\n  metrics_port: lots\n",
      expected: ['prometheus_local.metrics_port: expected number, got string "lots"'],
    },
    {
      name: "a secret of the wrong type is not echoed",
      yaml: MINIMAL.replace(
        "brokers:",
        "sasl: {enabled: true, user: u, password: 84736291}\n    brokers:",
      ),
      expected: ["kafka_clusters[0].sasl.password: expected string"],
    },
    {
      name: "bad regex",
      yaml: MINIMAL.replace("brokers:", 'consumer_groups: {whitelist: "([a-z"}\n    brokers:'),
      expected: [
        "kafka_clusters[0].consumer_groups.whitelist: expected a valid (Go/RE2) regular expression",
      ],
    },
    {
      name: "bad regex in a list",
      yaml: MINIMAL.replace("brokers:", 'topics: {blacklist: [ok, "*bad"]}\n    brokers:'),
      expected: ["kafka_clusters[0].topics.blacklist"],
    },
    {
      name: "bad duration",
      yaml: MINIMAL + "app:\n  iteration_interval: 30\n",
      expected: ["app.iteration_interval: expected string"],
    },
    {
      name: "bad duration unit",
      yaml: MINIMAL + "app:\n  iteration_interval: 30x\n",
      expected: ["app.iteration_interval: expected a Go-style duration"],
    },
    {
      name: "an interval of 0s (a hot loop)",
      yaml: MINIMAL + "app:\n  iteration_interval: 0s\n",
      expected: ["app.iteration_interval: expected a duration between 1s and 24h"],
    },
    {
      name: "a heartbeat TTL of 0s (every instance would own every group)",
      yaml: MINIMAL + "storage:\n  redis:\n    heartbeat_ttl: 0s\n",
      expected: ["storage.redis.heartbeat_ttl: expected a duration between 1s and 1h"],
    },
    {
      name: "a request timeout of 0s",
      yaml: MINIMAL.replace("brokers:", "client_request_timeout: 0s\n    brokers:"),
      expected: [
        "kafka_clusters[0].client_request_timeout: expected a duration between 100ms and 10m",
      ],
    },
    {
      name: "an interval of years",
      yaml: MINIMAL + "app:\n  iteration_interval: 100000h\n",
      expected: ["app.iteration_interval: expected a duration between 1s and 24h"],
    },
    {
      name: "a remote-write client certificate without its key",
      yaml: MINIMAL +
        "prometheus_remote_write:\n  enabled: true\n  url: https://rw/api/v1/write\n" +
        "  tls_config: {enabled: true, cert_file: /c.pem}\n",
      expected: ["prometheus_remote_write.tls_config: cert_file and key_file must be set together"],
    },
    {
      name: "a Redis client key without its certificate",
      yaml: MINIMAL + "storage:\n  redis:\n    ssl: {enabled: true, client_key_file: /k.pem}\n",
      expected: [
        "storage.redis.ssl: client_certificate_file and client_key_file must be set together",
      ],
    },
    {
      name: "a remote-write URL that is not http(s)",
      yaml: MINIMAL + "prometheus_remote_write:\n  enabled: true\n  url: ftp://rw/write\n",
      expected: ["prometheus_remote_write.url: expected an http:// or https:// URL"],
    },
    {
      name: "wrong enum",
      yaml: MINIMAL.replace(
        "brokers:",
        "sasl: {enabled: true, mechanism: GSSAPI, user: u, password: p}\n    brokers:",
      ),
      expected: ['kafka_clusters[0].sasl.mechanism: expected one of "PLAIN"'],
    },
    { name: "no clusters", yaml: "app: {}\n", expected: ["kafka_clusters: is required"] },
    { name: "empty file", yaml: "", expected: ["kafka_clusters: is required"] },
    {
      name: "broker without port",
      yaml: MINIMAL.replace("k1:9092", "k1"),
      expected: ["kafka_clusters[0].brokers[0]: expected host:port"],
    },
    {
      name: "duplicate cluster names",
      yaml: MINIMAL + '  - name: main\n    brokers: ["k2:9092"]\n',
      expected: ["kafka_clusters[1].name: duplicate cluster name"],
    },
    {
      name: "sasl without password",
      yaml: MINIMAL.replace("brokers:", "sasl: {enabled: true, user: u}\n    brokers:"),
      expected: ["kafka_clusters[0].sasl.password: is required"],
    },
    {
      name: "password and password_file",
      yaml: MINIMAL.replace(
        "brokers:",
        "sasl: {enabled: true, user: u, password: p, password_file: /f}\n    brokers:",
      ),
      files: { "/f": "x" },
      expected: ["kafka_clusters[0].sasl.password: set either password or password_file, not both"],
    },
    {
      name: "missing secret file",
      yaml: MINIMAL.replace(
        "brokers:",
        "sasl: {enabled: true, user: u, password_file: /nope}\n    brokers:",
      ),
      expected: ["kafka_clusters[0].sasl.password_file: cannot read /nope (no such file)"],
    },
    {
      name: "unset environment variable",
      yaml: MINIMAL.replace("k1:9092", "${BROKER}"),
      expected: ["kafka_clusters[0].brokers[0]: environment variable BROKER is not set"],
    },
    {
      name: "basic auth and bearer token together",
      yaml: MINIMAL +
        "prometheus_remote_write:\n  enabled: true\n  url: http://x/w\n  basic_auth: {username: u, password: p}\n  bearer_token: t\n",
      expected: ["prometheus_remote_write: set basic_auth or bearer_token, not both"],
    },
    {
      name: "remote write without url",
      yaml: MINIMAL + "prometheus_remote_write:\n  enabled: true\n",
      expected: ["prometheus_remote_write.url: is required"],
    },
    {
      name: "reserved label name",
      yaml: MINIMAL + "prometheus_local:\n  labels: {group: x}\n",
      expected: ["prometheus_local.labels.group: this label name is reserved"],
    },
    {
      name: "label names of the group series, and of a compat scheme when it is on",
      yaml: MINIMAL + "prometheus_local:\n  metric_names: [native, kafka_exporter]\n" +
        "  labels: {state: x, member_host: y, consumergroup: z}\n",
      expected: ["state", "member_host", "consumergroup"].map((name) =>
        `prometheus_local.labels.${name}: this label name is reserved`
      ),
    },
    {
      name: "invalid label name",
      yaml: MINIMAL + 'prometheus_local:\n  labels: {"bad-name": x}\n',
      expected: ["prometheus_local.labels.bad-name"],
    },
    {
      name: "YAML syntax error",
      yaml: "kafka_clusters: [\n",
      expected: ["YAML syntax error"],
    },
    {
      name: "every problem at once",
      yaml: MINIMAL + "app:\n  log_level: loud\n  num_workers: -1\n",
      expected: ["app.log_level: expected one of", "app.num_workers"],
    },
  ];
  for (const testCase of cases) {
    await t.step(testCase.name, async () => {
      const error = await assertRejects(
        () => loadConfig("c.yaml", deps({ "c.yaml": testCase.yaml, ...testCase.files })),
        ConfigError,
      );
      assert(!error.message.includes("\n"), `one line: ${error.message}`);
      assertStringIncludes(error.message, "invalid config c.yaml: ");
      for (const expected of testCase.expected) assertStringIncludes(error.message, expected);
    });
  }
});

Deno.test("loadConfig() names a missing config file", async () => {
  const error = await assertRejects(() => loadConfig("missing.yaml", deps({})), ConfigError);
  assertEquals(error.message, "invalid config missing.yaml: cannot read the file (no such file)");
});

Deno.test("redactConfig() hides every secret, whatever its source", async () => {
  const yaml =
    MINIMAL.replace("brokers:", 'sasl: {enabled: true, user: u, password: "${PW}"}\n    brokers:') +
    "prometheus_remote_write:\n  url: https://rw-user:rw-pass@x/w\n  headers: {Authorization: Bearer abc, X-Scope-OrgID: t1}\n" +
    "storage:\n  redis: {auth: {enabled: true, password: rpw}}\n" +
    "otlp:\n  url: https://otlp-user:otlp-pass@o/v1/metrics\n  resource_attributes: {a: b}\n" +
    "  basic_auth: {password: otlp-token}\n" +
    "  headers: {X-Api-Key: otlp-key}\n";
  const config = await loadConfig("c.yaml", deps({ "c.yaml": yaml }, { PW: "from-env" }));
  const printed = JSON.stringify(redactConfig(config.effective));
  const secrets = ["from-env", "Bearer abc", "rpw", "rw-user", "rw-pass"];
  for (const secret of [...secrets, "otlp-user", "otlp-pass", "otlp-token", "otlp-key"]) {
    assert(!printed.includes(secret), `${secret} leaked: ${printed}`);
  }
  assertStringIncludes(printed, "t1");
  assertStringIncludes(printed, "https://<redacted>@x/w");
});

Deno.test("OAUTHBEARER: settings from the oauth block, the client secret from its file, redacted", async () => {
  const yaml = MINIMAL.replace(
    "brokers:",
    "sasl: {enabled: true, mechanism: OAUTHBEARER, oauth: {token_endpoint_url: 'https://idp/t', " +
      "client_id: lag, client_secret_file: /oauth-secret, scope: kafka, extensions: {logicalCluster: lkc-1}}}\n    brokers:",
  );
  const config = await loadConfig(
    "c.yaml",
    deps({ "c.yaml": yaml, "/oauth-secret": "oauth-secret-value\n" }),
  );
  assertEquals(config.clusters[0].sasl, {
    mechanism: "OAUTHBEARER",
    oauth: {
      tokenEndpointUrl: "https://idp/t",
      clientId: "lag",
      clientSecret: "oauth-secret-value",
      scope: "kafka",
      audience: undefined,
      extensions: { logicalCluster: "lkc-1" },
      tokenFile: undefined,
      tls: { caFile: undefined, insecureSkipVerify: false },
    },
  });
  const inline = yaml.replace("client_secret_file: /oauth-secret", "client_secret: inline-oauth-9");
  const printed = JSON.stringify(
    redactConfig((await loadConfig("c.yaml", deps({ "c.yaml": inline }))).effective),
  );
  assert(!printed.includes("inline-oauth-9"), printed);
});
