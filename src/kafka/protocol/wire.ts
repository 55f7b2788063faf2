/**
 * Kafka's primitive wire types, for the generic codec (codec.ts) and the record batches: fixed
 * width integers, varints, classic strings and bytes; on the writing side also the compact forms
 * of flexible versions.
 */

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** Strings at most this long and all ASCII are built in JavaScript: no call into the runtime. */
const SHORT_TEXT = 64;

/**
 * Arrays of each short length, refilled with a name's bytes for String.fromCharCode: a plain array
 * of small integers is spread into the call as it is, where a typed array (a view of the name) had
 * to be made and then copied into a list, for every name of every answer.
 */
const CHAR_CODES: number[][] = Array.from(
  { length: SHORT_TEXT + 1 },
  (_, length) => Array.from({ length }, () => 0),
);

/**
 * The `length` UTF-8 bytes of `source` from `start` as text. Names on the wire are short and
 * almost always ASCII, and a TextDecoder call per name was a tenth of decoding an OffsetFetch
 * answer.
 */
// arity-ok: called once per string of an answer; a bag would allocate each time
export function decodeTextAt(source: Uint8Array, start: number, length: number): string {
  if (length > SHORT_TEXT) return textDecoder.decode(source.subarray(start, start + length));
  const codes = CHAR_CODES[length];
  for (let index = 0; index < length; index++) {
    const byte = source[start + index];
    if (byte >= 0x80) return textDecoder.decode(source.subarray(start, start + length));
    codes[index] = byte;
  }
  // One flat string, where appending a character at a time made one string per character.
  return String.fromCharCode.apply(null, codes);
}

/** Reads Kafka primitives from a response body; throws RangeError past the end. */
export class WireReader {
  readonly #view: DataView;
  position = 0;

  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  remaining(): number {
    return this.bytes.byteLength - this.position;
  }

  int8(): number {
    return this.#view.getInt8(this.#advance(1));
  }

  int16(): number {
    return this.#view.getInt16(this.#advance(2));
  }

  int32(): number {
    return this.#view.getInt32(this.#advance(4));
  }

  uint16(): number {
    return this.#view.getUint16(this.#advance(2));
  }

  uint32(): number {
    return this.#view.getUint32(this.#advance(4));
  }

  float64(): number {
    return this.#view.getFloat64(this.#advance(8));
  }

  /** A UUID as 32 lowercase hex digits. */
  uuid(): string {
    let hex = "";
    for (const byte of this.slice(16)) hex += byte.toString(16).padStart(2, "0");
    return hex;
  }

  int64(): number {
    // Two 32-bit halves instead of a BigInt: one rounding, so the same number Number(bigint)
    // gives for every value, without allocating (an OffsetFetch answer holds one per partition).
    const at = this.#advance(8);
    return this.#view.getInt32(at) * 4_294_967_296 + this.#view.getUint32(at + 4);
  }

  /** A classic STRING (int16 length; null read as ""). */
  string(): string {
    const length = this.int16();
    return length < 0 ? "" : textDecoder.decode(this.slice(length));
  }

  slice(length: number): Uint8Array {
    const start = this.#advance(length);
    return this.bytes.subarray(start, start + length);
  }

  /** Moves past `length` bytes and says where they start (read in place, no view made). */
  skip(length: number): number {
    return this.#advance(length);
  }

  /** Zigzag varint (int32 or int64 range, as a JS number), as record batches use. */
  varint(): number {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.bytes[this.#advance(1)];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new RangeError("varint too long");
    }
    return Number((result >> 1n) ^ -(result & 1n));
  }

  /** Unsigned varint (int32 range), as compact lengths and tagged fields use. */
  unsignedVarint(): number {
    let result = 0;
    for (let shift = 0; shift <= 28; shift += 7) {
      const byte = this.bytes[this.#advance(1)];
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
    }
    throw new RangeError("unsigned varint too long");
  }

  /** A classic NULLABLE_STRING (null read as undefined). */
  nullableString(): string | undefined {
    const length = this.int16();
    return length < 0 ? undefined : textDecoder.decode(this.slice(length));
  }

  /** Classic BYTES / NULLABLE_BYTES (int32 length; null read as empty). */
  nullableBytes(): Uint8Array {
    const length = this.int32();
    return length < 0 ? new Uint8Array(0) : this.slice(length);
  }

  #advance(length: number): number {
    if (length < 0 || this.position + length > this.bytes.byteLength) {
      throw new RangeError("read past the end of the buffer");
    }
    const start = this.position;
    this.position += length;
    return start;
  }
}

/** Writes Kafka primitives into a growing buffer. */
export class WireWriter {
  #bytes = new Uint8Array(256);
  #view = new DataView(this.#bytes.buffer);
  #length = 0;

  int8(value: number): this {
    const start = this.#reserve(1);
    this.#view.setInt8(start, value);
    return this;
  }

  int16(value: number): this {
    const start = this.#reserve(2);
    this.#view.setInt16(start, value);
    return this;
  }

  int32(value: number): this {
    const start = this.#reserve(4);
    this.#view.setInt32(start, value);
    return this;
  }

  int64(value: number): this {
    const start = this.#reserve(8);
    this.#view.setBigInt64(start, BigInt(value));
    return this;
  }

  uint16(value: number): this {
    const start = this.#reserve(2);
    this.#view.setUint16(start, value);
    return this;
  }

  uint32(value: number): this {
    const start = this.#reserve(4);
    this.#view.setUint32(start, value);
    return this;
  }

  float64(value: number): this {
    const start = this.#reserve(8);
    this.#view.setFloat64(start, value);
    return this;
  }

  /** A UUID given as 32 hex digits (dashes ignored); anything else writes the zero UUID. */
  uuid(value: string): this {
    const hex = value.replaceAll("-", "");
    const start = this.#reserve(16);
    for (let index = 0; index < 16; index++) {
      const byte = Number.parseInt(hex.slice(index * 2, index * 2 + 2), 16);
      this.#bytes[start + index] = hex.length === 32 && Number.isFinite(byte) ? byte : 0;
    }
    return this;
  }

  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }

  unsignedVarint(value: number): this {
    let rest = value;
    while (rest >= 0x80) {
      const start = this.#reserve(1);
      this.#bytes[start] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 128);
    }
    const start = this.#reserve(1);
    this.#bytes[start] = rest;
    return this;
  }

  /** A classic STRING (int16 length). */
  string(value: string): this {
    const encoded = textEncoder.encode(value);
    this.int16(encoded.byteLength);
    const start = this.#reserve(encoded.byteLength);
    this.#bytes.set(encoded, start);
    return this;
  }

  /** A classic NULLABLE_STRING; `null` writes length -1. */
  nullableString(value: string | null): this {
    return value === null ? this.int16(-1) : this.string(value);
  }

  /** Classic BYTES (int32 length). */
  bytes(value: Uint8Array): this {
    this.int32(value.byteLength);
    return this.raw(value);
  }

  /** COMPACT_BYTES. */
  compactBytes(value: Uint8Array): this {
    this.unsignedVarint(value.byteLength + 1);
    return this.raw(value);
  }

  /** COMPACT_NULLABLE_STRING; `null` writes length 0. */
  compactNullableString(value: string | null): this {
    return value === null ? this.unsignedVarint(0) : this.compactString(value);
  }

  /** Bytes as they are, without a length. */
  raw(value: Uint8Array): this {
    const start = this.#reserve(value.byteLength);
    this.#bytes.set(value, start);
    return this;
  }

  /** COMPACT_STRING. */
  compactString(value: string): this {
    const encoded = textEncoder.encode(value);
    this.unsignedVarint(encoded.byteLength + 1);
    const start = this.#reserve(encoded.byteLength);
    this.#bytes.set(encoded, start);
    return this;
  }

  /** COMPACT_ARRAY length prefix; `null` writes a null array. */
  compactArrayLength(count: number | null): this {
    return this.unsignedVarint(count === null ? 0 : count + 1);
  }

  /** An empty TAGGED_FIELDS section. */
  noTaggedFields(): this {
    return this.unsignedVarint(0);
  }

  /** The bytes written so far. */
  toBytes(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }

  /** Room for `length` bytes; callers take the offset first, as growing replaces the buffer. */
  #reserve(length: number): number {
    if (this.#length + length > this.#bytes.byteLength) {
      const grown = new Uint8Array(Math.max(this.#bytes.byteLength * 2, this.#length + length));
      grown.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = grown;
      this.#view = new DataView(grown.buffer);
    }
    const start = this.#length;
    this.#length += length;
    return start;
  }
}
