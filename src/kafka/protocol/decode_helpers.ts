/**
 * What the decoders compile_decoder.ts writes call for reads that take more than one primitive:
 * counts checked against the bytes left, strings (interned or not), bytes, skipped values.
 */
import type { StringInterner, WireReader } from "./wire.ts";

/** Where a decoder finds the interner of the answer being read. */
export interface DecodeState {
  interner: StringInterner | undefined;
  /** Whether the answer being read set a sparse field anywhere (DecodeOptions.reshape). */
  sparseSet: boolean;
}

/** What the compiled functions call for reads that need more than one primitive. */
export function helpers(state: DecodeState) {
  return {
    // arity-ok: called from the compiled code once per value, with constants: no bag per call
    count(reader: WireReader, flexible: boolean, path: string): number {
      const count = flexible ? reader.unsignedVarint() - 1 : reader.int32();
      // Every element takes at least one byte: a count beyond the bytes left is a lie, refused
      // before an array of that size is allocated.
      if (count > reader.remaining()) {
        throw new RangeError(`${path}: ${count} elements in ${reader.remaining()} bytes`);
      }
      return count;
    },
    // arity-ok: called from the compiled code once per value, with constants: no bag per call
    string(
      reader: WireReader,
      flexible: boolean,
      nullable: boolean,
      interned: boolean,
      path: string,
    ): string | null {
      const length = flexible ? reader.unsignedVarint() - 1 : reader.int16();
      if (length < 0) {
        if (nullable) return null;
        throw new RangeError(`${path}: null where a string is required`);
      }
      if (interned && state.interner) {
        return state.interner.textAt(reader.bytes, reader.skip(length), length);
      }
      return reader.text(reader.slice(length));
    },
    // arity-ok: called from the compiled code once per value, with constants: no bag per call
    bytes(reader: WireReader, flexible: boolean, nullable: boolean, path: string) {
      const length = flexible ? reader.unsignedVarint() - 1 : reader.int32();
      if (length < 0) {
        if (nullable) return null;
        throw new RangeError(`${path}: null where bytes are required`);
      }
      return reader.slice(length);
    },
    skipString(reader: WireReader, flexible: boolean): void {
      const length = flexible ? reader.unsignedVarint() - 1 : reader.int16();
      if (length > 0) reader.skip(length);
    },
    skipTagged(reader: WireReader): void {
      for (let count = reader.unsignedVarint(); count > 0; count--) {
        reader.unsignedVarint();
        reader.skip(reader.unsignedVarint());
      }
    },
  };
}
