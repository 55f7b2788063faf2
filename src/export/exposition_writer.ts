/**
 * Exposition text written straight into byte pieces of about 64 KiB. At 10,000 groups a scrape
 * has over a million samples; built as strings, each sample cost several short-lived strings
 * (and their UTF-8 copy), which kept V8's young generation at its largest and the scrape slow.
 * Here the parts repeated across samples (metric and group, topic, extra labels) are encoded
 * once, and each sample writes only its partition number and value.
 */

/** A piece is handed out once it holds at least this many bytes. */
export const PIECE_BYTES = 64 * 1024;

/** Room for the last group written before the piece is handed out (it grows when needed). */
const PIECE_CAPACITY = PIECE_BYTES + 16 * 1024;

const utf8 = new TextEncoder();

/** Appends exposition text to the current piece; `take()` hands the piece out. */
export class ExpositionWriter {
  #piece = new Uint8Array(PIECE_CAPACITY);
  #length = 0;

  /** Bytes written into the current piece. */
  get length(): number {
    return this.#length;
  }

  /** Whether the current piece has reached its size. */
  full(): boolean {
    return this.#length >= PIECE_BYTES;
  }

  /** Hands out the current piece and starts a new one. */
  take(): Uint8Array<ArrayBuffer> {
    const piece = this.#piece.subarray(0, this.#length);
    this.#piece = new Uint8Array(PIECE_CAPACITY);
    this.#length = 0;
    return piece;
  }

  /** Appends bytes encoded before (see `encodeUtf8`). */
  bytes(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#piece.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  /** Appends text: ASCII byte by byte, anything wider through the UTF-8 encoder. */
  text(text: string): void {
    this.#reserve(text.length * 3);
    const piece = this.#piece;
    let length = this.#length;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code >= 0x80) {
        length += utf8.encodeInto(text.slice(index), piece.subarray(length)).written;
        break;
      }
      piece[length++] = code;
    }
    this.#length = length;
  }

  /** Appends a sample value as the text format writes it (`${value}`). */
  number(value: number): void {
    if (!Number.isSafeInteger(value)) {
      this.text(`${value}`);
      return;
    }
    this.#reserve(17);
    if (value < 0) {
      this.#piece[this.#length++] = 0x2d; // "-"
      value = -value;
    }
    const start = this.#length;
    do {
      this.#piece[this.#length++] = 0x30 + (value % 10);
      value = Math.floor(value / 10);
    } while (value > 0);
    this.#piece.subarray(start, this.#length).reverse();
  }

  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#piece.length) return;
    const grown = new Uint8Array(Math.max(this.#piece.length * 2, this.#length + bytes));
    grown.set(this.#piece.subarray(0, this.#length));
    this.#piece = grown;
  }
}

/**
 * UTF-8 bytes of a text in a buffer allocated by JavaScript: the buffers TextEncoder.encode()
 * returns are allocated by Deno outside the V8 heap, and the garbage collector is slow to give
 * them back (tens of megabytes per scrape at 10,000 groups).
 */
export function encodeUtf8(text: string): Uint8Array<ArrayBuffer> {
  // Exposition text is mostly ASCII, one byte per UTF-16 unit; other characters need up to three.
  const ascii = new Uint8Array(text.length);
  const { read, written } = utf8.encodeInto(text, ascii);
  if (read === text.length) return ascii.subarray(0, written);
  const wide = new Uint8Array(text.length * 3);
  return wide.subarray(0, utf8.encodeInto(text, wide).written);
}
