/** Rules that span several keys of the validated file (the schema checks each key alone). */
import type { ConfigIssue } from "../config_error.ts";
import { reservedLabelNames } from "./reserved_labels.ts";
import type { ConfigFile } from "./schema.ts";

/** Adds to `issues` every rule the file breaks. */
export function checkCrossFieldRules(data: ConfigFile, issues: ConfigIssue[]): void {
  const reserved = reservedLabelNames(data.prometheus_local.metric_names);
  for (const labelName of Object.keys(data.prometheus_local.labels)) {
    if (reserved.has(labelName) || labelName.startsWith("__")) {
      issues.push({
        path: `prometheus_local.labels.${labelName}`,
        message: "this label name is reserved: the exporter writes it on its own series",
      });
    }
  }

  if (
    data.prometheus_local.metrics_port === data.app.health_check_port &&
    data.prometheus_local.listen_address !== data.app.health_check_address
  ) {
    issues.push({
      path: "app.health_check_address",
      message: "must equal prometheus_local.listen_address when both ports are the same",
    });
  }

  const seenNames = new Set<string>();
  for (const [index, cluster] of data.kafka_clusters.entries()) {
    const at = `kafka_clusters[${index}]`;
    if (seenNames.has(cluster.name)) {
      issues.push({ path: `${at}.name`, message: `duplicate cluster name "${cluster.name}"` });
    }
    seenNames.add(cluster.name);
    if (cluster.sasl.enabled) checkSasl(issues, { path: `${at}.sasl`, cluster });
    checkCertificatePair(issues, {
      path: `${at}.ssl`,
      enabled: cluster.ssl.enabled,
      pair: {
        client_certificate_file: cluster.ssl.client_certificate_file,
        client_key_file: cluster.ssl.client_key_file,
      },
    });
  }

  checkPushEndpoint(issues, {
    path: "prometheus_remote_write",
    block: data.prometheus_remote_write,
  });
  checkPushEndpoint(issues, { path: "otlp", block: data.otlp });

  const redis = data.storage.redis;
  checkCertificatePair(issues, {
    path: "storage.redis.ssl",
    enabled: redis.ssl.enabled,
    pair: {
      client_certificate_file: redis.ssl.client_certificate_file,
      client_key_file: redis.ssl.client_key_file,
    },
  });
}

/** Mechanisms that authenticate with a token instead of a user and password. */
export const TOKEN_MECHANISMS: ReadonlySet<string> = new Set(["OAUTHBEARER", "AWS_MSK_IAM"]);

/** The keys each SASL mechanism needs, and no keys of another mechanism. */
function checkSasl(
  issues: ConfigIssue[],
  { path, cluster }: { path: string; cluster: ConfigFile["kafka_clusters"][number] },
): void {
  const { sasl } = cluster;
  const required = (key: string) =>
    issues.push({
      path: `${path}.${key}`,
      message: `is required when mechanism is ${sasl.mechanism}`,
    });
  const unused = (key: string) =>
    issues.push({
      path: `${path}.${key}`,
      message: `is not used with mechanism ${sasl.mechanism}`,
    });
  const usesPassword = !TOKEN_MECHANISMS.has(sasl.mechanism);
  if (usesPassword && !sasl.user) {
    issues.push({ path: `${path}.user`, message: "is required when sasl.enabled is true" });
  }
  if (!usesPassword && sasl.user !== undefined) unused("user");
  if (sasl.mechanism !== "OAUTHBEARER" && sasl.oauth !== undefined) unused("oauth");
  if (sasl.mechanism !== "AWS_MSK_IAM" && sasl.aws !== undefined) unused("aws");
  if (sasl.mechanism === "AWS_MSK_IAM") {
    if (!sasl.aws?.region) required("aws.region");
    if (sasl.aws?.profile !== undefined && sasl.aws.role_arn !== undefined) {
      issues.push({ path: `${path}.aws`, message: "set profile or role_arn, not both" });
    }
    if (sasl.aws?.role_session_name !== undefined && sasl.aws.role_arn === undefined) {
      required("aws.role_arn");
    }
    if (!cluster.ssl.enabled) {
      issues.push({
        path: `${path}.mechanism`,
        message: "AWS_MSK_IAM needs ssl.enabled: true (MSK's IAM listeners are TLS only)",
      });
    }
  }
  if (sasl.mechanism === "OAUTHBEARER") {
    const oauth = sasl.oauth;
    if (!oauth) {
      required("oauth");
      return;
    }
    const flow = oauth.token_endpoint_url !== undefined || oauth.client_id !== undefined;
    if (oauth.token_file !== undefined && flow) {
      issues.push({
        path: `${path}.oauth`,
        message: "set token_file or token_endpoint_url/client_id, not both",
      });
    } else if (oauth.token_file === undefined) {
      if (oauth.token_endpoint_url === undefined) required("oauth.token_endpoint_url");
      if (oauth.client_id === undefined) required("oauth.client_id");
      if (oauth.client_secret === undefined && oauth.client_secret_file === undefined) {
        required("oauth.client_secret");
      }
    }
  }
}

/**
 * A client certificate without its key (or the reverse) would be silently ignored by the TLS
 * clients: with TLS enabled, both or neither. `pair` names the two keys as the file spells them.
 */
function checkCertificatePair(
  issues: ConfigIssue[],
  { path, enabled, pair }: {
    path: string;
    enabled: boolean;
    pair: Record<string, string | undefined>;
  },
): void {
  const [[certificateKey, certificate], [keyKey, key]] = Object.entries(pair);
  if (enabled && (certificate === undefined) !== (key === undefined)) {
    issues.push({ path, message: `${certificateKey} and ${keyKey} must be set together` });
  }
}

/** The rules both push endpoints (remote write, OTLP) follow. */
function checkPushEndpoint(
  issues: ConfigIssue[],
  { path, block: remote }: { path: string; block: Omit<ConfigFile["otlp"], "resource_attributes"> },
) {
  if (remote.enabled && !remote.url) {
    issues.push({
      path: `${path}.url`,
      message: "is required when enabled is true",
    });
  }
  checkCertificatePair(issues, {
    path: `${path}.tls_config`,
    enabled: remote.tls_config.enabled,
    pair: {
      cert_file: remote.tls_config.cert_file,
      key_file: remote.tls_config.key_file,
    },
  });
  if (remote.queue_max_samples < remote.max_samples_per_send) {
    issues.push({
      path: `${path}.queue_max_samples`,
      message: "must be at least max_samples_per_send",
    });
  }
  const hasBearerToken = remote.bearer_token !== undefined ||
    remote.bearer_token_file !== undefined;
  const urlHasCredentials = remote.url !== undefined && /^[^/]*\/\/[^/?#]*@/.test(remote.url);
  if (urlHasCredentials && (remote.basic_auth?.username || hasBearerToken)) {
    issues.push({
      path: `${path}.url`,
      message: "has user:password@ and basic_auth or bearer_token is set too; keep one",
    });
  }
  if (remote.basic_auth?.username && hasBearerToken) {
    issues.push({
      path,
      message: "set basic_auth or bearer_token, not both",
    });
  }
}
