/**
 * Record batches for the tests: a byte writer with Kafka's varints, magic-2 batches from a list of
 * records, and decompression bombs: the records section of a record batch holding `count` records
 * whose values are `valueBytes` zero bytes each, compressed by every codec into a few bytes per
 * MiB without ever building the uncompressed section (gzip as concatenated members, zstd as one
 * frame of raw and RLE blocks, LZ4 as long matches, snappy as a block declaring its size).
 */
import { gzipSync } from "node:zlib";
import { concatBytes } from "../../src/util/concat_bytes.ts";

/** Big-endian byte writer with Kafka's zigzag varints, to build batches for the tests. */
export class Writer {
  bytes: number[] = [];
  int8(value: number) {
    this.bytes.push(value & 0xff);
    return this;
  }
  int16(value: number) {
    return this.int8(value >> 8).int8(value);
  }
  int32(value: number) {
    return this.int16(value >> 16).int16(value & 0xffff);
  }
  int64(value: number) {
    const big = BigInt.asUintN(64, BigInt(value));
    for (let shift = 56n; shift >= 0n; shift -= 8n) this.int8(Number((big >> shift) & 0xffn));
    return this;
  }
  varint(value: number) {
    return this.raw(zigzagVarint(value));
  }
  raw(bytes: ArrayLike<number>) {
    for (let index = 0; index < bytes.length; index++) this.bytes.push(bytes[index]);
    return this;
  }
  string(text: string) {
    const encoded = new TextEncoder().encode(text);
    return this.int16(encoded.length).raw(encoded);
  }
  done() {
    return new Uint8Array(this.bytes);
  }
}

export interface BatchSpec {
  baseOffset: number;
  firstTimestamp: number;
  /** [offsetDelta, timestampDelta] per record. */
  records: Array<[number, number]>;
  attributes?: number;
  /** For compressed batches: the (opaque) payload instead of encoded records. */
  compressedPayload?: number[];
  /** Compresses the encoded records (set the codec in `attributes` too). */
  compress?: (records: Uint8Array) => Uint8Array;
}

export function batch(spec: BatchSpec): Uint8Array {
  const body = new Writer();
  if (spec.compressedPayload) body.raw(spec.compressedPayload);
  else {
    for (const [offsetDelta, timestampDelta] of spec.records) {
      const record = new Writer().int8(0).varint(timestampDelta).varint(offsetDelta)
        .varint(3).raw([107, 101, 121]) // key "key"
        .varint(5).raw([118, 97, 108, 117, 101]) // value "value"
        .varint(0) // no headers
        .done();
      body.varint(record.length).raw(record);
    }
  }
  const payload = spec.compress ? spec.compress(body.done()) : body.done();
  const lastOffsetDelta = Math.max(...spec.records.map(([offsetDelta]) => offsetDelta));
  const maxTimestamp = spec.firstTimestamp + Math.max(...spec.records.map(([, delta]) => delta));
  const afterLength = new Writer()
    .int32(0) // partitionLeaderEpoch
    .int8(2) // magic
    .int32(0) // crc (not checked)
    .int16(spec.attributes ?? 0)
    .int32(lastOffsetDelta)
    .int64(spec.firstTimestamp)
    .int64(maxTimestamp)
    .int64(-1)
    .int16(-1)
    .int32(-1)
    .int32(spec.records.length)
    .raw(payload)
    .done();
  return new Writer().int64(spec.baseOffset).int32(afterLength.length).raw(afterLength).done();
}

/** CreateTime of the first record of the fixture batches. */
export const T0 = 1_700_000_000_000;
/** Offsets 100…103, 0/10/25/40 ms after T0. */
export const PLAIN_BATCH = batch({
  baseOffset: 100,
  firstTimestamp: T0,
  records: [[0, 0], [1, 10], [2, 25], [3, 40]],
});
/** Offsets 104…105, 1 s after T0: the batch after PLAIN_BATCH. */
export const NEXT_BATCH = batch({
  baseOffset: 104,
  firstTimestamp: T0 + 1_000,
  records: [[0, 0], [1, 5]],
});

/** Zigzag varint, as record fields are written. */
export function zigzagVarint(value: number): number[] {
  let rest = BigInt.asUintN(64, (BigInt(value) << 1n) ^ (BigInt(value) >> 63n));
  const bytes: number[] = [];
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0n);
  return bytes;
}

/** One record as [bytes before its value, zero bytes of value, bytes after]. */
interface RecordParts {
  before: Uint8Array;
  zeros: number;
  after: Uint8Array;
}

/** The records of a zero-valued batch, offset deltas 0…count−1, timestamp deltas 0. */
export function zeroValueRecords(count: number, valueBytes: number): RecordParts[] {
  return Array.from({ length: count }, (_, index) => {
    const fields = [
      0, // attributes
      ...zigzagVarint(0), // timestampDelta
      ...zigzagVarint(index), // offsetDelta
      ...zigzagVarint(-1), // no key
      ...zigzagVarint(valueBytes),
    ];
    const after = [0]; // no headers
    const length = fields.length + valueBytes + after.length;
    return {
      before: new Uint8Array([...zigzagVarint(length), ...fields]),
      zeros: valueBytes,
      after: new Uint8Array(after),
    };
  });
}

/** gzip: a member per record's fields, the same member of zeros reused for every value. */
export function gzipBomb(count: number, valueBytes: number): Uint8Array {
  const zerosMember = gzipSync(new Uint8Array(valueBytes), { level: 9 });
  const members: Uint8Array[] = [];
  for (const record of zeroValueRecords(count, valueBytes)) {
    members.push(gzipSync(record.before), zerosMember, gzipSync(record.after));
  }
  return concatBytes(members);
}

const ZSTD_MAX_BLOCK = 128 * 1024;

/** zstd: one frame (128 KiB window), fields in raw blocks, values in RLE blocks of zeros. */
export function zstdBomb(count: number, valueBytes: number): Uint8Array {
  const out: number[] = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x38];
  const blockHeader = (type: number, size: number) => {
    const word = (size << 3) | (type << 1);
    out.push(word & 0xff, (word >> 8) & 0xff, (word >> 16) & 0xff);
  };
  const raw = (bytes: Uint8Array) => {
    blockHeader(0, bytes.byteLength);
    out.push(...bytes);
  };
  for (const record of zeroValueRecords(count, valueBytes)) {
    raw(record.before);
    for (let left = record.zeros; left > 0; left -= ZSTD_MAX_BLOCK) {
      blockHeader(1, Math.min(left, ZSTD_MAX_BLOCK));
      out.push(0);
    }
    raw(record.after);
  }
  // An empty raw block marked last ends the frame.
  out.push(0x01, 0x00, 0x00);
  return new Uint8Array(out);
}

/** LZ4 frame of zeros only (`totalBytes` of them): for the decoder's cap, not for a broker. */
export function lz4ZeroBomb(totalBytes: number): Uint8Array {
  const perBlock = 4 * 1024 * 1024;
  const out: number[] = [0x04, 0x22, 0x4d, 0x18, 0x60, 0x70, 0x73];
  for (let left = totalBytes; left > 0; left -= perBlock) {
    // One literal zero, then a match of the rest at distance 1: 4 + 15 + 255·n + last.
    const matchLength = Math.min(left, perBlock) - 1;
    let extra = matchLength - 4 - 15;
    const block = [0x1f, 0x00, 0x01, 0x00];
    while (extra >= 255) {
      block.push(255);
      extra -= 255;
    }
    block.push(extra);
    out.push(block.length & 0xff, (block.length >> 8) & 0xff, (block.length >> 16) & 0xff, 0);
    out.push(...block);
  }
  out.push(0, 0, 0, 0);
  return new Uint8Array(out);
}

/** A raw snappy block that declares `totalBytes` of output (its content is never reached). */
export function snappyDeclaredBomb(totalBytes: number): Uint8Array {
  const length: number[] = [];
  let rest = totalBytes;
  while (rest >= 0x80) {
    length.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 128);
  }
  length.push(rest);
  return new Uint8Array([...length, 0x00, 0x00]);
}
