/**
 * The validated file (schema.ts) mapped to what the exporter runs with: durations in
 * milliseconds, compiled name filters, TLS only when enabled, secrets read. The runtime types are
 * inferred from this mapping, so they cannot drift from the schema.
 */
import type { ConfigFile } from "./schema.ts";
import { parseDurationMs } from "./duration.ts";
import { compileNameFilter } from "./name_filter.ts";

/** Secrets resolved from inline values or `*_file` files (secrets.ts). */
export interface ResolvedSecrets {
  /** One per Kafka cluster, by index; undefined where SASL is off. */
  kafkaSaslPasswords: (string | undefined)[];
  /** One per Kafka cluster, by index; undefined unless OAUTHBEARER with a client secret. */
  kafkaOauthClientSecrets: (string | undefined)[];
  remoteWritePassword?: string;
  remoteWriteBearerToken?: string;
  otlpPassword?: string;
  otlpBearerToken?: string;
  redisPassword?: string;
}

/** What `toSettings` needs beyond the file. */
export interface SettingsContext {
  file: string;
  secrets: ResolvedSecrets;
  hostname: string;
  /** Lines to log once at start (keys kafka-lag-go ignored, for instance). */
  warnings: string[];
}

interface TlsFields {
  enabled: boolean;
  ca_file?: string;
  client_certificate_file?: string;
  client_key_file?: string;
  insecure_skip_verify: boolean;
}

function tlsSettings(tls: TlsFields) {
  if (!tls.enabled) return undefined;
  return {
    caFile: tls.ca_file,
    certFile: tls.client_certificate_file,
    keyFile: tls.client_key_file,
    insecureSkipVerify: tls.insecure_skip_verify,
  };
}

type ClusterFile = ConfigFile["kafka_clusters"][number];

/** The SASL settings of one cluster, by mechanism. */
function saslSettings(
  sasl: ClusterFile["sasl"],
  secrets: { password?: string; clientSecret?: string },
) {
  if (!sasl.enabled) return undefined;
  if (sasl.mechanism === "OAUTHBEARER") {
    const oauth = sasl.oauth!;
    return {
      mechanism: sasl.mechanism,
      oauth: {
        tokenEndpointUrl: oauth.token_endpoint_url,
        clientId: oauth.client_id,
        clientSecret: secrets.clientSecret,
        scope: oauth.scope,
        audience: oauth.audience,
        extensions: oauth.extensions,
        tokenFile: oauth.token_file,
        tls: { caFile: oauth.ca_file, insecureSkipVerify: oauth.insecure_skip_verify },
      },
    } as const;
  }
  if (sasl.mechanism === "AWS_MSK_IAM") {
    return {
      mechanism: sasl.mechanism,
      aws: {
        region: sasl.aws?.region ?? "",
        profile: sasl.aws?.profile,
        roleArn: sasl.aws?.role_arn,
        roleSessionName: sasl.aws?.role_session_name,
      },
    } as const;
  }
  return {
    mechanism: sasl.mechanism,
    username: sasl.user ?? "",
    password: secrets.password ?? "",
  };
}

function clusterSettings(
  cluster: ClusterFile,
  secrets: { password?: string; clientSecret?: string },
) {
  return {
    name: cluster.name,
    brokers: cluster.brokers,
    requestTimeoutMs: durationMs(cluster.client_request_timeout),
    metadataTimeoutMs: durationMs(cluster.metadata_fetch_timeout),
    groupFilter: compileNameFilter(
      cluster.consumer_groups.whitelist,
      cluster.consumer_groups.blacklist,
    ),
    topicFilter: compileNameFilter(cluster.topics.whitelist, cluster.topics.blacklist),
    tls: tlsSettings(cluster.ssl),
    sasl: saslSettings(cluster.sasl, secrets),
    /** When committed records' timestamps are read (always in exact mode), and how far trusted. */
    recordTimestamps: {
      /** Exact mode: every lagging partition; otherwise only those the history cannot date. */
      exact: cluster.exact_lag_seconds.enabled,
      /** Records read from Kafka per iteration, most lagging partitions first (cache hits are free). */
      maxPartitions: cluster.exact_lag_seconds.max_partitions,
      /** A timestamp further ahead of our clock than this is a producer's mistake, not a time. */
      maxFutureSkewMs: durationMs(cluster.exact_lag_seconds.max_future_skew),
      /** A record batch decompressing to more than this dates nothing (it is counted too_large). */
      maxBatchBytes: cluster.exact_lag_seconds.max_batch_bytes,
    },
  };
}

/** A push endpoint's settings (remote write, OTLP): URL, auth, queue, TLS. */
function pushEndpointSettings(
  block: Omit<ConfigFile["otlp"], "resource_attributes">,
  { password, bearerToken }: { password?: string; bearerToken?: string },
) {
  const url = splitUrlCredentials(block.url);
  return {
    enabled: block.enabled,
    url: url.url,
    headers: block.headers,
    timeoutMs: durationMs(block.timeout),
    basicAuth: block.basic_auth?.username
      ? { username: block.basic_auth.username, password: password ?? "" }
      : url.basicAuth,
    bearerToken,
    queueMaxSamples: block.queue_max_samples,
    maxSamplesPerSend: block.max_samples_per_send,
    tls: tlsSettings({
      enabled: block.tls_config.enabled,
      ca_file: block.tls_config.ca_cert_file,
      client_certificate_file: block.tls_config.cert_file,
      client_key_file: block.tls_config.key_file,
      insecure_skip_verify: block.tls_config.insecure_skip_verify,
    }),
  };
}

/** Maps the validated file to the exporter's settings. */
export function toSettings(data: ConfigFile, context: SettingsContext) {
  const { secrets } = context;
  const remote = data.prometheus_remote_write;
  const redis = data.storage.redis;
  return {
    file: context.file,
    /** The validated file with defaults, for `--check-config` (print it through redactConfig). */
    effective: data,
    warnings: context.warnings,
    metrics: {
      port: data.prometheus_local.metrics_port,
      listenAddress: data.prometheus_local.listen_address,
      apiEnabled: data.prometheus_local.api_enabled,
      webConfigFile: data.prometheus_local.web_config_file,
      labels: data.prometheus_local.labels,
      granularity: data.prometheus_local.granularity,
      memberLabels: data.prometheus_local.member_labels,
      /** Whether our own lag series are exported (metric_names includes "native"). */
      native: data.prometheus_local.metric_names.includes("native"),
      compat: data.prometheus_local.metric_names.filter((name) => name !== "native"),
    },
    remoteWrite: {
      ...pushEndpointSettings(remote, {
        password: secrets.remoteWritePassword,
        bearerToken: secrets.remoteWriteBearerToken,
      }),
      protocol: remote.protocol,
    },
    otlp: {
      ...pushEndpointSettings(data.otlp, {
        password: secrets.otlpPassword,
        bearerToken: secrets.otlpBearerToken,
      }),
      resourceAttributes: data.otlp.resource_attributes,
    },
    clusters: data.kafka_clusters.map((cluster, index) =>
      clusterSettings(cluster, {
        password: secrets.kafkaSaslPasswords[index],
        clientSecret: secrets.kafkaOauthClientSecrets[index],
      })
    ),
    storage: {
      type: data.storage.type,
      retentionMs: redis.retention_ttl_seconds * 1_000,
      redis: {
        host: redis.address,
        port: redis.port,
        clusterNodes: redis.cluster_nodes,
        keyPrefix: redis.key_prefix,
        requestTimeoutMs: durationMs(redis.client_request_timeout),
        /** Accepted as kafka-lag-go's `client_idle_timeout` and unused: one connection stays open. */
        idleTimeoutMs: durationMs(redis.client_idle_timeout),
        /** An instance whose heartbeat is older than this is gone; its groups move. */
        heartbeatTtlMs: durationMs(redis.heartbeat_ttl),
        /** Cut off from Redis longer than the TTL: keep exporting, or stop until it answers. */
        whenCutOff: redis.when_cut_off,
        username: redis.auth.enabled ? redis.auth.username : undefined,
        password: secrets.redisPassword,
        tls: tlsSettings(redis.ssl),
      },
    },
    app: {
      iterationIntervalMs: durationMs(data.app.iteration_interval),
      statusWindowMs: durationMs(data.app.status_window),
      // num_workers: requests in flight per cluster (kafka-lag-go named them workers).
      concurrency: data.app.num_workers,
      logLevel: data.app.log_level,
      logFormat: data.app.log_format,
      healthPort: data.app.health_check_port,
      healthAddress: data.app.health_check_address,
      healthPath: data.app.health_check_path,
      nodeId: data.app.node_id ?? context.hostname,
      shutdownTimeoutMs: durationMs(data.app.shutdown_timeout),
    },
  };
}

/** Everything the exporter runs with, resolved and typed. */
export type ExporterConfig = ReturnType<typeof toSettings>;
/** One Kafka cluster to measure. */
export type KafkaClusterConfig = OptionalWhereUndefined<ExporterConfig["clusters"][number]>;
/** How to reach Redis and what to keep there. */
export type RedisSettings = OptionalWhereUndefined<ExporterConfig["storage"]["redis"]>;
/** TLS settings of a client connection (Kafka, Redis, remote write). */
export type TlsSettings = NonNullable<ReturnType<typeof tlsSettings>>;
/** SASL settings of one cluster: username/password, OAuth or AWS MSK IAM. */
export type SaslSettings = NonNullable<KafkaClusterConfig["sasl"]>;
/** OAUTHBEARER settings of one cluster. */
export type OauthSettings = Extract<SaslSettings, { mechanism: "OAUTHBEARER" }>["oauth"];
/** AWS_MSK_IAM settings of one cluster. */
export type MskIamSettings = Extract<SaslSettings, { mechanism: "AWS_MSK_IAM" }>["aws"];
/** When to read committed records' timestamps for lag in seconds, and how far to trust them. */
export type RecordTimestampPolicy = KafkaClusterConfig["recordTimestamps"];

/**
 * `https://user:pass@host/…` → the URL without credentials and them as basic auth: fetch refuses a
 * URL with credentials, while Prometheus' own clients send them as basic auth.
 */
export function splitUrlCredentials(url: string | undefined) {
  const parsed = url === undefined ? null : URL.parse(url);
  if (!parsed || (parsed.username === "" && parsed.password === "")) {
    return { url, basicAuth: undefined };
  }
  const basicAuth = {
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
  parsed.username = "";
  parsed.password = "";
  return { url: parsed.href, basicAuth };
}

type UndefinedKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];
/** `T` with every property that may be undefined made optional (what hand-built settings omit). */
type OptionalWhereUndefined<T> =
  & Omit<T, UndefinedKeys<T>>
  & Partial<Pick<T, UndefinedKeys<T>>>;

function durationMs(text: string): number {
  // The schema has already rejected anything parseDurationMs cannot read.
  return parseDurationMs(text) ?? 0;
}
