import { assertEquals } from "../../../tests/assert.ts";
import type { ConfigIssue } from "../config_error.ts";
import { normalizeKafkaLagGoForms } from "./kafka_lag_go_forms.ts";

function normalize(raw: unknown) {
  const issues: ConfigIssue[] = [];
  const result = normalizeKafkaLagGoForms(raw, issues);
  return { ...result, issues };
}

Deno.test("Go's zero values mean 'not set', except inside labels and headers", () => {
  const { tree, issues } = normalize({
    prometheus_local: { metrics_port: 0, labels: { env: "" } },
    prometheus_remote_write: { headers: { "X-Empty": "" }, bearer_token: "" },
    kafka_clusters: [{
      name: "a",
      brokers: ["k:9092"],
      consumer_groups: { whitelist: null, blacklist: "" },
      sasl: { enabled: false, user: "", password: "" },
    }],
    app: { num_workers: 0, health_check_port: 0, iteration_interval: "" },
  });
  assertEquals(tree, {
    prometheus_local: { labels: { env: "" } },
    prometheus_remote_write: { headers: { "X-Empty": "" } },
    kafka_clusters: [{
      name: "a",
      brokers: ["k:9092"],
      consumer_groups: {},
      sasl: { enabled: false },
    }],
    app: {},
  });
  assertEquals(issues, []);
});

Deno.test("logrus level names in any case map to ours; unknown names are left for the schema", async (t) => {
  const cases: Array<[string, string]> = [
    ["WARNING", "warn"],
    ["warning", "warn"],
    ["Warn", "warn"],
    ["trace", "debug"],
    ["DEBUG", "debug"],
    ["Info", "info"],
    ["error", "error"],
    ["fatal", "error"],
    ["PANIC", "error"],
    ["loud", "loud"],
  ];
  for (const [written, read] of cases) {
    await t.step(`${written} → ${read}`, () => {
      const { tree } = normalize({ app: { log_level: written } });
      assertEquals((tree as { app: { log_level: string } }).app.log_level, read);
    });
  }
});

Deno.test("ca_cert_file is read as ca_file for Kafka and Redis; both set differently is an error", () => {
  const { tree, issues } = normalize({
    kafka_clusters: [{ ssl: { enabled: true, ca_cert_file: "/ca.pem" } }],
    storage: { type: "redis", redis: { ssl: { ca_cert_file: "/r.pem", ca_file: "/other.pem" } } },
  });
  assertEquals(tree, {
    kafka_clusters: [{ ssl: { enabled: true, ca_file: "/ca.pem" } }],
    storage: { type: "redis", redis: { ssl: { ca_file: "/other.pem" } } },
  });
  assertEquals(issues, [{
    path: "storage.redis.ssl.ca_cert_file",
    message: "set ca_file or ca_cert_file, not both",
  }]);
});

Deno.test("a storage block without a type means Redis, as kafka-lag-go's default; no block, memory", () => {
  assertEquals(normalize({ storage: { redis: { address: "r" } } }).tree, {
    storage: { type: "redis", redis: { address: "r" } },
  });
  assertEquals(normalize({ storage: { type: "memory" } }).tree, { storage: { type: "memory" } });
  assertEquals(normalize({ app: {} }).tree, { app: {} });
});

Deno.test("the prometheus: block kafka-lag-go ignores is dropped with one warning naming the fix", () => {
  const { tree, warnings } = normalize({ prometheus: { metrics_port: 9999 }, app: {} });
  assertEquals(tree, { app: {} });
  assertEquals(warnings.length, 1);
  assertEquals(warnings[0].startsWith("prometheus: is ignored"), true);
  assertEquals(warnings[0].includes("prometheus_local:"), true);
});
