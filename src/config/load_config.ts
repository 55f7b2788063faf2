/**
 * Reads a YAML config file into the exporter's typed settings: env interpolation, schema
 * validation, secret files and cross-field rules, with every problem reported at once.
 */
import { parseDocument } from "yaml";
import type { z } from "zod";
import { type ConfigFile, configFileSchema } from "./schema.ts";
import { ConfigError, type ConfigIssue, formatKeyPath } from "./config_error.ts";
import { interpolateEnv, MissingEnvError } from "./interpolate_env.ts";
import { parseDurationMs } from "./duration.ts";
import { compileNameFilter, type NameFilter } from "./name_filter.ts";

/** What the loader needs from the outside world. */
export interface LoadConfigDeps {
  readTextFile(path: string): Promise<string>;
  getEnv(name: string): string | undefined;
  hostname(): string;
}

/** TLS settings of a client connection (Kafka, Redis, remote write). */
export interface TlsSettings {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  insecureSkipVerify: boolean;
}

/** SASL credentials for one Kafka cluster. */
export interface SaslSettings {
  mechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";
  username: string;
  password: string;
}

/** When to read committed records' timestamps for lag in seconds, and how far to trust them. */
export interface RecordTimestampPolicy {
  /** Exact mode: every lagging partition; otherwise only those the history cannot date. */
  exact: boolean;
  /** Records read from Kafka per iteration, most lagging partitions first (cache hits are free). */
  maxPartitions: number;
  /** A timestamp further ahead of our clock than this is a producer's mistake, not a time. */
  maxFutureSkewMs: number;
}

/** One Kafka cluster to measure. */
export interface KafkaClusterConfig {
  name: string;
  brokers: string[];
  requestTimeoutMs: number;
  metadataTimeoutMs: number;
  groupFilter: NameFilter;
  topicFilter: NameFilter;
  tls?: TlsSettings;
  sasl?: SaslSettings;
  /** When committed records' timestamps are read (always in exact mode), and how far trusted. */
  recordTimestamps: RecordTimestampPolicy;
}

/** Everything the exporter runs with, resolved and typed. */
export interface ExporterConfig {
  file: string;
  /** The validated file with defaults, for `--check-config` (print it through redactConfig). */
  effective: ConfigFile;
  metrics: {
    port: number;
    labels: Record<string, string>;
    granularity: "partition" | "topic" | "group";
  };
  remoteWrite: {
    enabled: boolean;
    url?: string;
    headers: Record<string, string>;
    timeoutMs: number;
    basicAuth?: { username: string; password: string };
    bearerToken?: string;
    tls?: TlsSettings;
    queueMaxSamples: number;
    maxSamplesPerSend: number;
  };
  clusters: KafkaClusterConfig[];
  storage: {
    type: "memory" | "redis";
    retentionMs: number;
    redis: {
      host: string;
      port: number;
      clusterNodes?: string[];
      keyPrefix: string;
      requestTimeoutMs: number;
      /** Accepted as kafka-lag-go's `client_idle_timeout` and unused: one connection stays open. */
      idleTimeoutMs: number;
      /** An instance whose heartbeat is older than this is gone; its groups move. */
      heartbeatTtlMs: number;
      username?: string;
      password?: string;
      tls?: TlsSettings;
    };
  };
  app: {
    iterationIntervalMs: number;
    numWorkers: number;
    logLevel: "debug" | "info" | "warn" | "error";
    logFormat: "text" | "json";
    healthPort: number;
    healthPath: string;
    nodeId: string;
  };
}

/** Labels the exporter sets itself; a user label with one of these names would clash. */
const RESERVED_LABELS = new Set(["clustername", "group", "topic", "partition"]);

/** Loads, validates and resolves the config file at `file`; throws ConfigError listing every problem. */
export async function loadConfig(file: string, deps: LoadConfigDeps): Promise<ExporterConfig> {
  let text: string;
  try {
    text = await deps.readTextFile(file);
  } catch (error) {
    throw new ConfigError(file, [{
      path: "",
      message: `cannot read the file (${describe(error)})`,
    }], {
      cause: error,
    });
  }
  const raw = parseYaml(file, text);
  const issues: ConfigIssue[] = [];
  const interpolated = interpolateTree(raw, [], deps.getEnv, issues);
  if (issues.length > 0) throw new ConfigError(file, issues);

  const parsed = configFileSchema.safeParse(interpolated ?? {}, { reportInput: true });
  if (!parsed.success) throw new ConfigError(file, zodIssues(parsed.error));

  const resolved = await resolveConfig(file, parsed.data, deps, issues);
  if (issues.length > 0) throw new ConfigError(file, issues);
  return resolved;
}

/**
 * A client certificate without its key (or the reverse) would be silently ignored by the TLS
 * clients: with TLS enabled, both or neither. `pair` names the two keys as the file spells them.
 */
function checkCertificatePair(
  issues: ConfigIssue[],
  path: string,
  enabled: boolean,
  pair: Record<string, string | undefined>,
): void {
  const [[certificateKey, certificate], [keyKey, key]] = Object.entries(pair);
  if (enabled && (certificate === undefined) !== (key === undefined)) {
    issues.push({ path, message: `${certificateKey} and ${keyKey} must be set together` });
  }
}

function parseYaml(file: string, text: string): unknown {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) {
    // Later YAML errors are mostly echoes of the first one.
    const [first] = document.errors;
    const position = first.linePos?.[0];
    const where = position ? `line ${position.line}, column ${position.col}` : "";
    throw new ConfigError(file, [{
      path: where,
      message: `YAML syntax error: ${first.message.split("\n")[0]}`,
    }]);
  }
  return document.toJS();
}

/** Substitutes `${ENV}` in every string of the parsed YAML, recording unset variables by key path. */
function interpolateTree(
  value: unknown,
  path: PropertyKey[],
  getEnv: (name: string) => string | undefined,
  issues: ConfigIssue[],
): unknown {
  if (typeof value === "string") {
    try {
      return interpolateEnv(value, getEnv);
    } catch (error) {
      if (!(error instanceof MissingEnvError)) throw error;
      issues.push({ path: formatKeyPath(path), message: error.message });
      return value;
    }
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => interpolateTree(item, [...path, index], getEnv, issues));
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map((
        [key, item],
      ) => [key, interpolateTree(item, [...path, key], getEnv, issues)]),
    );
  }
  return value;
}

function zodIssues(error: z.ZodError): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        issues.push({ path: formatKeyPath([...issue.path, key]), message: "unknown key" });
      }
      continue;
    }
    issues.push({ path: formatKeyPath(issue.path), message: describeZodIssue(issue) });
  }
  return issues;
}

function describeZodIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return `is required (expected ${issue.expected})`;
    return `expected ${issue.expected}, got ${describeValue(issue.input)}`;
  }
  if (issue.code === "invalid_value") {
    return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
  }
  if (issue.code === "invalid_union") return "expected a regular expression or a list of them";
  return issue.message;
}

function describeValue(input: unknown): string {
  if (Array.isArray(input)) return "a list";
  if (input === null) return "null";
  if (typeof input === "object") return "a mapping";
  return `${typeof input} ${JSON.stringify(input)}`;
}

async function resolveConfig(
  file: string,
  data: ConfigFile,
  deps: LoadConfigDeps,
  issues: ConfigIssue[],
): Promise<ExporterConfig> {
  const readSecret = async (
    path: string,
    inline: string | undefined,
    secretFile: string | undefined,
  ): Promise<string | undefined> => {
    if (inline !== undefined && secretFile !== undefined) {
      issues.push({
        path,
        message: `set either ${lastKey(path)} or ${lastKey(path)}_file, not both`,
      });
      return undefined;
    }
    if (secretFile === undefined) return inline;
    try {
      return (await deps.readTextFile(secretFile)).replace(/\r?\n$/, "");
    } catch (error) {
      issues.push({
        path: `${path}_file`,
        message: `cannot read ${secretFile} (${describe(error)})`,
      });
      return undefined;
    }
  };

  for (const labelName of Object.keys(data.prometheus_local.labels)) {
    if (RESERVED_LABELS.has(labelName) || labelName.startsWith("__")) {
      issues.push({
        path: `prometheus_local.labels.${labelName}`,
        message: "this label name is reserved by the exporter",
      });
    }
  }

  const seenNames = new Set<string>();
  const clusters: KafkaClusterConfig[] = [];
  for (const [index, cluster] of data.kafka_clusters.entries()) {
    const at = `kafka_clusters[${index}]`;
    if (seenNames.has(cluster.name)) {
      issues.push({ path: `${at}.name`, message: `duplicate cluster name "${cluster.name}"` });
    }
    seenNames.add(cluster.name);
    let sasl: SaslSettings | undefined;
    if (cluster.sasl.enabled) {
      const password = await readSecret(
        `${at}.sasl.password`,
        cluster.sasl.password,
        cluster.sasl.password_file,
      );
      if (!cluster.sasl.user) {
        issues.push({ path: `${at}.sasl.user`, message: "is required when sasl.enabled is true" });
      }
      if (
        password === undefined &&
        !issues.some((issue) => issue.path.startsWith(`${at}.sasl.password`))
      ) {
        issues.push({
          path: `${at}.sasl.password`,
          message: "is required when sasl.enabled is true",
        });
      }
      sasl = {
        mechanism: cluster.sasl.mechanism,
        username: cluster.sasl.user ?? "",
        password: password ?? "",
      };
    }
    const ssl = cluster.ssl;
    checkCertificatePair(issues, `${at}.ssl`, ssl.enabled, {
      client_certificate_file: ssl.client_certificate_file,
      client_key_file: ssl.client_key_file,
    });
    clusters.push({
      name: cluster.name,
      brokers: cluster.brokers,
      requestTimeoutMs: durationMs(cluster.client_request_timeout),
      metadataTimeoutMs: durationMs(cluster.metadata_fetch_timeout),
      groupFilter: compileNameFilter(
        cluster.consumer_groups.whitelist,
        cluster.consumer_groups.blacklist,
      ),
      topicFilter: compileNameFilter(cluster.topics.whitelist, cluster.topics.blacklist),
      tls: ssl.enabled
        ? {
          caFile: ssl.ca_file,
          certFile: ssl.client_certificate_file,
          keyFile: ssl.client_key_file,
          insecureSkipVerify: ssl.insecure_skip_verify,
        }
        : undefined,
      sasl,
      recordTimestamps: {
        exact: cluster.exact_lag_seconds.enabled,
        maxPartitions: cluster.exact_lag_seconds.max_partitions,
        maxFutureSkewMs: durationMs(cluster.exact_lag_seconds.max_future_skew),
      },
    });
  }

  const remote = data.prometheus_remote_write;
  const remotePassword = remote.basic_auth
    ? await readSecret(
      "prometheus_remote_write.basic_auth.password",
      remote.basic_auth.password,
      remote.basic_auth.password_file,
    )
    : undefined;
  const bearerToken = await readSecret(
    "prometheus_remote_write.bearer_token",
    remote.bearer_token,
    remote.bearer_token_file,
  );
  if (remote.enabled && !remote.url) {
    issues.push({
      path: "prometheus_remote_write.url",
      message: "is required when enabled is true",
    });
  }
  if (remote.url !== undefined && !/^https?:$/.test(URL.parse(remote.url)?.protocol ?? "")) {
    issues.push({ path: "prometheus_remote_write.url", message: "expected an http(s) URL" });
  }
  checkCertificatePair(issues, "prometheus_remote_write.tls_config", remote.tls_config.enabled, {
    cert_file: remote.tls_config.cert_file,
    key_file: remote.tls_config.key_file,
  });
  if (remote.queue_max_samples < remote.max_samples_per_send) {
    issues.push({
      path: "prometheus_remote_write.queue_max_samples",
      message: "must be at least max_samples_per_send",
    });
  }
  if (remote.basic_auth?.username && bearerToken !== undefined) {
    issues.push({
      path: "prometheus_remote_write",
      message: "set basic_auth or bearer_token, not both",
    });
  }

  const redis = data.storage.redis;
  checkCertificatePair(issues, "storage.redis.ssl", redis.ssl.enabled, {
    client_certificate_file: redis.ssl.client_certificate_file,
    client_key_file: redis.ssl.client_key_file,
  });
  const redisPassword = redis.auth.enabled
    ? await readSecret("storage.redis.auth.password", redis.auth.password, redis.auth.password_file)
    : undefined;

  return {
    file,
    effective: data,
    metrics: {
      port: data.prometheus_local.metrics_port,
      labels: data.prometheus_local.labels,
      granularity: data.prometheus_local.granularity,
    },
    remoteWrite: {
      enabled: remote.enabled,
      url: remote.url,
      headers: remote.headers,
      timeoutMs: durationMs(remote.timeout),
      basicAuth: remote.basic_auth?.username
        ? { username: remote.basic_auth.username, password: remotePassword ?? "" }
        : undefined,
      bearerToken,
      queueMaxSamples: remote.queue_max_samples,
      maxSamplesPerSend: remote.max_samples_per_send,
      tls: remote.tls_config.enabled
        ? {
          caFile: remote.tls_config.ca_cert_file,
          certFile: remote.tls_config.cert_file,
          keyFile: remote.tls_config.key_file,
          insecureSkipVerify: remote.tls_config.insecure_skip_verify,
        }
        : undefined,
    },
    clusters,
    storage: {
      type: data.storage.type,
      retentionMs: redis.retention_ttl_seconds * 1_000,
      redis: {
        host: redis.address,
        port: redis.port,
        clusterNodes: redis.cluster_nodes,
        keyPrefix: redis.key_prefix,
        requestTimeoutMs: durationMs(redis.client_request_timeout),
        idleTimeoutMs: durationMs(redis.client_idle_timeout),
        heartbeatTtlMs: durationMs(redis.heartbeat_ttl),
        username: redis.auth.enabled ? redis.auth.username : undefined,
        password: redisPassword,
        tls: redis.ssl.enabled
          ? {
            caFile: redis.ssl.ca_file,
            certFile: redis.ssl.client_certificate_file,
            keyFile: redis.ssl.client_key_file,
            insecureSkipVerify: redis.ssl.insecure_skip_verify,
          }
          : undefined,
      },
    },
    app: {
      iterationIntervalMs: durationMs(data.app.iteration_interval),
      numWorkers: data.app.num_workers,
      logLevel: data.app.log_level,
      logFormat: data.app.log_format,
      healthPort: data.app.health_check_port,
      healthPath: data.app.health_check_path,
      nodeId: data.app.node_id ?? deps.hostname(),
    },
  };
}

function durationMs(text: string): number {
  // The schema has already rejected anything parseDurationMs cannot read.
  return parseDurationMs(text) ?? 0;
}

function lastKey(path: string): string {
  return path.slice(path.lastIndexOf(".") + 1);
}

function describe(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  return error instanceof Error ? error.message : String(error);
}
