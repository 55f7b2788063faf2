/**
 * What the decoders compile_decoder.ts writes call for reads that take more than one primitive:
 * counts checked against the bytes left, strings (interned or not), bytes, skipped values; and the
 * interner that keeps names read once.
 */
import { decodeTextAt, type WireReader } from "./wire.ts";

/** Where a decoder finds its interner (kept across answers) and what the answer being read set. */
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
      return decodeTextAt(reader.bytes, reader.skip(length), length);
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

/** Strings longer than this (in bytes) are read as they are, never kept by a StringInterner. */
export const MAX_INTERNED_BYTES = 255;
/** How many strings a StringInterner keeps before it starts afresh. */
const INTERNED_STRINGS = 16_384;

/**
 * The ASCII strings read so far, by their bytes, kept across answers: a topic name repeats once per
 * group reading it in every OffsetFetch answer of every iteration, and read once it is the same
 * string object from then on (compared by reference where the iteration matches names, nothing
 * decoded or allocated for it again). Bounded whatever a broker sends: only names up to
 * MAX_INTERNED_BYTES are kept, and past `capacity` strings the interner empties and starts over.
 */
export class StringInterner {
  readonly #byHash = new Map<number, string[]>();
  readonly #capacity: number;
  #size = 0;

  constructor(capacity = INTERNED_STRINGS) {
    this.#capacity = capacity;
  }

  /** How many strings are kept. */
  get size(): number {
    return this.#size;
  }

  /** The text of `bytes`, the same string object for the same bytes (ASCII ones). */
  text(bytes: Uint8Array): string {
    return this.textAt(bytes, 0, bytes.length);
  }

  /** The text of `length` bytes of `source` from `start`, without a view of them. */
  // arity-ok: called once per interned string of an answer; a bag would allocate each time
  textAt(source: Uint8Array, start: number, length: number): string {
    if (length > MAX_INTERNED_BYTES) return decodeTextAt(source, start, length);
    let hash = 0x811c9dc5; // FNV-1a
    let wide = 0;
    for (let index = start; index < start + length; index++) {
      hash = Math.imul(hash ^ source[index], 0x01000193);
      wide |= source[index] & 0x80;
    }
    // Names on the wire are ASCII (Kafka allows nothing else in a topic name): other text is read
    // as it is, so that a kept string's characters are its bytes.
    if (wide !== 0) return decodeTextAt(source, start, length);
    let seen = this.#byHash.get(hash);
    if (seen) {
      for (const text of seen) {
        if (sameText(text, source, start, length)) return text;
      }
    }
    if (this.#size >= this.#capacity) {
      this.#byHash.clear();
      this.#size = 0;
      seen = undefined;
    }
    if (!seen) this.#byHash.set(hash, seen = []);
    const text = decodeTextAt(source, start, length);
    seen.push(text);
    this.#size++;
    return text;
  }
}

/** Whether the ASCII `text` is the `length` bytes of `source` from `start`. */
// arity-ok: compares in place, called once per interned string of an answer
function sameText(text: string, source: Uint8Array, start: number, length: number): boolean {
  if (text.length !== length) return false;
  for (let index = 0; index < length; index++) {
    if (text.charCodeAt(index) !== source[start + index]) return false;
  }
  return true;
}
