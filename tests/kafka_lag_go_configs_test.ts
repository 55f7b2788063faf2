/**
 * kafka-lag-go-style configs (tests/fixtures/kafka_lag_go/) load unchanged through the CLI and
 * mean what they meant there: same filters, ports, Redis; keys it ignored are warned about.
 */
import { parse } from "yaml";
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { runCli } from "./harness/exporter.ts";
import type { ConfigFile } from "../src/config/schema/schema.ts";
import { compileNameFilter, isIncluded } from "../src/config/schema/name_filter.ts";

const FIXTURES = new URL("./fixtures/kafka_lag_go/", import.meta.url).pathname;

interface Checked {
  /** The printed effective config (secrets redacted), in the file's shape. */
  effective: ConfigFile;
  warnings: string[];
}

async function checkConfig(name: string): Promise<Checked> {
  const result = await runCli(["--check-config", "-c", `${FIXTURES}${name}`]);
  assertEquals(result.code, 0, `${name}: ${result.stderr}`);
  const warnings = result.stderr.split("\n").filter((line) => line.trim() !== "");
  for (const line of warnings) assert(line.startsWith("kafka-lag-deno: warning: "), line);
  return { effective: parse(result.stdout), warnings };
}

/** Which of `names` the effective group filter of a cluster lets through. */
function groupsPassing(cluster: ConfigFile["kafka_clusters"][number], names: string[]): string[] {
  const filter = compileNameFilter(
    cluster.consumer_groups.whitelist,
    cluster.consumer_groups.blacklist,
  );
  return names.filter((name) => isIncluded(filter, name));
}

Deno.test({
  name: "kafka-lag-go configs load with the meaning they had there",
  fn: async (t) => {
    await t.step("example file: prometheus: ignored with one warning, two clusters", async () => {
      const { effective, warnings } = await checkConfig("example_two_clusters.yaml");
      assertEquals(warnings.length, 1);
      assertStringIncludes(warnings[0], "prometheus: is ignored");
      assertStringIncludes(warnings[0], "prometheus_local:");
      // kafka-lag-go never read the block: its default port and no labels, as here.
      assertEquals(effective.prometheus_local.metrics_port, 9090);
      assertEquals(effective.prometheus_local.labels, {});
      const [east, west] = effective.kafka_clusters;
      assertEquals(east.brokers, ["kafka-e1:9092", "kafka-e2:9092"]);
      assertEquals(east.client_request_timeout, "20s");
      assertEquals(east.ssl.insecure_skip_verify, true);
      assertEquals(east.sasl.mechanism, "SCRAM-SHA-256");
      assertEquals(east.sasl.password, "<redacted>");
      // With a whitelist, kafka-lag-go ignores the blacklist: test-* groups are measured.
      assertEquals(groupsPassing(east, ["orders", "test-1"]), ["orders", "test-1"]);
      assertEquals(groupsPassing(west, ["payments-eu", "orders"]), ["payments-eu"]);
      assertEquals(effective.storage.type, "redis");
      const redis = effective.storage.redis;
      assertEquals([redis.address, redis.port, redis.retention_ttl_seconds], [
        "redis.internal",
        6380,
        3600,
      ]);
      assertEquals(redis.ssl.ca_file, "/etc/klg/redis-ca.pem");
      assertEquals(redis.auth, { enabled: true, username: "lag", password: "<redacted>" });
      assertEquals(effective.app.log_level, "warn");
      assertEquals(effective.app.num_workers, 6);
      assertEquals([effective.app.health_check_port, effective.app.health_check_path], [
        8088,
        "/health",
      ]);
    });

    await t.step("e2e habits: null filters, empty strings, remote write over TLS", async () => {
      const { effective, warnings } = await checkConfig("e2e_nulls_and_empties.yaml");
      assertEquals(warnings, []);
      const [cluster] = effective.kafka_clusters;
      assertEquals(cluster.consumer_groups, {});
      assertEquals(groupsPassing(cluster, ["any", "test-x"]), ["any", "test-x"]);
      assertEquals(cluster.ssl.client_certificate_file, undefined);
      assertEquals(cluster.sasl.user, undefined);
      assertEquals(effective.prometheus_local, {
        metrics_port: 9099,
        listen_address: "0.0.0.0",
        api_enabled: true,
        labels: { env: "ci" },
        granularity: "partition",
        member_labels: false,
        metric_names: ["native"],
      });
      const remote = effective.prometheus_remote_write;
      assertEquals(remote.enabled, true);
      assertEquals(remote.basic_auth, { username: "pusher", password: "<redacted>" });
      assertEquals(remote.tls_config.insecure_skip_verify, true);
      assertEquals(effective.storage.redis.address, "localhost");
      assertEquals(effective.storage.redis.auth.username, undefined);
      assertEquals(effective.app.iteration_interval, "15s");
    });

    await t.step("bearer token, a storage block without type means Redis", async () => {
      const { effective } = await checkConfig("bearer_token_remote_write.yaml");
      const remote = effective.prometheus_remote_write;
      assertEquals(remote.bearer_token, "<redacted>");
      assertEquals(remote.headers, { "X-Scope-OrgID": "team-data" });
      assertEquals(remote.tls_config.ca_cert_file, "/etc/klg/rw-ca.pem");
      assertEquals(effective.storage.type, "redis");
      assertEquals(effective.storage.redis.address, "redis-master");
      assertEquals(effective.app.log_level, "debug");
      assertEquals(groupsPassing(effective.kafka_clusters[0], ["_confluent", "app"]), ["app"]);
    });

    await t.step("Go regular expressions match as in Go", async () => {
      const { effective } = await checkConfig("go_regex_filters.yaml");
      const [regex, blacklisted] = effective.kafka_clusters;
      assertEquals(
        groupsPassing(regex, ["ORDERS-eu1", "billing-x", "orders-eu-1", "orders-eu\n", "shop"]),
        ["ORDERS-eu1", "billing-x"],
      );
      // An empty whitelist is no whitelist: the blacklist applies.
      assertEquals(groupsPassing(blacklisted, ["console-consumer-1", "app-console-consumer-"]), [
        "app-console-consumer-",
      ]);
      assertEquals(effective.app.log_level, "debug");
    });

    await t.step("Go zero values take the defaults", async () => {
      const { effective } = await checkConfig("zero_values.yaml");
      assertEquals(effective.prometheus_local.metrics_port, 9090);
      assertEquals(effective.kafka_clusters[0].client_request_timeout, "30s");
      assertEquals(effective.kafka_clusters[0].metadata_fetch_timeout, "5s");
      assertEquals(effective.storage.type, "redis");
      const redis = effective.storage.redis;
      assertEquals([redis.address, redis.port, redis.retention_ttl_seconds], [
        "localhost",
        6379,
        7200,
      ]);
      assertEquals(effective.app.iteration_interval, "30s");
      assertEquals(effective.app.num_workers, 10);
      assertEquals(effective.app.log_level, "info");
      assertEquals([effective.app.health_check_port, effective.app.health_check_path], [
        8080,
        "/healthz",
      ]);
    });

    await t.step("PANIC level, IPv6 brokers, ca_cert_file for Kafka", async () => {
      const { effective } = await checkConfig("fatal_level_ipv6.yaml");
      assertEquals(effective.app.log_level, "error");
      assertEquals(effective.kafka_clusters[0].brokers, ["[2001:db8::10]:9093", "[::1]:9092"]);
      assertEquals(effective.kafka_clusters[0].ssl.ca_file, "/etc/klg/kafka-ca.pem");
      assertEquals(effective.storage.redis.address, "::1");
    });
  },
});
