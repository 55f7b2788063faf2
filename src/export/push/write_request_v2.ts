/**
 * Prometheus remote write 2.0 payload (io.prometheus.write.v2.Request): each label name and value
 * is sent once per request in a symbol table and referenced by index, which at our label-heavy
 * series (cluster, group, topic on every one) makes requests far smaller than 1.0's.
 *
 *   Request    { repeated string symbols = 4; repeated TimeSeries timeseries = 5; }
 *   TimeSeries { repeated uint32 labels_refs = 1 [packed]; repeated Sample samples = 2; }
 *   Sample     { double value = 1; int64 timestamp = 2; }
 * symbols[0] is the empty string; labels_refs are (name, value) pairs sorted by name.
 */
import { compress } from "snappyjs";
import { ProtoBuffer } from "./proto_buffer.ts";
import { sortedLabelNames, STALE_NAN_BITS, type TimeSeries } from "./write_request.ts";

/** Encodes a remote write 2.0 Request. */
export function encodeWriteRequestV2(series: readonly TimeSeries[]): Uint8Array<ArrayBuffer> {
  const symbols = new Map<string, number>([["", 0]]);
  const symbol = (text: string) => {
    let index = symbols.get(text);
    if (index === undefined) symbols.set(text, index = symbols.size);
    return index;
  };
  const refs: Uint32Array[] = [];
  const names: string[] = [];
  for (const one of series) {
    sortedLabelNames(one.labels, names);
    const pairs = new Uint32Array(names.length * 2);
    for (let index = 0; index < names.length; index++) {
      pairs[index * 2] = symbol(names[index]);
      pairs[index * 2 + 1] = symbol(one.labels[names[index]]);
    }
    refs.push(pairs);
  }
  const request = new ProtoBuffer();
  for (const text of symbols.keys()) request.text(4, text);
  for (let index = 0; index < series.length; index++) {
    const timeSeries = request.begin(5);
    const packed = request.begin(1);
    for (const ref of refs[index]) request.varint(ref);
    request.end(packed);
    for (const sample of series[index].samples) {
      const encoded = request.begin(2);
      if (sample.stale) request.fixed64(1, STALE_NAN_BITS);
      else request.double(1, sample.value);
      request.int64(2, Math.trunc(sample.timestampMs));
      request.end(encoded);
    }
    request.end(timeSeries);
  }
  return request.finish();
}

/** The HTTP body of a remote write 2.0 request: the snappy-compressed Request. */
export function encodeRemoteWriteV2Body(series: readonly TimeSeries[]): Uint8Array<ArrayBuffer> {
  return new Uint8Array(compress(encodeWriteRequestV2(series)));
}
