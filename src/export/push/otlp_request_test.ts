import { gunzipSync } from "node:zlib";
import { assertEquals } from "../../../tests/assert.ts";
import { readFields } from "../../../tests/harness/protobuf_fields.ts";
import { encodeOtlpBody, encodeOtlpMetricsRequest } from "./otlp_request.ts";
import type { TimeSeries } from "./write_request.ts";

type Fields = ReturnType<typeof readFields>;
const text = (value: unknown) => new TextDecoder().decode(value as Uint8Array);
const messages = (fields: Fields, field: number) =>
  fields.filter(([number]) => number === field).map(([, value]) => readFields(value as Uint8Array));
const one = (fields: Fields, field: number) => fields.find(([number]) => number === field)?.[1];
/** A fixed64 field, which the reader decodes as a double, back to its integer. */
const fixed64 = (value: unknown) =>
  new BigUint64Array(new Float64Array([value as number]).buffer)[0];
const attributes = (fields: Fields, field: number) =>
  Object.fromEntries(
    messages(fields, field).map((pair) => [
      text(one(pair, 1)),
      text(one(readFields(one(pair, 2) as Uint8Array), 1)),
    ]),
  );

const AT = 1_764_000_000_123;
const series: TimeSeries[] = [
  {
    labels: {
      __name__: "kafka_consumergroup_group_lag",
      clustername: "a",
      group: "g",
      partition: "0",
    },
    samples: [{ value: 5, timestampMs: AT }],
  },
  {
    labels: {
      __name__: "kafka_consumergroup_group_lag",
      clustername: "a",
      group: "g",
      partition: "1",
    },
    samples: [{ stale: true, timestampMs: AT }],
  },
  {
    labels: {
      __name__: "kafka_consumergroup_group_lag",
      clustername: "b",
      group: "h",
      partition: "0",
    },
    samples: [{ value: 7, timestampMs: AT }],
  },
  {
    labels: { __name__: "kafka_lag_exporter_iteration_errors_total", clustername: "a" },
    samples: [{ value: 2, timestampMs: AT }],
  },
  {
    labels: { __name__: "kafka_lag_exporter_up_instances" },
    samples: [{ value: 1, timestampMs: AT }],
  },
];
const resource = {
  attributes: { "service.name": "kafka-lag-deno", "service.instance.id": "node-1" },
  startTimeMs: 1_764_000_000_000,
  scopeVersion: "1.2.3",
};

Deno.test("OTLP request: one resource per cluster, gauges and cumulative sums, stale as a flag", () => {
  const request = readFields(encodeOtlpMetricsRequest(series, resource));
  const resources = messages(request, 1).map((resourceMetrics) => {
    const scopeMetrics = messages(resourceMetrics, 2)[0];
    const scope = readFields(one(scopeMetrics, 1) as Uint8Array);
    return {
      attributes: attributes(readFields(one(resourceMetrics, 1) as Uint8Array), 1),
      scope: [text(one(scope, 1)), text(one(scope, 2))],
      metrics: messages(scopeMetrics, 2).map((metric) => {
        const sum = one(metric, 7);
        const data = readFields((sum ?? one(metric, 5)) as Uint8Array);
        return {
          name: text(one(metric, 1)),
          kind: sum ? `sum temporality=${one(data, 2)} monotonic=${one(data, 3)}` : "gauge",
          points: messages(data, 1).map((point) => ({
            attributes: attributes(point, 7),
            start: one(point, 2) === undefined ? undefined : fixed64(one(point, 2)),
            time: fixed64(one(point, 3)),
            value: one(point, 4),
            flags: one(point, 8),
          })),
        };
      }),
    };
  });
  const base = { "service.name": "kafka-lag-deno", "service.instance.id": "node-1" };
  const time = BigInt(AT) * 1_000_000n;
  const point = (labels: Record<string, string>, rest: Record<string, unknown>) => ({
    attributes: labels,
    start: undefined,
    time,
    value: undefined,
    flags: undefined,
    ...rest,
  });
  assertEquals(resources, [
    {
      attributes: { ...base, "kafka.cluster.name": "a" },
      scope: ["kafka-lag-deno", "1.2.3"],
      metrics: [
        {
          name: "kafka_consumergroup_group_lag",
          kind: "gauge",
          points: [
            point({ clustername: "a", group: "g", partition: "0" }, { value: 5 }),
            point({ clustername: "a", group: "g", partition: "1" }, { flags: 1n }),
          ],
        },
        {
          name: "kafka_lag_exporter_iteration_errors_total",
          kind: "sum temporality=2 monotonic=1",
          points: [point({ clustername: "a" }, { value: 2, start: 1_764_000_000_000_000_000n })],
        },
      ],
    },
    {
      attributes: { ...base, "kafka.cluster.name": "b" },
      scope: ["kafka-lag-deno", "1.2.3"],
      metrics: [{
        name: "kafka_consumergroup_group_lag",
        kind: "gauge",
        points: [point({ clustername: "b", group: "h", partition: "0" }, { value: 7 })],
      }],
    },
    {
      attributes: base,
      scope: ["kafka-lag-deno", "1.2.3"],
      metrics: [{
        name: "kafka_lag_exporter_up_instances",
        kind: "gauge",
        points: [point({}, { value: 1 })],
      }],
    },
  ]);
});

Deno.test("OTLP body: the request, gzip-compressed", () => {
  assertEquals(
    new Uint8Array(gunzipSync(encodeOtlpBody(series, resource))),
    encodeOtlpMetricsRequest(series, resource),
  );
});

Deno.test("OTLP request: label text of any length and script comes back as written", () => {
  const values = [
    "",
    "orders",
    "café-ü",
    "日本語のグループ",
    "x".repeat(127),
    "y".repeat(128),
    "🚀".repeat(50),
  ];
  for (const value of values) {
    const request = readFields(encodeOtlpMetricsRequest([
      { labels: { __name__: "m", group: value }, samples: [{ value: 1, timestampMs: AT }] },
    ], resource));
    const scopeMetrics = messages(messages(request, 1)[0], 2)[0];
    const metric = messages(scopeMetrics, 2)[0];
    const point = messages(readFields(one(metric, 5) as Uint8Array), 1)[0];
    assertEquals(attributes(point, 7), { group: value }, JSON.stringify(value).slice(0, 20));
  }
});
