import { gzipSync, zstdCompressSync } from "node:zlib";
import { compress as compressSnappyBlock } from "snappyjs";
import { assertEquals } from "../../../../tests/assert.ts";
import {
  batch,
  NEXT_BATCH,
  PLAIN_BATCH,
  T0,
  Writer,
} from "../../../../tests/harness/record_batches.ts";
import { decompressLz4Frames } from "./compression.ts";
import { decodeFetchResponseV4 } from "../fetch.ts";
import { findRecordTimestamp } from "./record_batch.ts";

function legacyMessage(offset: number, timestampMs: number, attributes = 0): Uint8Array {
  const afterLength = new Writer().int32(0).int8(1).int8(attributes).int64(timestampMs).int32(-1)
    .int32(1).int8(120)
    .done();
  return new Writer().int64(offset).int32(afterLength.length).raw(afterLength).done();
}

const concat = (...parts: Uint8Array[]) =>
  new Uint8Array(parts.flatMap((part) => Array.from(part)));

/** Xerial's snappy framing, as Kafka's Java client writes it: header, then [length][block]... */
function xerialSnappy(records: Uint8Array): Uint8Array {
  const header = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0, 0, 0, 0, 1, 0, 0, 0, 1];
  const half = Math.floor(records.length / 2);
  const chunks = [records.subarray(0, half), records.subarray(half)].map((chunk) =>
    compressSnappyBlock(chunk)
  );
  const out = new Writer().raw(header);
  for (const chunk of chunks) out.int32(chunk.length).raw(chunk);
  return out.done();
}

/** An LZ4 frame of literal-only blocks (valid LZ4 that any decoder must read). */
function lz4Frame(records: Uint8Array): Uint8Array {
  const out = new Writer().raw([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82]);
  const half = Math.floor(records.length / 2);
  for (const chunk of [records.subarray(0, half), records.subarray(half)]) {
    const block = new Writer();
    const length = chunk.length;
    if (length < 15) block.int8(length << 4);
    else {
      block.int8(0xf0);
      let rest = length - 15;
      while (rest >= 255) {
        block.int8(255);
        rest -= 255;
      }
      block.int8(rest);
    }
    block.raw(chunk);
    const encoded = block.done();
    out.raw([encoded.length & 0xff, (encoded.length >> 8) & 0xff, encoded.length >> 16, 0]);
    out.raw(encoded);
  }
  return out.raw([0, 0, 0, 0]).done();
}

const plain = PLAIN_BATCH;
const next = NEXT_BATCH;

Deno.test("findRecordTimestamp()", async (t) => {
  const cases: Array<[string, Uint8Array, number, ReturnType<typeof findRecordTimestamp>]> = [
    ["first record of a batch", plain, 100, { timestampMs: T0, offset: 100, exact: true }],
    ["a record inside a batch", plain, 102, { timestampMs: T0 + 25, offset: 102, exact: true }],
    ["a record in the second batch", concat(plain, next), 105, {
      timestampMs: T0 + 1_005,
      offset: 105,
      exact: true,
    }],
    [
      "the next record when the offset was compacted away",
      batch({ baseOffset: 10, firstTimestamp: T0, records: [[0, 0], [5, 50]] }),
      12,
      { timestampMs: T0 + 50, offset: 15, exact: true },
    ],
    ["a fetch that starts before the offset's batch", concat(plain, next), 104, {
      timestampMs: T0 + 1_000,
      offset: 104,
      exact: true,
    }],
    [
      "log-append time: the batch's time for every record",
      batch({ baseOffset: 0, firstTimestamp: T0, records: [[0, 0], [1, 7]], attributes: 0x08 }),
      1,
      { timestampMs: T0 + 7, offset: 1, exact: true },
    ],
    [
      "compressed batch: its first record is exact",
      batch({
        baseOffset: 50,
        firstTimestamp: T0,
        records: [[0, 0], [4, 400]],
        attributes: 0x03,
        compressedPayload: [1, 2, 3],
      }),
      50,
      { timestampMs: T0, offset: 50, exact: true },
    ],
    [
      "compressed batch: a later record is placed on the batch's time line",
      batch({
        baseOffset: 50,
        firstTimestamp: T0,
        records: [[0, 0], [4, 400]],
        attributes: 0x04,
        compressedPayload: [9, 9],
      }),
      53,
      { timestampMs: T0 + 300, offset: 53, exact: false },
    ],
    ...([
      ["gzip", 0x01, (records: Uint8Array) => new Uint8Array(gzipSync(records))],
      ["snappy (xerial framing)", 0x02, xerialSnappy],
      ["snappy (one raw block)", 0x02, (records: Uint8Array) => compressSnappyBlock(records)],
      ["lz4", 0x03, lz4Frame],
      ["zstd", 0x04, (records: Uint8Array) => new Uint8Array(zstdCompressSync(records))],
    ] as const).map(([codec, attributes, compress]): [
      string,
      Uint8Array,
      number,
      ReturnType<typeof findRecordTimestamp>,
    ] => [
      `${codec} batch: the record inside it, decompressed`,
      batch({
        baseOffset: 50,
        firstTimestamp: T0,
        records: [[0, 0], [1, 17], [2, 19], [3, 350], [4, 400]],
        attributes,
        compress,
      }),
      52,
      { timestampMs: T0 + 19, offset: 52, exact: true },
    ]),
    [
      "a compressed batch cut short falls back to its header",
      batch({
        baseOffset: 50,
        firstTimestamp: T0,
        records: [[0, 0], [1, 17], [2, 19], [3, 350], [4, 400]],
        attributes: 0x01,
        compress: (records) => new Uint8Array(gzipSync(records)),
      }).subarray(0, 70),
      52,
      { timestampMs: T0 + 200, offset: 52, exact: false },
    ],
    [
      "control batches (transaction markers) are skipped",
      concat(
        batch({ baseOffset: 100, firstTimestamp: T0, records: [[0, 0]], attributes: 0x30 }),
        next,
      ),
      100,
      { timestampMs: T0 + 1_000, offset: 104, exact: true },
    ],
    [
      "a truncated batch still gives its records so far",
      plain.subarray(0, plain.length - 12),
      101,
      {
        timestampMs: T0 + 10,
        offset: 101,
        exact: true,
      },
    ],
    ["a batch cut before the record falls back to its header", plain.subarray(0, 70), 103, {
      timestampMs: T0 + 40,
      offset: 103,
      exact: false,
    }],
    ["a cut header gives nothing", plain.subarray(0, 40), 100, undefined],
    ["no batch reaches the offset", plain, 200, undefined],
    ["empty records", new Uint8Array(), 0, undefined],
    ["legacy magic-1 message", concat(legacyMessage(7, T0 - 5), legacyMessage(8, T0)), 8, {
      timestampMs: T0,
      offset: 8,
      exact: true,
    }],
  ];
  for (const [name, records, offset, expected] of cases) {
    await t.step(name, () => assertEquals(findRecordTimestamp(records, offset), expected));
  }
});

Deno.test("decodeFetchResponseV4()", () => {
  const body = new Writer()
    .int32(0) // throttle
    .int32(1) // topics
    .string("orders")
    .int32(2) // partitions
    .int32(0).int16(0).int64(104).int64(104).int32(-1).int32(plain.length).raw(plain)
    .int32(1).int16(1).int64(-1).int64(-1).int32(1).int64(5).int64(6).int32(-1)
    .done();
  const partitions = decodeFetchResponseV4(body);
  assertEquals(partitions.map((p) => [p.topic, p.partition, p.errorCode, p.records.length]), [
    ["orders", 0, 0, plain.length],
    ["orders", 1, 1, 0],
  ]);
  assertEquals(findRecordTimestamp(partitions[0].records, 103), {
    timestampMs: T0 + 40,
    offset: 103,
    exact: true,
  });
});

Deno.test("decompressLz4Frames()", async (t) => {
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const frame = (...blocks: number[][]) => {
    const out = [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82];
    for (const block of blocks) out.push(block.length & 0xff, block.length >> 8, 0, 0, ...block);
    return new Uint8Array([...out, 0, 0, 0, 0]);
  };
  const abc = [97, 98, 99];
  await t.step("an overlapping match repeats the last bytes", () => {
    // "abc", then 9 bytes copied from 3 back, then the literal "X".
    assertEquals(text(decompressLz4Frames(frame([0x35, ...abc, 3, 0, 0x10, 88]))), "abcabcabcabcX");
  });
  await t.step("a match may reach into the previous block (linked blocks)", () => {
    assertEquals(text(decompressLz4Frames(frame([0x30, ...abc], [0x00, 3, 0]))), "abcabca");
  });
  await t.step("an uncompressed block is copied", () => {
    const raw = new Uint8Array([0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, 3, 0, 0, 0x80, ...abc]);
    assertEquals(text(decompressLz4Frames(new Uint8Array([...raw, 0, 0, 0, 0]))), "abc");
  });
  await t.step("a reference before the start is refused", () => {
    let error: unknown;
    try {
      decompressLz4Frames(frame([0x10, 97, 5, 0]));
    } catch (caught) {
      error = caught;
    }
    assertEquals(error instanceof RangeError, true);
  });
});
