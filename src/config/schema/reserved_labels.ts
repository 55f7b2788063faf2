/**
 * The label names the exporter writes itself, per naming scheme: a user label
 * (`prometheus_local.labels`) with one of these names would give a series the same label twice,
 * and Prometheus rejects the whole scrape for it. The export layer's tests render every scheme
 * and check each label it writes is listed here, so the list cannot fall behind the renderers.
 */

/** Written with every configuration: the native series, the group series and our own metrics. */
const ALWAYS = [
  // lag and group series
  "clustername",
  "group",
  "topic",
  "partition",
  "consumer_id",
  "client_id",
  "member_host",
  "state",
  "protocol",
  "status",
  // the exporter's own metrics (prom-client adds `le` to histogram buckets)
  "result",
  "method",
  "reason",
  "api",
  "store",
  "kind",
  "version",
  "commit",
  "deno_version",
  "le",
  "quantile",
] as const;

/** Written only when `prometheus_local.metric_names` includes the scheme. */
const BY_SCHEME: Record<"kafka_exporter" | "kafka_lag_exporter", readonly string[]> = {
  kafka_exporter: ["consumergroup", "topic", "partition", "clustername"],
  kafka_lag_exporter: [
    "cluster_name",
    "group",
    "topic",
    "partition",
    "member_host",
    "consumer_id",
    "client_id",
    "is_simple_consumer",
  ],
};

/** Every label name the exporter writes under these metric name schemes. */
export function reservedLabelNames(schemes: readonly string[]): Set<string> {
  const names = new Set<string>(ALWAYS);
  for (const scheme of schemes) {
    for (const name of BY_SCHEME[scheme as keyof typeof BY_SCHEME] ?? []) names.add(name);
  }
  return names;
}
