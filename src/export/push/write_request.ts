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
import { ProtoBuffer, utf8Length, varintLength } from "./proto_buffer.ts";

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

/** Bytes of a length-delimited field holding `length` bytes: tag, length, content. */
const delimitedLength = (length: number) => 1 + varintLength(length) + length;

/** Size of an encoded Sample message. */
function sampleLength(sample: Sample): number {
  const timestamp = Math.trunc(sample.timestampMs);
  return 9 + 1 + (timestamp < 0 ? 10 : varintLength(timestamp));
}

/** Fills `names` with the label names sorted, as remote write wants them (reused per series). */
export function sortedLabelNames(labels: Record<string, string>, names: string[]): void {
  names.length = 0;
  for (const name in labels) names.push(name);
  names.sort();
}

/** Encodes a WriteRequest; labels are sorted by name, as remote write requires. */
export function encodeWriteRequest(series: readonly TimeSeries[]): Uint8Array<ArrayBuffer> {
  const request = new ProtoBuffer();
  const names: string[] = [];
  const nameBytes: number[] = [];
  const valueBytes: number[] = [];
  for (const one of series) {
    sortedLabelNames(one.labels, names);
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
