/**
 * Credentials that would cross an unencrypted connection: SASL over a plaintext Kafka listener, an
 * `http://` OAuth token endpoint, remote-write credentials to an `http://` URL, Redis AUTH without
 * TLS. Each is a warning at start, naming the key; `app.cleartext_credentials: error` makes them
 * config errors instead.
 */
import type { ConfigIssue } from "./config_error.ts";
import type { ConfigFile } from "./schema/schema.ts";

/** Every place the file sends a credential in clear text, with its key path. */
export function cleartextCredentials(data: ConfigFile): ConfigIssue[] {
  const found: ConfigIssue[] = [];
  for (const [index, cluster] of data.kafka_clusters.entries()) {
    const at = `kafka_clusters[${index}]`;
    if (cluster.sasl.enabled && !cluster.ssl.enabled) {
      found.push({
        path: `${at}.sasl`,
        message: `SASL ${cluster.sasl.mechanism} credentials of cluster "${cluster.name}" ` +
          "cross an unencrypted connection (ssl.enabled is false)",
      });
    }
    const tokenUrl = cluster.sasl.enabled ? cluster.sasl.oauth?.token_endpoint_url : undefined;
    if (tokenUrl?.startsWith("http://")) {
      found.push({
        path: `${at}.sasl.oauth.token_endpoint_url`,
        message: `the OAuth client secret of cluster "${cluster.name}" is sent over plain http`,
      });
    }
  }
  for (
    const [path, what, remote] of [
      ["prometheus_remote_write", "remote-write", data.prometheus_remote_write],
      ["otlp", "OTLP", data.otlp],
    ] as const
  ) {
    const remoteCredentials = remote.basic_auth !== undefined ||
      remote.bearer_token !== undefined || remote.bearer_token_file !== undefined ||
      /^http:\/\/[^/?#]*@/.test(remote.url ?? "");
    if (remote.enabled && remoteCredentials && remote.url?.startsWith("http://")) {
      found.push({ path: `${path}.url`, message: `${what} credentials are sent over plain http` });
    }
  }
  const redis = data.storage.redis;
  if (data.storage.type === "redis" && redis.auth.enabled && !redis.ssl.enabled) {
    found.push({
      path: "storage.redis.auth",
      message: "the Redis password crosses an unencrypted connection (storage.redis.ssl.enabled " +
        "is false)",
    });
  }
  return found;
}
