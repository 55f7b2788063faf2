/**
 * Record batches written by an attacker: lengths that do not advance or overrun, counts of 2³¹−1,
 * and 1 GiB decompression bombs of every codec. Each must end quickly, bounded, and contained.
 */
import { gzipSync } from "node:zlib";
import { assert, assertEquals } from "../../../../tests/assert.ts";
import {
  batch,
  gzipBomb,
  lz4ZeroBomb,
  NEXT_BATCH,
  PLAIN_BATCH,
  snappyDeclaredBomb,
  T0,
  Writer,
  zstdBomb,
} from "../../../../tests/harness/record_batches.ts";
import { findRecordTimestamp, findRecordTimestamps } from "./record_batch.ts";

const plain = PLAIN_BATCH;
const next = NEXT_BATCH;
const concat = (...parts: Uint8Array[]) =>
  new Uint8Array(parts.flatMap((part) => Array.from(part)));

/** A magic-2 batch around an already compressed records section (header fields as given). */
function batchAround(
  payload: Uint8Array,
  { baseOffset, records, codec }: { baseOffset: number; records: number; codec: number },
): Uint8Array {
  return batch({
    baseOffset,
    firstTimestamp: T0,
    records: Array.from({ length: records }, (_, index): [number, number] => [index, 0]),
    attributes: codec,
    compressedPayload: Array.from(payload),
  });
}

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;

Deno.test("hostile record batches end within bounds", async (t) => {
  const timed = <T>(call: () => T) => {
    const started = performance.now();
    const result = call();
    return { result, ms: performance.now() - started };
  };
  await t.step("a negative batch length is malformed, within 10 ms", () => {
    const hostile = plain.slice();
    new DataView(hostile.buffer).setInt32(8, -12);
    const { result, ms } = timed(() => findRecordTimestamp(concat(next, hostile), 200));
    assertEquals((result as { unreadable?: string })?.unreadable, "malformed");
    assert(ms < 10, `${ms} ms`);
  });
  await t.step("a batch length below its header is malformed", () => {
    const hostile = plain.slice();
    new DataView(hostile.buffer).setInt32(8, 0);
    assertEquals(
      (findRecordTimestamp(hostile, 102) as { unreadable?: string })?.unreadable,
      "malformed",
    );
  });
  for (const [name, length] of [["negative", -1], ["zero", 0], ["huge", 2 ** 31 - 1]] as const) {
    await t.step(`a ${name} record length in a complete batch is malformed, within 10 ms`, () => {
      // The first record's length varint is the first byte after the 61-byte header.
      const records = new Writer().varint(length).raw(new Array(40).fill(0)).done();
      const hostile = batch({
        baseOffset: 0,
        firstTimestamp: T0,
        records: [[0, 0], [1, 0], [2, 0]],
        compressedPayload: Array.from(records),
      });
      new DataView(hostile.buffer).setInt32(57, 2 ** 31 - 1); // recordCount
      const { result, ms } = timed(() => findRecordTimestamp(hostile, 1));
      assertEquals((result as { unreadable?: string })?.unreadable, "malformed");
      assert(ms < 10, `${ms} ms`);
    });
  }
  await t.step("a negative record count is malformed", () => {
    const hostile = plain.slice();
    new DataView(hostile.buffer).setInt32(57, -5);
    assertEquals(
      (findRecordTimestamp(hostile, 102) as { unreadable?: string })?.unreadable,
      "malformed",
    );
  });
  const bombs: Array<[string, number, () => Uint8Array]> = [
    ["gzip", 0x01, () => gzipBomb(64, 16 * MiB)],
    ["zstd", 0x04, () => zstdBomb(64, 16 * MiB)],
    ["lz4", 0x03, () => lz4ZeroBomb(GiB)],
    ["snappy", 0x02, () => snappyDeclaredBomb(GiB)],
  ];
  for (const [codec, attributes, build] of bombs) {
    await t.step(`a 1 GiB ${codec} bomb is refused in under 100 ms without its output`, () => {
      const hostile = batchAround(build(), { baseOffset: 0, records: 64, codec: attributes });
      const rssBefore = Deno.memoryUsage().rss;
      const { result, ms } = timed(() => findRecordTimestamps(hostile, [10, 40]));
      const grownMiB = (Deno.memoryUsage().rss - rssBefore) / MiB;
      assertEquals(result.map((found) => (found as { unreadable?: string })?.unreadable), [
        "too_large",
        "too_large",
      ]);
      assert(ms < 100, `${ms} ms`);
      assert(grownMiB < 128, `RSS grew by ${grownMiB} MiB`);
    });
  }
  await t.step(
    "under the cap, the same bombs date their records (the cap is the only bound)",
    () => {
      const small = batchAround(zstdBomb(4, 1000), { baseOffset: 0, records: 4, codec: 0x04 });
      assertEquals(findRecordTimestamps(small, [2, 3]), [
        { timestampMs: T0, offset: 2, exact: true },
        { timestampMs: T0, offset: 3, exact: true },
      ]);
      const gzipped = batchAround(gzipBomb(4, 1000), { baseOffset: 0, records: 4, codec: 0x01 });
      assertEquals(findRecordTimestamp(gzipped, 3), { timestampMs: T0, offset: 3, exact: true });
      assertEquals(
        (findRecordTimestamp(gzipped, 3, { maxBatchBytes: 3000 }) as { unreadable?: string })
          ?.unreadable,
        "too_large",
      );
    },
  );
  await t.step("several offsets in one compressed batch: one decompression", () => {
    const compressed = batch({
      baseOffset: 50,
      firstTimestamp: T0,
      records: [[0, 0], [1, 17], [2, 19], [3, 350], [4, 400]],
      attributes: 0x01,
      compress: (records) => new Uint8Array(gzipSync(records)),
    });
    assertEquals(findRecordTimestamps(concat(compressed, next), [51, 53, 105]), [
      { timestampMs: T0 + 17, offset: 51, exact: true },
      { timestampMs: T0 + 350, offset: 53, exact: true },
      { timestampMs: T0 + 1_005, offset: 105, exact: true },
    ]);
  });
});
