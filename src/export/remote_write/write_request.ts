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

class ProtoWriter {
  #buffer = new Uint8Array(1024);
  #length = 0;

  #ensure(extra: number) {
    if (this.#length + extra <= this.#buffer.length) return;
    let size = this.#buffer.length * 2;
    while (size < this.#length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = next;
  }

  varint(value: number | bigint) {
    let remaining = BigInt.asUintN(64, BigInt(value));
    this.#ensure(10);
    while (remaining >= 0x80n) {
      this.#buffer[this.#length++] = Number(remaining & 0x7fn) | 0x80;
      remaining >>= 7n;
    }
    this.#buffer[this.#length++] = Number(remaining);
  }

  tag(field: number, wireType: number) {
    this.varint((field << 3) | wireType);
  }

  bytes(field: number, bytes: Uint8Array) {
    this.tag(field, 2);
    this.varint(bytes.length);
    this.#ensure(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  double(field: number, value: number) {
    this.tag(field, 1);
    this.#ensure(8);
    new DataView(this.#buffer.buffer, this.#buffer.byteOffset + this.#length, 8).setFloat64(
      0,
      value,
      true,
    );
    this.#length += 8;
  }

  fixed64(field: number, bits: bigint) {
    this.tag(field, 1);
    this.#ensure(8);
    new DataView(this.#buffer.buffer, this.#buffer.byteOffset + this.#length, 8).setBigUint64(
      0,
      bits,
      true,
    );
    this.#length += 8;
  }

  int64(field: number, value: number) {
    this.tag(field, 0);
    this.varint(BigInt(Math.trunc(value)));
  }

  finish(): Uint8Array<ArrayBuffer> {
    return this.#buffer.slice(0, this.#length);
  }
}

const encoder = new TextEncoder();

/** Encodes a WriteRequest; labels are sorted by name, as remote write requires. */
export function encodeWriteRequest(series: readonly TimeSeries[]): Uint8Array<ArrayBuffer> {
  const request = new ProtoWriter();
  for (const one of series) {
    const message = new ProtoWriter();
    for (const name of Object.keys(one.labels).sort()) {
      const label = new ProtoWriter();
      label.bytes(1, encoder.encode(name));
      label.bytes(2, encoder.encode(one.labels[name]));
      message.bytes(1, label.finish());
    }
    for (const sample of one.samples) {
      const encoded = new ProtoWriter();
      if (sample.stale) encoded.fixed64(1, STALE_NAN_BITS);
      else encoded.double(1, sample.value);
      encoded.int64(2, sample.timestampMs);
      message.bytes(2, encoded.finish());
    }
    request.bytes(1, message.finish());
  }
  return request.finish();
}

/** The HTTP body of a remote write request: the snappy-compressed WriteRequest. */
export function encodeRemoteWriteBody(series: readonly TimeSeries[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array(compress(encodeWriteRequest(series)));
}
