/**
 * The YAML file's shape, as zod schemas: seed keys of kafka-lag-go plus our additions (SPEC §3).
 * Only shape, types and defaults live here; cross-field rules are in cross_field_rules.ts,
 * kafka-lag-go's spellings are read in kafka_lag_go_forms.ts.
 */
import { z } from "zod";
import { parseDurationMs } from "./duration.ts";
import { patternSyntaxError } from "./name_filter.ts";

const duration = z.string().refine((text) => parseDurationMs(text) !== undefined, {
  message: "expected a Go-style duration such as 30s, 5m or 1h30m",
});

/**
 * A duration within [min, max]: 0s as an interval is a hot loop, 0s as a heartbeat TTL makes
 * every instance own every group, and a timeout of days hides a hung peer.
 */
function durationBetween(min: string, max: string) {
  const [minMs, maxMs] = [parseDurationMs(min)!, parseDurationMs(max)!];
  return duration.refine((text) => {
    const ms = parseDurationMs(text)!;
    return ms >= minMs && ms <= maxMs;
  }, { message: `expected a duration between ${min} and ${max}` });
}

/** A listen address: an IPv4 or IPv6 address (brackets optional) or a host name. */
const listenAddress = z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F:.]+|[A-Za-z0-9.-]+)$/, {
  message: "expected an IP address (0.0.0.0, ::) or a host name",
}).transform((address) => address.replace(/^\[(.*)\]$/, "$1"));

const port = z.number().refine(
  (value) => Number.isInteger(value) && value >= 1 && value <= 65_535,
  { message: "expected a port between 1 and 65535" },
);

/** `host:port`, with an IPv6 address in brackets (`[2001:db8::1]:9093`), port 1–65535. */
const hostPort = z.string().refine((address) => {
  const match = /^(?:\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(address);
  return match !== null && Number(match[1]) >= 1 && Number(match[1]) <= 65_535;
}, { message: "expected host:port with a port between 1 and 65535 (IPv6: [address]:port)" });

/** An http(s) URL: remote write speaks HTTP. */
const httpUrl = z.string().refine(
  (url) => /^https?:$/.test(URL.parse(url)?.protocol ?? ""),
  { message: "expected an http:// or https:// URL" },
);

/** A Go (RE2) regular expression, as kafka-lag-go compiles its filters. */
const regex = z.string().check((context) => {
  const problem = patternSyntaxError(context.value);
  if (problem !== undefined) {
    context.issues.push({
      code: "custom",
      input: context.value,
      message: `expected a valid (Go/RE2) regular expression: ${problem}`,
    });
  }
});
/** A single pattern (seed form) or a list of patterns (any may match). */
const regexList = z.union([regex, z.array(regex)]).optional();

const filter = z.strictObject({ whitelist: regexList, blacklist: regexList }).prefault({});

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, {
  message: "expected a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)",
});

const secret = z.string().optional();
const secretFile = z.string().optional();

const tlsClientSchema = z.strictObject({
  enabled: z.boolean().default(false),
  ca_file: z.string().optional(),
  client_certificate_file: z.string().optional(),
  client_key_file: z.string().optional(),
  insecure_skip_verify: z.boolean().default(false),
});

/** SASL/OAUTHBEARER: the OIDC client-credentials flow, or a token file kept fresh by others. */
const oauthSchema = z.strictObject({
  token_endpoint_url: httpUrl.optional(),
  client_id: z.string().optional(),
  client_secret: secret,
  client_secret_file: secretFile,
  scope: z.string().optional(),
  audience: z.string().optional(),
  /** SASL extensions sent with the token (e.g. Confluent Cloud's logicalCluster). */
  extensions: z.record(z.string(), z.string()).default({}),
  /** A token read from this file at every (re)authentication (e.g. a projected service-account token). */
  token_file: z.string().optional(),
  /** TLS towards the token endpoint. */
  ca_file: z.string().optional(),
  insecure_skip_verify: z.boolean().default(false),
});

/** AWS MSK IAM: credentials from the standard AWS chain (or a profile, or an assumed role). */
const awsMskIamSchema = z.strictObject({
  region: z.string().min(1).optional(),
  /** A profile of the shared config/credentials files instead of the default chain. */
  profile: z.string().min(1).optional(),
  /** A role to assume (with the chain's credentials) before signing. */
  role_arn: z.string().min(1).optional(),
  role_session_name: z.string().min(1).optional(),
});

/** SASL mechanisms, as users (and the brokers' configs) spell them. */
export const SASL_MECHANISMS = [
  "PLAIN",
  "SCRAM-SHA-256",
  "SCRAM-SHA-512",
  "OAUTHBEARER",
  "AWS_MSK_IAM",
] as const;

const saslSchema = z.strictObject({
  enabled: z.boolean().default(false),
  mechanism: z.enum(SASL_MECHANISMS).default("SCRAM-SHA-512"),
  user: z.string().optional(),
  password: secret,
  password_file: secretFile,
  oauth: oauthSchema.optional(),
  aws: awsMskIamSchema.optional(),
});

const kafkaClusterSchema = z.strictObject({
  name: z.string().min(1).regex(/^[^/]+$/, { message: "expected a name without '/'" }),
  brokers: z.array(hostPort).min(1),
  client_request_timeout: durationBetween("100ms", "10m").default("30s"),
  metadata_fetch_timeout: durationBetween("100ms", "10m").default("5s"),
  consumer_groups: filter,
  topics: filter,
  ssl: tlsClientSchema.prefault({}),
  sasl: saslSchema.prefault({}),
  exact_lag_seconds: z.strictObject({
    enabled: z.boolean().default(false),
    max_partitions: z.number().int().min(1).max(100_000).default(1_000),
    max_future_skew: durationBetween("0s", "24h").default("1m"),
    // 64 KiB … 1 GiB; default 16 MiB (compression.ts, DEFAULT_MAX_BATCH_BYTES).
    max_batch_bytes: z.number().int().min(65_536).max(1_073_741_824).default(16_777_216),
  }).prefault({}),
});

/** What both push paths (remote write and OTLP) are configured with. */
const pushEndpointFields = {
  enabled: z.boolean().default(false),
  url: httpUrl.optional(),
  headers: z.record(z.string(), z.string()).default({}),
  timeout: durationBetween("100ms", "10m").default("30s"),
  basic_auth: z.strictObject({
    username: z.string().optional(),
    password: secret,
    password_file: secretFile,
  }).optional(),
  bearer_token: secret,
  bearer_token_file: secretFile,
  queue_max_samples: z.number().int().min(1).default(100_000),
  max_samples_per_send: z.number().int().min(1).max(100_000).default(2_000),
  tls_config: z.strictObject({
    enabled: z.boolean().default(false),
    cert_file: z.string().optional(),
    key_file: z.string().optional(),
    ca_cert_file: z.string().optional(),
    insecure_skip_verify: z.boolean().default(false),
  }).prefault({}),
};

const remoteWriteSchema = z.strictObject({
  ...pushEndpointFields,
  /** 1.0 (every receiver) or 2.0 (io.prometheus.write.v2.Request: Prometheus 3 and others). */
  protocol: z.enum(["1.0", "2.0"]).default("1.0"),
});

const otlpSchema = z.strictObject({
  ...pushEndpointFields,
  /** Added to the resource of every push (service.name, service.instance.id are ours). */
  resource_attributes: z.record(z.string(), z.string()).default({}),
});

const redisSchema = z.strictObject({
  address: z.string().default("localhost"),
  port: port.default(6379),
  cluster_nodes: z.array(hostPort).optional(),
  key_prefix: z.string().default("kafka-lag-deno"),
  client_request_timeout: durationBetween("100ms", "10m").default("60s"),
  client_idle_timeout: durationBetween("0s", "24h").default("5m"),
  retention_ttl_seconds: z.number().int().positive().default(7_200),
  heartbeat_ttl: durationBetween("1s", "1h").default("15s"),
  /**
   * Cut off from Redis (not from Kafka) for longer than heartbeat_ttl: keep exporting the groups
   * last owned (the others may have taken them: exported twice meanwhile), or stop exporting
   * any group until Redis answers (none exported by this instance meanwhile).
   */
  when_cut_off: z.enum(["keep", "stop"]).default("keep"),
  auth: z.strictObject({
    enabled: z.boolean().default(false),
    username: z.string().optional(),
    password: secret,
    password_file: secretFile,
  }).prefault({}),
  ssl: z.strictObject({
    enabled: z.boolean().default(false),
    ca_file: z.string().optional(),
    client_certificate_file: z.string().optional(),
    client_key_file: z.string().optional(),
    insecure_skip_verify: z.boolean().default(false),
  }).prefault({}),
});

/** The whole configuration file. */
export const configFileSchema = z.strictObject({
  prometheus_local: z.strictObject({
    metrics_port: port.default(9090),
    /** The address the metrics port listens on: 0.0.0.0 (every IPv4 address), "::", a host. */
    listen_address: listenAddress.default("0.0.0.0"),
    /** The JSON API (/api/v1) on the metrics port; false answers 404 there. */
    api_enabled: z.boolean().default(true),
    /** exporter-toolkit's web config (TLS, basic auth, headers); --web.config.file wins. */
    web_config_file: z.string().min(1).optional(),
    labels: z.record(labelName, z.string()).default({}),
    granularity: z.enum(["partition", "topic", "group"]).default("partition"),
    /** Label partition lag series with the owning member (off: a rebalance starts new series). */
    member_labels: z.boolean().default(false),
    /** Naming schemes of the lag series: ours, and those of the exporters users switch from. */
    metric_names: z.array(z.enum(["native", "kafka_exporter", "kafka_lag_exporter"])).min(1)
      .refine((names) => new Set(names).size === names.length, {
        message: "expected each naming scheme once",
      }).default(["native"]),
  }).prefault({}),
  prometheus_remote_write: remoteWriteSchema.prefault({}),
  /** OTLP/HTTP (protobuf) metrics push: the same series as remote write. */
  otlp: otlpSchema.prefault({}),
  kafka_clusters: z.array(kafkaClusterSchema).min(1, {
    message: "expected at least one Kafka cluster",
  }),
  storage: z.strictObject({
    type: z.enum(["memory", "redis"]).default("memory"),
    redis: redisSchema.prefault({}),
  }).prefault({}),
  app: z.strictObject({
    iteration_interval: durationBetween("1s", "24h").default("30s"),
    /** How far back the consumer status rules look (Burrow's window: 10 commits a minute apart). */
    status_window: durationBetween("1s", "24h").default("10m"),
    num_workers: z.number().int().min(1).max(1_000).default(10),
    log_level: z.enum(["debug", "info", "warn", "error"]).default("info"),
    log_format: z.enum(["text", "json"]).default("text"),
    health_check_port: port.default(8080),
    health_check_address: listenAddress.default("0.0.0.0"),
    health_check_path: z.string().startsWith("/").default("/healthz"),
    node_id: z.string().min(1).optional(),
    /** SIGTERM to exit, whatever hangs (Kafka, Redis, remote write); inside systemd's/Helm's 30 s. */
    shutdown_timeout: durationBetween("1s", "10m").default("5s"),
    /** Credentials over an unencrypted connection: a warning at start, or a config error. */
    cleartext_credentials: z.enum(["warn", "error"]).default("warn"),
  }).prefault({}),
});

/** The file as validated, with defaults filled in (durations still as written). */
export type ConfigFile = z.output<typeof configFileSchema>;
