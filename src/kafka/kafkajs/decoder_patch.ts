/**
 * kafkajs' response decoder sizes every array from the count the broker sends
 * (`new Array(count)`) before reading a single element: a count of 16,777,216 in a 200-byte answer
 * allocates 128 MiB at once, a negative one throws "Invalid array length" (found by the decoder
 * fuzz suite, tests/fuzz/). Every element of every Kafka array takes at least one byte, so a
 * count larger than the bytes left is refused before anything is allocated, with the same
 * RangeError a read past the end gives; the arrays are then filled as kafkajs did.
 */
import Decoder from "kafkajs/src/protocol/decoder.js";

interface DecoderInternals {
  buffer: Uint8Array;
  offset: number;
  readInt32(): number;
  readVarInt(): number;
  readUVarInt(): number;
}

type ElementReader = (decoder: DecoderInternals) => unknown;

/** The count, checked against the bytes left (at least one byte per element). */
function boundedCount(decoder: DecoderInternals, count: number): number {
  const left = decoder.buffer.byteLength - decoder.offset;
  if (!Number.isInteger(count) || count < 0 || count > left) {
    throw new RangeError(`array of ${count} elements in ${left} bytes left of the answer`);
  }
  return count;
}

function fill(
  decoder: DecoderInternals,
  { count, reader }: { count: number; reader: ElementReader },
): unknown[] {
  const array: unknown[] = [];
  for (let index = 0; index < count; index++) array.push(reader(decoder));
  return array;
}

let installed = false;

/** Installs the bounded array readers into kafkajs' Decoder (once per process). */
export function installBoundedArrayDecoding(): void {
  if (installed) return;
  installed = true;
  const prototype = (Decoder as unknown as { prototype: Record<string, unknown> }).prototype;
  prototype.readArray = function (this: DecoderInternals, reader: ElementReader) {
    const count = this.readInt32();
    return count === -1 ? [] : fill(this, { count: boundedCount(this, count), reader });
  };
  prototype.readArrayAsync = async function (this: DecoderInternals, reader: ElementReader) {
    const count = this.readInt32();
    if (count === -1) return [];
    const array: unknown[] = [];
    for (let index = boundedCount(this, count); index > 0; index--) {
      array.push(await reader(this));
    }
    return array;
  };
  prototype.readVarIntArray = function (this: DecoderInternals, reader: ElementReader) {
    const count = this.readVarInt();
    return count === -1 ? [] : fill(this, { count: boundedCount(this, count), reader });
  };
  prototype.readUVarIntArray = function (this: DecoderInternals, reader: ElementReader) {
    const countPlusOne = this.readUVarInt();
    return countPlusOne === 0
      ? null
      : fill(this, { count: boundedCount(this, countPlusOne - 1), reader });
  };
}
