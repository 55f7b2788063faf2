/**
 * Hostile and careless configs through the CLI (`--check-config`): each row ends with the exit
 * code given, one line naming the key path and the allowed range, and never a stack trace.
 */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { runCli } from "./harness/exporter.ts";

const CLUSTER = `kafka_clusters:\n  - name: main\n    brokers: ["127.0.0.1:9092"]\n`;

function aliasBomb(): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let level = 1; level < 10; level++) {
    lines.push(`a${level}: &a${level} [${Array(9).fill(`*a${level - 1}`).join(",")}]`);
  }
  return `${lines.join("\n")}\n${CLUSTER}`;
}

function manyLabels(count: number): string {
  const labels = Array.from({ length: count }, (_, index) => `    label_${index}: value-${index}`);
  return `prometheus_local:\n  labels:\n${labels.join("\n")}\n${CLUSTER}`;
}

const CASES: Array<
  { name: string; yaml: string; code: number; expected: string[]; maxMs?: number }
> = [
  { name: "alias bomb", yaml: aliasBomb(), code: 2, expected: ["YAML aliases expand too far"] },
  {
    name: "a 2 MiB file",
    yaml: manyLabels(60_000),
    code: 2,
    expected: ["MiB; a config file may be at most 1 MiB"],
  },
  {
    // Linear checking: 0.7 s here; the quadratic duplicate-key check took about 8 s.
    name: "30,000 labels are checked quickly",
    yaml: manyLabels(30_000),
    code: 0,
    expected: [],
    maxMs: 5_000,
  },
  {
    name: "YAML syntax error",
    yaml: `${CLUSTER}app:\n  log_level: [info\n`,
    code: 2,
    expected: ["line ", "column ", "YAML syntax error"],
  },
  {
    name: "duplicate key",
    yaml: `${CLUSTER}app: {}\napp: {}\n`,
    code: 2,
    expected: ["line 5, column 1", 'map keys must be unique ("app" is repeated)'],
  },
  {
    name: "broker port 99999",
    yaml: CLUSTER.replace("9092", "99999"),
    code: 2,
    expected: ["kafka_clusters[0].brokers[0]", "between 1 and 65535"],
  },
  {
    name: "broker without a port",
    yaml: CLUSTER.replace(":9092", ""),
    code: 2,
    expected: ["kafka_clusters[0].brokers[0]", "expected host:port"],
  },
  {
    name: "IPv6 brokers",
    yaml: CLUSTER.replace('"127.0.0.1:9092"', '"[::1]:9092", "[2001:db8::1]:9093"'),
    code: 0,
    expected: [],
  },
  {
    name: "IPv6 Redis Cluster nodes",
    yaml: `${CLUSTER}storage:\n  type: redis\n  redis:\n    cluster_nodes: ["[::1]:7000"]\n`,
    code: 0,
    expected: [],
  },
  {
    name: "metrics port above 65535",
    yaml: `prometheus_local:\n  metrics_port: 70000\n${CLUSTER}`,
    code: 2,
    expected: ["prometheus_local.metrics_port", "between 1 and 65535"],
  },
  {
    name: "Redis port 0.5",
    yaml: `${CLUSTER}storage:\n  redis:\n    port: 0.5\n`,
    code: 2,
    expected: ["storage.redis.port", "between 1 and 65535"],
  },
  {
    name: "iteration_interval 0s",
    yaml: `${CLUSTER}app:\n  iteration_interval: 0s\n`,
    code: 2,
    expected: ["app.iteration_interval", "between 1s and 24h"],
  },
  {
    name: "iteration_interval of years",
    yaml: `${CLUSTER}app:\n  iteration_interval: 100000h\n`,
    code: 2,
    expected: ["app.iteration_interval", "between 1s and 24h"],
  },
  {
    name: "iteration_interval .inf",
    yaml: `${CLUSTER}app:\n  iteration_interval: .inf\n`,
    code: 2,
    expected: ["app.iteration_interval", "expected string"],
  },
  {
    name: "client_request_timeout 0s",
    yaml: CLUSTER + "    client_request_timeout: 0s\n",
    code: 2,
    expected: ["kafka_clusters[0].client_request_timeout", "between 100ms and 10m"],
  },
  {
    name: "heartbeat_ttl 0s",
    yaml: `${CLUSTER}storage:\n  redis:\n    heartbeat_ttl: 0s\n`,
    code: 2,
    expected: ["storage.redis.heartbeat_ttl", "between 1s and 1h"],
  },
  {
    name: "max_future_skew 48h",
    yaml: CLUSTER + "    exact_lag_seconds: {max_future_skew: 48h}\n",
    code: 2,
    expected: ["kafka_clusters[0].exact_lag_seconds.max_future_skew", "between 0s and 24h"],
  },
  {
    name: "ftp remote-write URL",
    yaml: `prometheus_remote_write:\n  url: ftp://x/y\n${CLUSTER}`,
    code: 2,
    expected: ["prometheus_remote_write.url", "http:// or https://"],
  },
  {
    name: "negative num_workers",
    yaml: `${CLUSTER}app:\n  num_workers: -1\n`,
    code: 2,
    expected: ["app.num_workers"],
  },
  {
    name: "a typo in a key",
    yaml: `${CLUSTER}app:\n  iteration_intervall: 5s\n`,
    code: 2,
    expected: ["app.iteration_intervall: unknown key"],
  },
  {
    name: "a JavaScript-only regex (look-behind)",
    yaml: CLUSTER + "    consumer_groups: {whitelist: '(?<=a)b'}\n",
    code: 2,
    expected: ["kafka_clusters[0].consumer_groups.whitelist", "Go/RE2"],
  },
  {
    name: "an unknown log level",
    yaml: `${CLUSTER}app:\n  log_level: loud\n`,
    code: 2,
    expected: ["app.log_level", "expected one of"],
  },
  {
    name: "ca_file and ca_cert_file that disagree",
    yaml: CLUSTER + "    ssl: {enabled: true, ca_file: /a.pem, ca_cert_file: /b.pem}\n",
    code: 2,
    expected: ["kafka_clusters[0].ssl.ca_cert_file", "not both"],
  },
  {
    name: "a certificate without its key",
    yaml: CLUSTER + "    ssl: {enabled: true, client_certificate_file: /c.pem}\n",
    code: 2,
    expected: ["kafka_clusters[0].ssl", "must be set together"],
  },
  {
    name: "a mapping where a list belongs",
    yaml: "kafka_clusters: {name: main}\n",
    code: 2,
    expected: ["kafka_clusters", "expected array, got a mapping"],
  },
  {
    name: "OAUTHBEARER without its oauth block",
    yaml: CLUSTER + "    sasl: {enabled: true, mechanism: OAUTHBEARER}\n",
    code: 2,
    expected: ["kafka_clusters[0].sasl.oauth: is required when mechanism is OAUTHBEARER"],
  },
  {
    name: "OAUTHBEARER without a client secret",
    yaml: CLUSTER +
      "    sasl: {enabled: true, mechanism: OAUTHBEARER, oauth: {token_endpoint_url: 'https://idp/t', client_id: c}}\n",
    code: 2,
    expected: ["kafka_clusters[0].sasl.oauth.client_secret: is required"],
  },
  {
    name: "OAUTHBEARER with a token file and a client id",
    yaml: CLUSTER +
      "    sasl: {enabled: true, mechanism: OAUTHBEARER, oauth: {token_file: /t, client_id: c}}\n",
    code: 2,
    expected: ["kafka_clusters[0].sasl.oauth", "not both"],
  },
  {
    name: "an OAuth token endpoint that is not http(s)",
    yaml: CLUSTER +
      "    sasl: {enabled: true, mechanism: OAUTHBEARER, oauth: {token_endpoint_url: 'ldap://idp', client_id: c, client_secret: s}}\n",
    code: 2,
    expected: ["kafka_clusters[0].sasl.oauth.token_endpoint_url", "http:// or https://"],
  },
  {
    name: "a password with OAUTHBEARER",
    yaml: CLUSTER +
      "    sasl: {enabled: true, mechanism: OAUTHBEARER, user: u, oauth: {token_file: /t}}\n",
    code: 2,
    expected: ["kafka_clusters[0].sasl.user: is not used with mechanism OAUTHBEARER"],
  },
  {
    name: "AWS_MSK_IAM without a region",
    yaml: CLUSTER + "    ssl: {enabled: true}\n    sasl: {enabled: true, mechanism: AWS_MSK_IAM}\n",
    code: 2,
    expected: ["kafka_clusters[0].sasl.aws.region: is required when mechanism is AWS_MSK_IAM"],
  },
  {
    name: "AWS_MSK_IAM without TLS",
    yaml: CLUSTER + "    sasl: {enabled: true, mechanism: AWS_MSK_IAM, aws: {region: eu-west-1}}\n",
    code: 2,
    expected: ["kafka_clusters[0].sasl.mechanism", "needs ssl.enabled: true"],
  },
  { name: "an empty file", yaml: "", code: 2, expected: ["kafka_clusters", "is required"] },
  {
    name: "a scalar document",
    yaml: "just a string\n",
    code: 2,
    expected: ["expected object"],
  },
];

Deno.test({
  name: "hostile and careless configs end with one line naming the key",
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "kafka-lag-deno-hardening-" });
    try {
      for (const [index, row] of CASES.entries()) {
        await t.step(row.name, async () => {
          const path = `${dir}/case-${index}.yaml`;
          await Deno.writeTextFile(path, row.yaml);
          const started = performance.now();
          const result = await runCli(["--check-config", "-c", path]);
          const output = result.stdout + result.stderr;
          assertEquals(result.code, row.code, output.slice(0, 2_000));
          assert(!/\n\s+at /.test(output) && !/Uncaught|Stack/.test(output), output);
          // Generous: process start included; the 10 MB file of the report was still running at 30 s.
          const tookMs = performance.now() - started;
          assert(tookMs < (row.maxMs ?? 15_000), `${row.name} took ${tookMs.toFixed(0)} ms`);
          if (row.code === 0) return;
          const lines = result.stderr.trim().split("\n");
          assertEquals(lines.length, 1, result.stderr);
          assertStringIncludes(lines[0], path);
          for (const text of row.expected) assertStringIncludes(lines[0], text);
        });
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
