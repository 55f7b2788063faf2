/**
 * A growing protobuf writer shared by the push encoders (remote write 1.0 and 2.0, OTLP): only
 * the wire types they use, written in place with no buffer per message.
 */
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

export function varintLength(value: number): number {
  let length = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    length++;
  }
  return length;
}

/**
 * One growing buffer for a whole request. Nested messages are written in place: their sizes are
 * computed first (protobuf puts a message's length before it), so nothing is encoded twice and no
 * buffer is made per label or sample, which at hundreds of thousands of series per push mattered.
 */
export class ProtoBuffer {
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
    this.#write(text, byteLength);
  }

  #write(text: string, byteLength: number) {
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

  /** A varint field (uint32, enum, bool) with a non-negative value. */
  uint(field: number, value: number) {
    this.varint(field << 3);
    this.varint(value);
  }

  int64(field: number, value: number) {
    this.varint(field << 3);
    if (value < 0) this.negativeVarint(value);
    else this.varint(value);
  }

  /**
   * Starts a length-delimited field whose length is not known yet: the length is written later
   * by `end` as a five-byte varint (padded with continuation bits, which every protobuf decoder
   * reads), so nested messages are written in one pass without computing sizes first.
   */
  begin(field: number): number {
    this.varint((field << 3) | 2);
    this.#ensure(5);
    const mark = this.#length;
    this.#length += 5;
    return mark;
  }

  /** Writes the length of the field `begin` returned `mark` for. */
  end(mark: number) {
    let length = this.#length - mark - 5;
    for (let index = 0; index < 4; index++) {
      this.#bytes[mark + index] = (length & 0x7f) | 0x80;
      length >>>= 7;
    }
    this.#bytes[mark + 4] = length;
  }

  /**
   * A string whose UTF-8 length is not known. Label names and values are short and nearly always
   * ASCII: those are copied a character at a time (no view or encoder call per string, which was
   * most of an OTLP push's CPU), anything else goes through the encoder.
   */
  text(field: number, text: string) {
    const length = text.length;
    if (length >= 0x80) return this.string(field, text, utf8Length(text));
    this.varint((field << 3) | 2);
    this.#ensure(1 + length);
    const start = this.#length;
    const bytes = this.#bytes;
    bytes[start] = length;
    for (let index = 0; index < length; index++) {
      const code = text.charCodeAt(index);
      if (code >= 0x80) {
        this.#length = start;
        this.varint(utf8Length(text));
        return this.#write(text, utf8Length(text));
      }
      bytes[start + 1 + index] = code;
    }
    this.#length = start + 1 + length;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  finish(): Uint8Array<ArrayBuffer> {
    return this.#bytes.subarray(0, this.#length);
  }
}
