import { uncompress } from "snappyjs";
import { assert, assertEquals } from "../../../tests/assert.ts";
import {
  encodeRemoteWriteBody,
  encodeWriteRequest,
  type TimeSeries,
  utf8Length,
} from "./write_request.ts";

/** A minimal protobuf reader, to check the encoder field by field. */
function readFields(bytes: Uint8Array): Array<[number, number | bigint | Uint8Array]> {
  const fields: Array<[number, number | bigint | Uint8Array]> = [];
  let position = 0;
  const varint = () => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = bytes[position++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (position < bytes.length) {
    const key = Number(varint());
    const field = key >> 3;
    const wireType = key & 7;
    if (wireType === 0) fields.push([field, varint()]);
    else if (wireType === 1) {
      fields.push([
        field,
        new DataView(bytes.buffer, bytes.byteOffset + position, 8).getFloat64(0, true),
      ]);
      position += 8;
    } else if (wireType === 2) {
      const length = Number(varint());
      fields.push([field, bytes.subarray(position, position + length)]);
      position += length;
    } else throw new Error(`wire type ${wireType}`);
  }
  return fields;
}

const text = (value: unknown) => new TextDecoder().decode(value as Uint8Array);

Deno.test("encodeWriteRequest() writes sorted labels and samples", () => {
  const bytes = encodeWriteRequest([{
    labels: { topic: "orders", __name__: "kafka_consumer_group_lag_in_offsets", group: "billing" },
    samples: [{ value: 5, timestampMs: 1_700_000_000_123 }],
  }]);
  const [[field, series]] = readFields(bytes);
  assertEquals(field, 1);
  const parts = readFields(series as Uint8Array);
  const labels = parts.filter(([number]) => number === 1).map(([, label]) =>
    readFields(label as Uint8Array).map(([, value]) => text(value))
  );
  assertEquals(labels, [["__name__", "kafka_consumer_group_lag_in_offsets"], ["group", "billing"], [
    "topic",
    "orders",
  ]]);
  const [[, sample]] = parts.filter(([number]) => number === 2);
  assertEquals(readFields(sample as Uint8Array), [[1, 5], [2, 1_700_000_000_123n]]);
});

Deno.test("the staleness marker keeps its exact bits through encoding", () => {
  const bytes = encodeWriteRequest([{
    labels: { __name__: "x" },
    samples: [{ stale: true, timestampMs: 1 }],
  }]);
  const series = readFields(readFields(bytes)[0][1] as Uint8Array);
  const sample = series.find(([field]) => field === 2)![1] as Uint8Array;
  // tag (field 1, fixed64) then the 8 raw bytes, little-endian
  assertEquals(sample[0], 0x09);
  assertEquals(
    new DataView(sample.buffer, sample.byteOffset + 1, 8).getBigUint64(0, true),
    0x7ff0000000000002n,
  );
});

Deno.test("encodeRemoteWriteBody() is snappy block format of the WriteRequest", () => {
  const series = Array.from({ length: 200 }, (_, index) => ({
    labels: { __name__: "m", group: `g-${index}` },
    samples: [{ value: index, timestampMs: 1_000 }],
  }));
  const body = encodeRemoteWriteBody(series);
  const raw = encodeWriteRequest(series);
  assertEquals(new Uint8Array(uncompress(body)), raw);
  assert(body.length < raw.length, "compressed");
});

Deno.test("utf8Length() counts what TextEncoder writes", () => {
  const cases = [
    "",
    "orders",
    "commandes-été",
    "注文",
    "🚀x",
    "\ud800",
    "a\udc00b",
    "\u{10FFFF}",
    "x".repeat(300),
  ];
  for (const text of cases) {
    assertEquals(utf8Length(text), new TextEncoder().encode(text).length, JSON.stringify(text));
  }
});

Deno.test("encodeWriteRequest() nests lengths right for wide text, long values and many samples", () => {
  const long = "g".repeat(200) + "é"; // a length that needs two varint bytes
  const series: TimeSeries[] = [
    {
      labels: { __name__: "lag", group: long, topic: "注文-🚀", odd: "\ud800" },
      samples: [
        { value: -1.5, timestampMs: 1_700_000_000_123 },
        { value: Infinity, timestampMs: 1_700_000_001_000 },
        { stale: true, timestampMs: 1_700_000_002_000 },
      ],
    },
    { labels: { __name__: "before_1970" }, samples: [{ value: 0, timestampMs: -5 }] },
  ];
  const decoded = readFields(encodeWriteRequest(series)).map(([field, message]) => {
    assertEquals(field, 1);
    const parts = readFields(message as Uint8Array);
    return {
      labels: parts.filter(([number]) => number === 1).map(([, label]) =>
        readFields(label as Uint8Array).map(([, value]) => text(value))
      ),
      samples: parts.filter(([number]) => number === 2).map(([, sample]) =>
        readFields(sample as Uint8Array)
      ),
    };
  });
  assertEquals(decoded[0].labels, [
    ["__name__", "lag"],
    ["group", long],
    ["odd", "\ufffd"],
    ["topic", "注文-🚀"],
  ]);
  assertEquals(decoded[0].samples[0], [[1, -1.5], [2, 1_700_000_000_123n]]);
  assertEquals(decoded[0].samples[1], [[1, Infinity], [2, 1_700_000_001_000n]]);
  assert(Number.isNaN(decoded[0].samples[2][0][1]), "staleness marker is a NaN");
  assertEquals(decoded[1].labels, [["__name__", "before_1970"]]);
  assertEquals(decoded[1].samples[0], [[1, 0], [2, 2n ** 64n - 5n]]);
});
