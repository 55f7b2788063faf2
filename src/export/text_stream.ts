/** Exposition text as a byte stream, encoded piece by piece as the reader takes it. */

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

/** A byte stream of text pieces, produced only as fast as the reader takes them. */
export function textStream(pieces: Iterable<string>): ReadableStream<Uint8Array<ArrayBuffer>> {
  const iterator = pieces[Symbol.iterator]();
  return new ReadableStream({
    pull(controller) {
      const next = iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encodeUtf8(next.value));
    },
    cancel() {
      iterator.return?.();
    },
  });
}
