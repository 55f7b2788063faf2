/**
 * The lag series under the names and labels of the exporters users switch from (the tables are
 * in compat_metrics.ts), as Prometheus text for /metrics and as values for remote write.
 */
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";
import {
  COMPAT_METRICS,
  type CompatMetric,
  type CompatScheme,
  type Labels,
  type Visit,
} from "./compat_metrics.ts";
import { escapeLabelValue, exportedAt, extraLabelsText, type Granularity } from "./lag_series.ts";
import type { SeriesValue } from "./push/remote_writer.ts";

export { COMPAT_METRICS, type CompatScheme } from "./compat_metrics.ts";

/** Options of the compat output. */
export interface CompatSeriesOptions {
  schemes: readonly CompatScheme[];
  /** Extra labels on every series (prometheus_local.labels). */
  labels: Record<string, string>;
  granularity: Granularity;
}

function* eachMetric(
  statuses: readonly ClusterStatus[],
  options: CompatSeriesOptions,
): Generator<[CompatMetric, (visit: Visit) => void]> {
  for (const scheme of options.schemes) {
    // kafka_exporter has no cluster label; with several clusters one is needed to keep series apart.
    const clusterLabel = scheme === "kafka_lag_exporter"
      ? "cluster_name"
      : statuses.length > 1
      ? "clustername"
      : undefined;
    for (const metric of COMPAT_METRICS[scheme]) {
      if (!exportedAt(metric.level, options.granularity)) continue;
      yield [metric, (visit) => {
        for (const status of statuses) {
          const cluster: Labels = clusterLabel ? [[clusterLabel, status.clusterName]] : [];
          metric.samples({ status, cluster }, visit);
        }
      }];
    }
  }
}

/** The compat series in Prometheus text format, in pieces of about 64 KiB. */
export function* compatTextChunks(
  statuses: readonly ClusterStatus[],
  options: CompatSeriesOptions,
): Generator<string> {
  const extra = extraLabelsText(options.labels);
  let text = "";
  // Samples arrive through a callback, so a metric's pieces are handed out after the metric:
  // one metric's text at most is held (compat output is opt-in and a subset of the series).
  const pieces: string[] = [];
  for (const [metric, forEachSample] of eachMetric(statuses, options)) {
    // No blank line between families: OpenMetrics forbids it, Prometheus text does not need it.
    text += `# HELP ${metric.name} ${metric.help}\n# TYPE ${metric.name} gauge\n`;
    forEachSample((labels, value) => {
      text += `${metric.name}{${
        labels.map(([name, labelValue]) => `${name}="${escapeLabelValue(labelValue)}"`).join(",")
      }${extra}} ${value}\n`;
      if (text.length >= 64 * 1024) {
        pieces.push(text);
        text = "";
      }
    });
    yield* pieces.splice(0);
  }
  yield text;
}

/** The same samples as values with labels (`__name__` included), for remote write. */
export function* compatSeriesValues(
  statuses: readonly ClusterStatus[],
  options: CompatSeriesOptions,
): Generator<SeriesValue> {
  for (const [metric, forEachSample] of eachMetric(statuses, options)) {
    const values: SeriesValue[] = [];
    forEachSample((labels, value) => {
      const all: Record<string, string> = { __name__: metric.name };
      for (const [name, labelValue] of labels) if (labelValue !== "") all[name] = labelValue;
      for (const name in options.labels) all[name] = options.labels[name];
      values.push({ labels: all, value });
    });
    yield* values;
  }
}
