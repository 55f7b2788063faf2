/** Exposition text as bytes: written in chunks, streamed piece by piece as the reader takes it. */

const utf8 = new TextEncoder();

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

/** Bytes handed out at once (the last chunk, and a line longer than this, excepted). */
const CHUNK_BYTES = 64 * 1024;

/** The most UTF-8 bytes a text of `length` UTF-16 units can take. */
function utf8Bound(length: number): number {
  return 3 * length;
}

/** Free chunks a ChunkPool keeps (a scrape has a few in flight between writer and compressor). */
const POOLED_CHUNKS = 4;

/**
 * Chunks handed back once read, for the next ones to be written into. A scrape writes ~1,200
 * chunks at 10,000 groups and ~12,000 at 100,000; each new one is a buffer outside the heap that
 * the garbage collector frees late, so a scrape left tens of megabytes more resident behind it.
 * The gzip stream hands each chunk back when it has compressed it; an uncompressed response keeps
 * its chunks (the HTTP layer reads them after they are handed out).
 */
export class ChunkPool {
  readonly #free: ArrayBuffer[] = [];

  /** A chunk of CHUNK_BYTES to write into: a free one, or a new one. */
  take(): Uint8Array<ArrayBuffer> {
    const free = this.#free.pop();
    return free ? new Uint8Array(free) : new Uint8Array(CHUNK_BYTES);
  }

  /** Gives back a chunk (or a view of one) no one reads any more. */
  give(chunk: Uint8Array): void {
    const buffer = chunk.buffer;
    if (!(buffer instanceof ArrayBuffer) || buffer.byteLength !== CHUNK_BYTES) return;
    if (this.#free.length < POOLED_CHUNKS && !this.#free.includes(buffer)) this.#free.push(buffer);
  }
}

/**
 * Text written straight into byte chunks: exposition lines are mostly copies of a few encoded
 * prefixes plus a number, so no string is built per line (at 100,000 groups a scrape is ~800 MB
 * of text, which as concatenated strings was most of a scrape's CPU and garbage).
 */
export class ByteChunks {
  readonly #pool?: ChunkPool;
  #chunk: Uint8Array<ArrayBuffer>;
  #length = 0;
  readonly #full: Uint8Array<ArrayBuffer>[] = [];
  /** Digits of a number, written backwards before they are copied. */
  readonly #digits = new Uint8Array(24);

  /** Chunks come from `pool` when given (see ChunkPool). */
  constructor(pool?: ChunkPool) {
    this.#pool = pool;
    this.#chunk = this.#newChunk();
  }

  #newChunk(): Uint8Array<ArrayBuffer> {
    return this.#pool?.take() ?? new Uint8Array(CHUNK_BYTES);
  }

  /** Makes room for `bytes` more bytes in the current chunk (a new chunk when it is full). */
  #reserve(bytes: number): void {
    if (this.#length + bytes <= this.#chunk.length) return;
    if (this.#length > 0) this.#full.push(this.#chunk.subarray(0, this.#length));
    this.#chunk = bytes <= CHUNK_BYTES ? this.#newChunk() : new Uint8Array(bytes);
    this.#length = 0;
  }

  /** Appends a text's UTF-8 bytes. */
  text(text: string): void {
    this.#reserve(utf8Bound(text.length));
    this.#length = writeText(this.#chunk, this.#length, text, false);
  }

  /**
   * Appends one sample line: `prefix`, then (when `label` is given) the escaped `labelValue` and
   * its closing quote, then `close`, the value and a newline.
   */
  // arity-ok: called for every line of a scrape; a bag would allocate each time
  line(
    prefix: BytePrefix,
    label: BytePrefix | undefined,
    labelValue: string,
    close: BytePrefix,
    value: number,
  ): void {
    // Escaping at most doubles a character, UTF-8 at most triples it; 25 covers any number.
    this.#reserve(
      prefix.length + (label ? label.length + 2 * utf8Bound(labelValue.length) + 1 : 0) +
        close.length + 26,
    );
    const chunk = this.#chunk;
    chunk.set(prefix.view(), this.#length);
    let at = this.#length + prefix.length;
    if (label) {
      at = label.copyTo(chunk, at);
      at = writeText(chunk, at, labelValue, true);
      chunk[at++] = 34; // '"'
    }
    at = close.copyTo(chunk, at);
    at = this.#number(chunk, at, value);
    chunk[at++] = 10; // "\n"
    this.#length = at;
  }

  /** Writes a sample value as JavaScript writes a number (integers without a string). */
  // arity-ok: called for every line of a scrape; a bag would allocate each time
  #number(chunk: Uint8Array, start: number, value: number): number {
    if (!Number.isSafeInteger(value)) return writeText(chunk, start, String(value), false);
    let at = start;
    let rest = value;
    if (rest < 0) {
      chunk[at++] = 45; // "-"
      rest = -rest;
    }
    const digits = this.#digits;
    let count = 0;
    do {
      const next = Math.floor(rest / 10);
      digits[count++] = 48 + (rest - next * 10); // in this order: exact up to 2 ** 53
      rest = next;
    } while (rest > 0);
    while (count > 0) chunk[at++] = digits[--count];
    return at;
  }

  /** The chunks filled since the last call. */
  takeFull(): Uint8Array<ArrayBuffer>[] {
    return this.#full.splice(0);
  }

  /** Everything not taken yet, the current chunk included (the writer is then empty). */
  takeAll(): Uint8Array<ArrayBuffer>[] {
    const all = this.takeFull();
    if (this.#length > 0) {
      all.push(this.#chunk.subarray(0, this.#length));
      this.#chunk = this.#newChunk();
    }
    this.#length = 0;
    return all;
  }
}

/** A growable encoded text: the part of a line up to a label, kept across lines. */
export class BytePrefix {
  #bytes = new Uint8Array(256);
  #length = 0;
  #view?: Uint8Array;

  /** Bytes written. */
  get length(): number {
    return this.#length;
  }

  /** The bytes written, as a view (made once per content, not per line). */
  view(): Uint8Array {
    return this.#view ??= this.#bytes.subarray(0, this.#length);
  }

  /** Writes the bytes into `target` at `at` (room reserved); the end. For short prefixes. */
  copyTo(target: Uint8Array, at: number): number {
    // By hand: set() costs more than a dozen bytes copied one by one (a label's opening).
    const bytes = this.#bytes;
    const length = this.#length;
    for (let index = 0; index < length; index++) target[at + index] = bytes[index];
    return at + length;
  }

  /** Replaces the content with `other`'s. */
  copy(other: BytePrefix): void {
    this.#fit(other.length);
    this.#bytes.set(other.view());
    this.#length = other.length;
    this.#view = undefined;
  }

  /** Empties it. */
  clear(): void {
    this.#length = 0;
    this.#view = undefined;
  }

  /** Appends a text's UTF-8 bytes (`escaped`: as a label value, backslashes, quotes and newlines escaped). */
  text(text: string, escaped = false): void {
    this.#fit(this.#length + 2 * utf8Bound(text.length));
    this.#length = writeText(this.#bytes, this.#length, text, escaped);
    this.#view = undefined;
  }

  #fit(bytes: number): void {
    if (bytes <= this.#bytes.length) return;
    const grown = new Uint8Array(Math.max(bytes, 2 * this.#bytes.length));
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }
}

/**
 * Writes a text's UTF-8 bytes at `at` (room reserved), as a label value when `escaped`
 * (backslash, double quote and newline escaped as the text format wants); returns the new end.
 */
// arity-ok: called for every line of a scrape; a bag would allocate each time
function writeText(target: Uint8Array, at: number, text: string, escaped: boolean): number {
  // ASCII by hand (names, label values and numbers nearly always are); the rest by the encoder.
  let end = at;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0x80) {
      const rest = escaped ? escapeLabelValue(text.slice(index)) : text.slice(index);
      return end + utf8.encodeInto(rest, target.subarray(end)).written;
    }
    if (escaped && (code === 92 || code === 34 || code === 10)) {
      target[end++] = 92; // "\\"
      target[end++] = code === 10 ? 110 : code; // "\n" as backslash and "n"
    } else {
      target[end++] = code;
    }
  }
  return end;
}

/** Escapes a label value for the text format (backslash, double quote, newline). */
export function escapeLabelValue(value: string): string {
  // Almost no value needs it (a partition number never does): no regex run for those.
  if (value.indexOf("\\") < 0 && value.indexOf('"') < 0 && value.indexOf("\n") < 0) return value;
  return value.replace(/[\\"\n]/g, (character) => (character === "\n" ? "\\n" : `\\${character}`));
}

/** A byte stream of pieces (texts are encoded), produced only as fast as the reader takes them. */
export function textStream(
  pieces: Iterable<string | Uint8Array<ArrayBuffer>>,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  const iterator = pieces[Symbol.iterator]();
  return new ReadableStream({
    pull(controller) {
      const next = iterator.next();
      if (next.done) controller.close();
      else if (typeof next.value === "string") controller.enqueue(encodeUtf8(next.value));
      else controller.enqueue(next.value);
    },
    cancel() {
      iterator.return?.();
    },
  });
}
