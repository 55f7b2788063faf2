import { uncompress } from "snappyjs";
import { assert, assertEquals } from "../../../tests/assert.ts";
import {
  encodeRemoteWriteBody,
  encodeWriteRequest,
  STALE_NAN_BITS,
  type TimeSeries,
} from "./write_request.ts";
import { encodeWriteRequestV2 } from "./write_request_v2.ts";
import { utf8Length } from "./proto_buffer.ts";
import { readFields } from "../../../tests/harness/protobuf_fields.ts";

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

Deno.test("remote write 2.0: a symbol table, label references sorted by name, samples", () => {
  const fields = readFields(encodeWriteRequestV2([
    {
      labels: { topic: "orders", __name__: "lag", group: "billing" },
      samples: [{ value: 5, timestampMs: 1_700_000_000_123 }],
    },
    { labels: { __name__: "lag", group: "orders" }, samples: [{ stale: true, timestampMs: 7 }] },
  ]));
  const symbols = fields.filter(([number]) => number === 4).map(([, value]) => text(value));
  assertEquals(symbols, ["", "__name__", "lag", "group", "billing", "topic", "orders"]);
  const series = fields.filter(([number]) => number === 5).map(([, value]) =>
    readFields(value as Uint8Array)
  );
  const refs = series.map((parts) => {
    const packed = parts.find(([number]) => number === 1)![1] as Uint8Array;
    return readFields(Uint8Array.from([...packed].flatMap((byte) => [0x08, byte])))
      .map(([, ref]) => Number(ref));
  });
  assertEquals(refs, [[1, 2, 3, 4, 5, 6], [1, 2, 3, 6]]);
  const samples = series.map((parts) => parts.find(([number]) => number === 2)![1] as Uint8Array);
  assertEquals(readFields(samples[0]), [[1, 5], [2, 1_700_000_000_123n]]);
  // The staleness marker's exact bits: tag (field 1, fixed64), then 8 bytes little-endian.
  assertEquals(samples[1][0], 0x09);
  assertEquals(
    new DataView(samples[1].buffer, samples[1].byteOffset + 1, 8).getBigUint64(0, true),
    STALE_NAN_BITS,
  );
});
