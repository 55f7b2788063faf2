/**
 * OTLP/HTTP metrics payload: an ExportMetricsServiceRequest (opentelemetry-proto, metrics v1)
 * encoded here, as remote write's is, and gzip-compressed. Each push is one resource per Kafka
 * cluster (service.name, service.instance.id, kafka.cluster.name and the user's attributes) plus
 * one for the exporter-wide series; every series keeps all its labels as attributes, so the
 * receiver's query results match /metrics.
 *
 *   ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
 *   ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
 *   Resource        { repeated KeyValue attributes = 1; }
 *   KeyValue        { string key = 1; AnyValue value = 2; }   AnyValue { string string_value = 1; }
 *   ScopeMetrics    { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
 *   Metric          { string name = 1; Gauge gauge = 5; Sum sum = 7; }
 *   Gauge           { repeated NumberDataPoint data_points = 1; }
 *   Sum             { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2;
 *                     bool is_monotonic = 3; }
 *   NumberDataPoint { repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2;
 *                     fixed64 time_unix_nano = 3; double as_double = 4; uint32 flags = 8; }
 */
import { gzipSync } from "node:zlib";
import { ProtoBuffer } from "./proto_buffer.ts";
import type { TimeSeries } from "./write_request.ts";

/** Labels that name the Kafka cluster (native and kafka_exporter names; kafka-lag-exporter's). */
const CLUSTER_LABELS = ["clustername", "cluster_name"];
const AGGREGATION_TEMPORALITY_CUMULATIVE = 2;
/** NumberDataPoint flag: the series has no value any more (Prometheus reads it as stale). */
const FLAG_NO_RECORDED_VALUE = 1;

/** What every push says about where its series come from. */
export interface OtlpResource {
  /** service.name, service.instance.id, service.version and the user's attributes. */
  attributes: Readonly<Record<string, string>>;
  /** When the process started: the start of every cumulative counter. */
  startTimeMs: number;
  scopeVersion: string;
}

/** Encodes one request; series named `*_total` are cumulative monotonic sums, others gauges. */
export function encodeOtlpMetricsRequest(
  series: readonly TimeSeries[],
  resource: OtlpResource,
): Uint8Array<ArrayBuffer> {
  // Resource (by cluster) → metric name → series, in the order they come.
  const byCluster = new Map<string, Map<string, TimeSeries[]>>();
  for (const one of series) {
    const cluster = one.labels[CLUSTER_LABELS[0]] ?? one.labels[CLUSTER_LABELS[1]] ?? "";
    let metrics = byCluster.get(cluster);
    if (!metrics) byCluster.set(cluster, metrics = new Map());
    const name = one.labels.__name__;
    const list = metrics.get(name);
    if (list) list.push(one);
    else metrics.set(name, [one]);
  }
  const request = new ProtoBuffer();
  const nanos = nanosecondsOf();
  const startNanos = nanos(resource.startTimeMs);
  for (const [cluster, metrics] of byCluster) {
    const resourceMetrics = request.begin(1);
    const resourceField = request.begin(1);
    for (const [key, value] of Object.entries(resource.attributes)) {
      keyValue(request, 1, key, value);
    }
    if (cluster !== "") keyValue(request, 1, "kafka.cluster.name", cluster);
    request.end(resourceField);
    const scopeMetrics = request.begin(2);
    const scope = request.begin(1);
    request.text(1, "kafka-lag-deno");
    request.text(2, resource.scopeVersion);
    request.end(scope);
    for (const [name, list] of metrics) {
      const metric = request.begin(2);
      request.text(1, name);
      const counter = name.endsWith("_total");
      const data = request.begin(counter ? 7 : 5);
      for (const one of list) {
        for (const sample of one.samples) {
          const point = request.begin(1);
          for (const label in one.labels) {
            if (label !== "__name__") keyValue(request, 7, label, one.labels[label]);
          }
          if (counter) request.fixed64(2, startNanos);
          request.fixed64(3, nanos(sample.timestampMs));
          if (sample.stale) request.uint(8, FLAG_NO_RECORDED_VALUE);
          else request.double(4, sample.value);
          request.end(point);
        }
      }
      if (counter) {
        request.uint(2, AGGREGATION_TEMPORALITY_CUMULATIVE);
        request.uint(3, 1);
      }
      request.end(data);
      request.end(metric);
    }
    request.end(scopeMetrics);
    request.end(resourceMetrics);
  }
  return request.finish();
}

/** The HTTP body of an OTLP export: the request, gzip-compressed at the fastest level. */
export function encodeOtlpBody(
  series: readonly TimeSeries[],
  resource: OtlpResource,
): Uint8Array<ArrayBuffer> {
  return new Uint8Array(gzipSync(encodeOtlpMetricsRequest(series, resource), { level: 1 }));
}

// arity-ok: called for every label of every data point; no options object per call
function keyValue(request: ProtoBuffer, field: number, key: string, value: string) {
  const pair = request.begin(field);
  request.text(1, key);
  const anyValue = request.begin(2);
  request.text(1, value);
  request.end(anyValue);
  request.end(pair);
}

/** Milliseconds to nanoseconds as fixed64 bits; a push's samples share one time, so memoized. */
function nanosecondsOf(): (ms: number) => bigint {
  let lastMs = NaN;
  let lastNanos = 0n;
  return (ms) => {
    if (ms !== lastMs) {
      lastMs = ms;
      lastNanos = BigInt(Math.trunc(ms)) * 1_000_000n;
    }
    return lastNanos;
  };
}
