import { gunzipSync } from "node:zlib";
import { assertEquals } from "../../tests/assert.ts";
import { concatBytes } from "./concat_bytes.ts";
import { GZIP_BEST_SPEED, gzipStream } from "./gzip_stream.ts";

Deno.test("gzipStream(): what goes in comes out of gunzip, in pieces of any size", async () => {
  const pieces = Array.from(
    { length: 300 },
    (_, index) => new TextEncoder().encode(`line ${index} ${"x".repeat(index * 7)}\n`),
  );
  const compressed: Uint8Array[] = [];
  const source = ReadableStream.from(pieces).pipeThrough(gzipStream(GZIP_BEST_SPEED));
  for await (const chunk of source) compressed.push(chunk);
  assertEquals(new Uint8Array(gunzipSync(concatBytes(compressed))), concatBytes(pieces));
});

Deno.test("gzipStream(): an empty input is a valid empty gzip member", async () => {
  const compressed: Uint8Array[] = [];
  for await (const chunk of ReadableStream.from([]).pipeThrough(gzipStream(6))) {
    compressed.push(chunk);
  }
  assertEquals(gunzipSync(concatBytes(compressed)).byteLength, 0);
});
