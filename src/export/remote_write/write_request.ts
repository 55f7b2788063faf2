/**
 * Prometheus remote write 1.0 payload: a protobuf WriteRequest (encoded here; the message is
 * four fields deep and needs no generated code) compressed with snappy's block format.
 *
 *   WriteRequest { repeated TimeSeries timeseries = 1; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }
 */
import { compress } from "snappyjs";

/** One series with its samples; labels include `__name__`. */
export interface TimeSeries {
  labels: Record<string, string>;
  samples: Sample[];
}

/** A value at a time, or the staleness marker (the series disappeared at that time). */
export type Sample = { value: number; timestampMs: number; stale?: false } | {
  stale: true;
  timestampMs: number;
};

/**
 * Prometheus' staleness marker: a NaN with this exact bit pattern marks a series as gone. It is
 * written as raw bits, because a NaN's payload does not reliably survive as a JS number.
 */
export const STALE_NAN_BITS = 0x7ff0000000000002n;

const utf8 = new TextEncoder();

/** Bytes of a string in UTF-8, counted without encoding it (lone surrogates become U+FFFD). */
export function utf8Length(text: string): number {
  let length = text.length;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) continue;
    if (code < 0x800) length += 1;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(index + 1))) {
      length += 2; // two units, four bytes
      index++;
    } else length += 2;
  }
  return length;
}

const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    length++;
  }
  return length;
}

/** Bytes of a length-delimited field holding `length` bytes: tag, length, content. */
const delimitedLength = (length: number) => 1 + varintLength(length) + length;

/**
 * One growing buffer for a whole request. Nested messages are written in place: their sizes are
 * computed first (protobuf puts a message's length before it), so nothing is encoded twice and no
 * buffer is made per label or sample, which at hundreds of thousands of series per push mattered.
 */
class ProtoBuffer {
  #bytes = new Uint8Array(64 * 1024);
  #view = new DataView(this.#bytes.buffer);
  #length = 0;

  #ensure(extra: number) {
    if (this.#length + extra <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.#length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = next;
    this.#view = new DataView(next.buffer);
  }

  /** A non-negative integer below 2^53. */
  varint(value: number) {
    this.#ensure(10);
    while (value >= 0x80) {
      this.#bytes[this.#length++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.#bytes[this.#length++] = value;
  }

  /** A negative int64: ten bytes of two's complement. */
  negativeVarint(value: number) {
    let remaining = BigInt.asUintN(64, BigInt(value));
    this.#ensure(10);
    while (remaining >= 0x80n) {
      this.#bytes[this.#length++] = Number(remaining & 0x7fn) | 0x80;
      remaining >>= 7n;
    }
    this.#bytes[this.#length++] = Number(remaining);
  }

  /** Tag and length of a length-delimited field whose content follows. */
  delimited(field: number, length: number) {
    this.varint((field << 3) | 2);
    this.varint(length);
  }

  // arity-ok: called for every label of every sample; no options object per call
  string(field: number, text: string, byteLength: number) {
    this.delimited(field, byteLength);
    this.#ensure(byteLength);
    utf8.encodeInto(text, this.#bytes.subarray(this.#length, this.#length + byteLength));
    this.#length += byteLength;
  }

  double(field: number, value: number) {
    this.varint((field << 3) | 1);
    this.#ensure(8);
    this.#view.setFloat64(this.#length, value, true);
    this.#length += 8;
  }

  fixed64(field: number, bits: bigint) {
    this.varint((field << 3) | 1);
    this.#ensure(8);
    this.#view.setBigUint64(this.#length, bits, true);
    this.#length += 8;
  }

  int64(field: number, value: number) {
    this.varint(field << 3);
    if (value < 0) this.negativeVarint(value);
    else this.varint(value);
  }

  finish(): Uint8Array<ArrayBuffer> {
    return this.#bytes.subarray(0, this.#length);
  }
}

/** Size of an encoded Sample message. */
function sampleLength(sample: Sample): number {
  const timestamp = Math.trunc(sample.timestampMs);
  return 9 + 1 + (timestamp < 0 ? 10 : varintLength(timestamp));
}

/** Encodes a WriteRequest; labels are sorted by name, as remote write requires. */
export function encodeWriteRequest(series: readonly TimeSeries[]): Uint8Array<ArrayBuffer> {
  const request = new ProtoBuffer();
  const names: string[] = [];
  const nameBytes: number[] = [];
  const valueBytes: number[] = [];
  for (const one of series) {
    names.length = 0;
    for (const name in one.labels) names.push(name);
    names.sort();
    let seriesLength = 0;
    for (let index = 0; index < names.length; index++) {
      nameBytes[index] = utf8Length(names[index]);
      valueBytes[index] = utf8Length(one.labels[names[index]]);
      seriesLength += delimitedLength(
        delimitedLength(nameBytes[index]) + delimitedLength(valueBytes[index]),
      );
    }
    for (const sample of one.samples) seriesLength += delimitedLength(sampleLength(sample));

    request.delimited(1, seriesLength);
    for (let index = 0; index < names.length; index++) {
      request.delimited(1, delimitedLength(nameBytes[index]) + delimitedLength(valueBytes[index]));
      request.string(1, names[index], nameBytes[index]);
      request.string(2, one.labels[names[index]], valueBytes[index]);
    }
    for (const sample of one.samples) {
      request.delimited(2, sampleLength(sample));
      if (sample.stale) request.fixed64(1, STALE_NAN_BITS);
      else request.double(1, sample.value);
      request.int64(2, Math.trunc(sample.timestampMs));
    }
  }
  return request.finish();
}

/** The HTTP body of a remote write request: the snappy-compressed WriteRequest. */
export function encodeRemoteWriteBody(series: readonly TimeSeries[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array(compress(encodeWriteRequest(series)));
}
