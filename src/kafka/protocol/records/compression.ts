/**
 * Decompression of the record part of a Kafka record batch, for reading one record's timestamp
 * inside a compressed batch. Producers batch thousands of records together (linger.ms,
 * batch.size), so without this a committed record in the middle of a batch could only be placed
 * on the batch's time line. gzip and zstd come from node:zlib (native, no permission needed);
 * snappy from snappyjs; LZ4 frames are decoded here (the format is small and no maintained
 * dependency-free decoder exists on npm for Deno).
 */
import { gunzipSync, zstdDecompressSync } from "node:zlib";
import { uncompress as uncompressSnappyBlock } from "snappyjs";
import { concatBytes } from "../../../util/concat_bytes.ts";

/** Kafka's codec ids (the low three bits of a batch's attributes). */
export const Codec = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

/**
 * Default cap on a batch's decompressed size. The exporter asks for a few KiB per partition, but
 * Kafka returns whole batches (up to the topic's max.message.bytes, 1 MiB by default): 16 MiB
 * leaves room for a 1 MiB batch of text compressed 16:1, and stops a 32 KB zstd batch of zeros
 * from becoming 1 GiB in memory.
 */
export const DEFAULT_MAX_BATCH_BYTES = 16 * 1024 * 1024;

/** A batch whose records would decompress to more than the cap: refused, never allocated. */
export class BatchTooLargeError extends RangeError {
  constructor(maxBytes: number) {
    super(`the batch decompresses to more than ${maxBytes} bytes`);
    this.name = "BatchTooLargeError";
  }
}

/**
 * The decompressed bytes of a batch's records section, at most `maxBytes` of them: throws
 * BatchTooLargeError beyond (having allocated no more than about the cap), or another error on
 * corrupt or unknown input.
 */
export function decompressRecords(
  codec: number,
  compressed: Uint8Array,
  maxBytes = DEFAULT_MAX_BATCH_BYTES,
): Uint8Array {
  switch (codec) {
    case Codec.none:
      return compressed;
    case Codec.gzip:
      return withZlibCap(maxBytes, () => gunzipSync(compressed, { maxOutputLength: maxBytes }));
    case Codec.snappy:
      return decompressSnappy(compressed, maxBytes);
    case Codec.lz4:
      return decompressLz4Frames(compressed, maxBytes);
    case Codec.zstd:
      return withZlibCap(
        maxBytes,
        () => zstdDecompressSync(compressed, { maxOutputLength: maxBytes }),
      );
    default:
      throw new Error(`unknown compression codec ${codec}`);
  }
}

/** node:zlib stops at `maxOutputLength` with ERR_BUFFER_TOO_LARGE: that is our TooLarge. */
function withZlibCap(maxBytes: number, decompress: () => Uint8Array): Uint8Array {
  try {
    return decompress();
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new BatchTooLargeError(maxBytes);
    }
    throw error;
  }
}

const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
const XERIAL_HEADER_BYTES = 16; // magic, version, compatible version

/**
 * Kafka's Java client (and most others) write snappy in xerial's framing: a 16-byte header, then
 * chunks of [int32 length][raw snappy block]. Some clients write one raw block instead.
 */
function decompressSnappy(compressed: Uint8Array, maxBytes: number): Uint8Array {
  const framed = compressed.byteLength >= XERIAL_HEADER_BYTES &&
    XERIAL_MAGIC.every((byte, index) => compressed[index] === byte);
  if (!framed) return uncompressSnappyCapped(compressed, maxBytes);
  const view = new DataView(compressed.buffer, compressed.byteOffset, compressed.byteLength);
  const chunks: Uint8Array[] = [];
  let position = XERIAL_HEADER_BYTES;
  let budget = maxBytes;
  while (position + 4 <= compressed.byteLength) {
    const length = view.getInt32(position);
    position += 4;
    if (length < 0 || position + length > compressed.byteLength) {
      throw new RangeError("truncated snappy chunk");
    }
    const chunk = uncompressSnappyCapped(compressed.subarray(position, position + length), budget);
    budget -= chunk.byteLength;
    chunks.push(chunk);
    position += length;
  }
  return concatBytes(chunks);
}

/**
 * One raw snappy block, refused before anything is allocated when the length it declares up
 * front (an unsigned varint) is over `maxBytes`.
 */
function uncompressSnappyCapped(block: Uint8Array, maxBytes: number): Uint8Array {
  let declared = 0;
  for (let index = 0, shift = 1; index < Math.min(block.byteLength, 5); index++, shift *= 128) {
    declared += (block[index] & 0x7f) * shift;
    if ((block[index] & 0x80) === 0) break;
  }
  if (declared > maxBytes) throw new BatchTooLargeError(maxBytes);
  return uncompressSnappyBlock(block, maxBytes);
}

const LZ4_FRAME_MAGIC = 0x184d2204;
const LZ4_SKIPPABLE_MASK = 0xfffffff0;
const LZ4_SKIPPABLE_MAGIC = 0x184d2a50;

/** Decodes LZ4 frames (the format Kafka uses for lz4 since magic 1, KIP-57), up to `maxBytes`. */
export function decompressLz4Frames(
  compressed: Uint8Array,
  maxBytes = DEFAULT_MAX_BATCH_BYTES,
): Uint8Array {
  const view = new DataView(compressed.buffer, compressed.byteOffset, compressed.byteLength);
  const output = new GrowableBytes({ initialCapacity: compressed.byteLength * 4, maxBytes });
  let position = 0;
  while (position + 4 <= compressed.byteLength) {
    const magic = view.getUint32(position, true);
    position += 4;
    if ((magic & LZ4_SKIPPABLE_MASK) === LZ4_SKIPPABLE_MAGIC) {
      position += 4 + view.getUint32(position, true);
      continue;
    }
    if (magic !== LZ4_FRAME_MAGIC) throw new Error("not an LZ4 frame");
    const flags = compressed[position];
    const blockChecksums = (flags & 0x10) !== 0;
    const contentSize = (flags & 0x08) !== 0;
    const contentChecksum = (flags & 0x04) !== 0;
    const dictionary = (flags & 0x01) !== 0;
    // FLG, BD, optional content size and dictionary id, header checksum
    position += 2 + (contentSize ? 8 : 0) + (dictionary ? 4 : 0) + 1;
    for (;;) {
      if (position + 4 > compressed.byteLength) throw new RangeError("truncated LZ4 frame");
      const word = view.getUint32(position, true);
      position += 4;
      if (word === 0) break; // end mark
      const size = word & 0x7fffffff;
      if (position + size > compressed.byteLength) throw new RangeError("truncated LZ4 block");
      const block = compressed.subarray(position, position + size);
      if (word & 0x80000000) output.append(block);
      else decodeLz4Block(block, output);
      position += size + (blockChecksums ? 4 : 0);
    }
    if (contentChecksum) position += 4;
  }
  return output.bytes();
}

/**
 * One LZ4 block: sequences of literals and back-references. References may reach into earlier
 * blocks of the frame (linked blocks), so the whole output is one buffer.
 */
function decodeLz4Block(block: Uint8Array, output: GrowableBytes): void {
  let position = 0;
  // A 4-bit length of 15 continues in the next bytes, each added, until one is below 255.
  const length = (nibble: number) => {
    let total = nibble;
    if (nibble === 15) {
      let extra: number;
      do {
        extra = block[position++];
        total += extra;
      } while (extra === 255);
    }
    return total;
  };
  while (position < block.byteLength) {
    const token = block[position++];
    const literals = length(token >>> 4);
    if (position + literals > block.byteLength) throw new RangeError("corrupt LZ4 block");
    output.append(block.subarray(position, position + literals));
    position += literals;
    if (position >= block.byteLength) break; // the last sequence has literals only
    const distance = block[position] | (block[position + 1] << 8);
    position += 2;
    output.copyWithin(distance, length(token & 0x0f) + 4);
  }
}

/** An output buffer that doubles when full, up to a cap (BatchTooLargeError beyond). */
class GrowableBytes {
  #buffer: Uint8Array;
  #length = 0;
  readonly #maxBytes: number;

  constructor({ initialCapacity, maxBytes }: { initialCapacity: number; maxBytes: number }) {
    this.#maxBytes = maxBytes;
    this.#buffer = new Uint8Array(Math.min(maxBytes, Math.max(1024, initialCapacity)));
  }

  append(bytes: Uint8Array): void {
    this.#reserve(bytes.byteLength);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.byteLength;
  }

  /** Appends `length` bytes copied from `distance` bytes back (they may overlap the new ones). */
  copyWithin(distance: number, length: number): void {
    if (distance === 0 || distance > this.#length) throw new RangeError("corrupt LZ4 offset");
    this.#reserve(length);
    const buffer = this.#buffer;
    const from = this.#length - distance;
    // An overlapping copy repeats the last `distance` bytes. Copied in chunks that never overlap
    // their source, each twice the last (the bytes from `from` repeat with period `distance`):
    // a long run costs a few copies, not one step per byte.
    let written = this.#length;
    let remaining = length;
    while (remaining > 0) {
      const chunk = Math.min(written - from, remaining);
      buffer.copyWithin(written, from, from + chunk);
      written += chunk;
      remaining -= chunk;
    }
    this.#length += length;
  }

  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#buffer.byteLength) return;
    if (this.#length + extra > this.#maxBytes) throw new BatchTooLargeError(this.#maxBytes);
    let capacity = Math.max(1, this.#buffer.byteLength * 2);
    while (capacity < this.#length + extra) capacity *= 2;
    capacity = Math.min(capacity, this.#maxBytes);
    const grown = new Uint8Array(capacity);
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }
}
