/**
 * Our OTLP encoder against the OpenTelemetry JS SDK's (the serializer its OTLP/HTTP protobuf
 * exporter uses; in deno.json for this script only, never imported by the exporter), on one push of a 10,000-group exporter: CPU per push and anonymous memory
 * (RssAnon) once the encoder is loaded and after the push. Run each in its own process:
 *
 *   deno run -A scripts/bench_otlp_encoding.ts --encoder none
 *   deno run -A scripts/bench_otlp_encoding.ts --encoder ours
 *   deno run -A scripts/bench_otlp_encoding.ts --encoder sdk
 *
 * (--groups N, --partitions P per group, --pushes K to average). Series as the native lag metrics
 * give them: per group-partition its lag in offsets and seconds and both offsets, per group four
 * aggregates; batches of 2,000 data points, gzip level 1 for both.
 */
import { parseArgs } from "node:util";
import { cpuUsage } from "node:process";
import { gzipSync } from "node:zlib";
import type { TimeSeries } from "../src/export/push/write_request.ts";

const { values } = parseArgs({
  options: {
    encoder: { type: "string", default: "ours" },
    groups: { type: "string", default: "10000" },
    partitions: { type: "string", default: "24" },
    pushes: { type: "string", default: "3" },
  },
});

function rssAnonMb(): number {
  const status = Deno.readTextFileSync("/proc/self/status");
  return Number(/RssAnon:\s+(\d+)/.exec(status)![1]) / 1024;
}

function* series(
  { groups, partitions, atMs }: { groups: number; partitions: number; atMs: number },
): Generator<TimeSeries> {
  const perPartition = [
    "kafka_consumer_group_lag_in_offsets",
    "kafka_consumer_group_lag_in_seconds",
    "kafka_consumer_group_latest_offset",
    "kafka_consumer_group_committed_offset",
  ];
  const perGroup = [
    "kafka_consumer_group_max_lag_in_offsets",
    "kafka_consumer_group_sum_lag_in_offsets",
    "kafka_consumer_group_max_lag_in_seconds",
    "kafka_consumer_group_sum_lag_in_seconds",
  ];
  for (let group = 0; group < groups; group++) {
    const groupId = `group-${group}`;
    for (const name of perGroup) {
      yield {
        labels: { __name__: name, clustername: "main", group: groupId },
        samples: [{ value: group * 3.5, timestampMs: atMs }],
      };
    }
    for (let partition = 0; partition < partitions; partition++) {
      for (const name of perPartition) {
        yield {
          labels: {
            __name__: name,
            clustername: "main",
            group: groupId,
            topic: `topic-${group % 200}`,
            partition: String(partition),
          },
          samples: [{ value: partition * 11 + group, timestampMs: atMs }],
        };
      }
    }
  }
}

type Encode = (batch: TimeSeries[]) => Uint8Array;

async function loadEncoder(name: string): Promise<Encode> {
  const resourceAttributes = { "service.name": "kafka-lag-deno", "service.instance.id": "bench" };
  // The series alone, generated and batched, not encoded: the floor both are measured above.
  if (name === "none") return () => new Uint8Array();
  if (name === "ours") {
    const { encodeOtlpBody } = await import("../src/export/push/otlp_request.ts");
    const resource = { attributes: resourceAttributes, startTimeMs: Date.now(), scopeVersion: "1" };
    return (batch) => encodeOtlpBody(batch, resource);
  }
  const { ProtobufMetricsSerializer } = await import("@opentelemetry/otlp-transformer");
  const { AggregationTemporality, DataPointType } = await import("@opentelemetry/sdk-metrics");
  const { resourceFromAttributes } = await import("@opentelemetry/resources");
  const resource = resourceFromAttributes(resourceAttributes);
  const hrTime = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1e6];
  return (batch) => {
    // What the SDK's exporter is handed: metric data by name, each data point with its attributes.
    const byName = new Map<string, Array<Record<string, unknown>>>();
    for (const one of batch) {
      const { __name__: name, ...attributes } = one.labels;
      const sample = one.samples[0] as { value: number; timestampMs: number };
      const points = byName.get(name) ?? [];
      points.push({
        attributes,
        startTime: hrTime(sample.timestampMs),
        endTime: hrTime(sample.timestampMs),
        value: sample.value,
      });
      byName.set(name, points);
    }
    const request = {
      resource,
      scopeMetrics: [{
        scope: { name: "kafka-lag-deno", version: "1" },
        metrics: [...byName].map(([name, dataPoints]) => ({
          descriptor: { name, description: "", unit: "", valueType: 1 },
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPointType: DataPointType.GAUGE,
          dataPoints,
        })),
      }],
    };
    // deno-lint-ignore no-explicit-any
    const bytes = ProtobufMetricsSerializer.serializeRequest(request as any)!;
    return new Uint8Array(gzipSync(bytes, { level: 1 }));
  };
}

const groups = Number(values.groups);
const partitions = Number(values.partitions);
const pushes = Number(values.pushes);
const before = rssAnonMb();
const encode = await loadEncoder(values.encoder!);
const loaded = rssAnonMb();
let cpuMs = 0;
let bytes = 0;
let points = 0;
let peak = loaded;
{
  for (let push = 0; push < pushes; push++) {
    const start = cpuUsage();
    let batch: TimeSeries[] = [];
    bytes = 0;
    points = 0;
    for (const one of series({ groups, partitions, atMs: Date.now() })) {
      batch.push(one);
      if (batch.length === 2_000) {
        bytes += encode(batch).length;
        points += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) {
      bytes += encode(batch).length;
      points += batch.length;
    }
    const used = cpuUsage(start);
    cpuMs += (used.user + used.system) / 1_000 / pushes;
    peak = Math.max(peak, rssAnonMb());
  }
}
console.log(JSON.stringify({
  encoder: values.encoder,
  groups,
  dataPointsPerPush: points,
  cpuMsPerPush: Math.round(cpuMs),
  gzipBytesPerPush: bytes,
  rssAnonMb: {
    start: Math.round(before),
    afterLoad: Math.round(loaded),
    peak: Math.round(peak),
  },
}));
