/**
 * Reads the forms a kafka-lag-go config file uses the way kafka-lag-go read them, before the
 * schema sees the tree: Go's YAML decoder turns `null`, `""` and `0` into "not set" (and
 * kafka-lag-go then applies its default), log levels are logrus names in any case, TLS CA files
 * are `ca_cert_file`, and a `storage:` block without `type` means Redis. Keys that kafka-lag-go's
 * published files carry but it ignores are dropped with one warning each.
 */
import type { ConfigIssue } from "../config_error.ts";

/** The tree as our schema expects it, and one warning per key that kafka-lag-go ignored. */
export interface NormalizedTree {
  tree: unknown;
  warnings: string[];
}

/** Top-level keys of kafka-lag-go's own example files that it never reads, and what to write. */
const IGNORED_TOP_LEVEL_KEYS: Record<string, string> = {
  prometheus: "kafka-lag-go ignores it too; to set metrics_port or labels, write them under " +
    "prometheus_local:",
};

/** Maps (values under these keys are user data, where "" is a real value). */
const VERBATIM_MAPS = new Set(["labels", "headers"]);

/** Integer keys where kafka-lag-go reads 0 as "use the default". */
const ZERO_MEANS_DEFAULT = new Set([
  "metrics_port",
  "port",
  "retention_ttl_seconds",
  "num_workers",
  "health_check_port",
]);

/** logrus level names (kafka-lag-go lower-cases them) → ours. */
const LOGRUS_LEVELS: Record<string, string> = {
  trace: "debug",
  debug: "debug",
  info: "info",
  warn: "warn",
  warning: "warn",
  error: "error",
  fatal: "error",
  panic: "error",
};

/** Returns the tree with kafka-lag-go's forms read as kafka-lag-go read them. */
export function normalizeKafkaLagGoForms(raw: unknown, issues: ConfigIssue[]): NormalizedTree {
  const warnings: string[] = [];
  if (!isMapping(raw)) return { tree: raw, warnings };
  const tree = dropUnset(raw) as Record<string, unknown>;
  for (const [key, advice] of Object.entries(IGNORED_TOP_LEVEL_KEYS)) {
    if (!(key in raw)) continue;
    delete tree[key];
    warnings.push(`${key}: is ignored (${advice})`);
  }

  const app = tree.app;
  if (isMapping(app) && typeof app.log_level === "string") {
    app.log_level = LOGRUS_LEVELS[app.log_level.toLowerCase()] ?? app.log_level;
  }
  const storage = tree.storage;
  if (isMapping(storage)) {
    storage.type ??= "redis";
    if (isMapping(storage.redis)) {
      renameCaCertFile(storage.redis.ssl, { path: "storage.redis.ssl", issues });
    }
  }
  if (Array.isArray(tree.kafka_clusters)) {
    for (const [index, cluster] of tree.kafka_clusters.entries()) {
      if (isMapping(cluster)) {
        renameCaCertFile(cluster.ssl, { path: `kafka_clusters[${index}].ssl`, issues });
      }
    }
  }
  return { tree, warnings };
}

/** Go's zero values mean "not set": drops null, "" and (for ZERO_MEANS_DEFAULT keys) 0. */
function dropUnset(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUnset);
  if (!isMapping(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === "") continue;
    if (item === 0 && ZERO_MEANS_DEFAULT.has(key)) continue;
    out[key] = VERBATIM_MAPS.has(key) ? item : dropUnset(item);
  }
  return out;
}

/** kafka-lag-go spells the CA file `ca_cert_file`; ours is `ca_file`. Both are read. */
function renameCaCertFile(
  ssl: unknown,
  { path, issues }: { path: string; issues: ConfigIssue[] },
): void {
  if (!isMapping(ssl) || !("ca_cert_file" in ssl)) return;
  if ("ca_file" in ssl && ssl.ca_file !== ssl.ca_cert_file) {
    issues.push({ path: `${path}.ca_cert_file`, message: "set ca_file or ca_cert_file, not both" });
  }
  ssl.ca_file ??= ssl.ca_cert_file;
  delete ssl.ca_cert_file;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
