import { assert, assertEquals } from "../../tests/assert.ts";
import { SharedExposition } from "./shared_exposition.ts";
import { ByteChunks, textStream } from "../export/text_stream.ts";

async function gunzipText(stream: ReadableStream<Uint8Array<ArrayBuffer>>): Promise<string> {
  return await new Response(stream.pipeThrough(new DecompressionStream("gzip"))).text();
}

function bytes(pieces: string[]): ReadableStream<Uint8Array<ArrayBuffer>> {
  const encoder = new TextEncoder();
  return ReadableStream.from(pieces.map((piece) => encoder.encode(piece)));
}

Deno.test("SharedExposition renders once per snapshot, however many scrape it", async () => {
  let snapshot = [{}];
  let rendered = 0;
  const exposition = new SharedExposition({
    snapshotKey: () => snapshot,
    render: () => {
      rendered++;
      const pieces = Array.from({ length: 50 }, (_, index) => `metric_${index} ${rendered}\n`);
      return Promise.resolve(bytes(pieces));
    },
  });
  // Eight concurrent scrapes and a late one: one rendering, the same text for all.
  const bodies = await Promise.all(
    Array.from({ length: 8 }, () => gunzipText(exposition.stream())),
  );
  const late = await gunzipText(exposition.stream());
  assertEquals(rendered, 1);
  for (const body of [...bodies, late]) assertEquals(body, bodies[0]);
  assertEquals(bodies[0].split("\n")[0], "metric_0 1");
  // A new snapshot (a cluster published): rendered again.
  snapshot = [{}];
  assertEquals((await gunzipText(exposition.stream())).split("\n")[0], "metric_0 2");
  assertEquals(exposition.renders, 2);
});

Deno.test("a failed rendering fails its scrapes and is not kept", async () => {
  let fail = true;
  const exposition = new SharedExposition({
    snapshotKey: () => [],
    render: () =>
      fail ? Promise.reject(new Error("render failed")) : Promise.resolve(bytes(["ok 1\n"])),
  });
  let error: unknown;
  await gunzipText(exposition.stream()).catch((caught) => error = caught);
  assertEquals((error as Error).message, "render failed");
  fail = false;
  assertEquals(await gunzipText(exposition.stream()), "ok 1\n");
});

Deno.test("a large rendering lets timers and I/O run between its blocks", async () => {
  // 40 MB of text that compresses poorly: hundreds of compressed blocks.
  let seed = 1;
  const piece = () =>
    Array.from({ length: 16_384 }, () => (seed = (seed * 48_271) % 2_147_483_647).toString(36))
      .join(" ") + "\n";
  const exposition = new SharedExposition({
    snapshotKey: () => [],
    render: () => {
      let left = 400;
      return Promise.resolve(
        new ReadableStream({
          pull(controller) {
            if (left-- === 0) return controller.close();
            controller.enqueue(new TextEncoder().encode(piece()));
          },
        }),
      );
    },
  });
  let lastTickMs = performance.now();
  let longestGapMs = 0;
  const ticker = setInterval(() => {
    const nowMs = performance.now();
    longestGapMs = Math.max(longestGapMs, nowMs - lastTickMs);
    lastTickMs = nowMs;
  }, 5);
  const startedMs = performance.now();
  try {
    // Read by a consumer that never waits on I/O (a fast local client): only the rendering
    // itself can leave room for the timer.
    for await (const _ of exposition.stream()) { /* drained */ }
  } finally {
    clearInterval(ticker);
  }
  const totalMs = performance.now() - startedMs;
  assert(totalMs > 200, `the rendering took only ${totalMs.toFixed(0)} ms: not large enough`);
  assert(
    longestGapMs < Math.min(150, totalMs / 2),
    `a timer waited ${longestGapMs.toFixed(0)} ms during a ${totalMs.toFixed(0)} ms rendering`,
  );
});

Deno.test("a rendering writes into the chunks the compressor is done with, text intact", async () => {
  const lines = 200_000;
  const buffers = new Set<ArrayBufferLike>();
  let chunks = 0;
  const exposition = new SharedExposition({
    snapshotKey: () => [],
    render: (pool) => {
      const out = new ByteChunks(pool);
      function* written() {
        for (let index = 0; index < lines; index++) {
          out.text(`metric_${index} ${index}\n`);
          for (const chunk of out.takeFull()) {
            buffers.add(chunk.buffer);
            chunks++;
            yield chunk;
          }
        }
        yield* out.takeAll();
      }
      return Promise.resolve(textStream(written()));
    },
  });
  const text = await gunzipText(exposition.stream());
  const expected = Array.from({ length: lines }, (_, index) => `metric_${index} ${index}\n`);
  assertEquals(text, expected.join(""));
  // ~3.5 MB in 64 KiB chunks, written into a handful of buffers.
  assert(chunks > 40, `${chunks} chunks`);
  assert(buffers.size <= 6, `${buffers.size} buffers for ${chunks} chunks`);
});

Deno.test("a rendering of a replaced snapshot is let go; its scrapes still finish", async () => {
  let snapshot = [{}];
  const exposition = new SharedExposition({
    snapshotKey: () => snapshot,
    render: () => Promise.resolve(bytes(["a 1\n", "b 2\n"])),
  });
  assertEquals(await gunzipText(exposition.stream()), "a 1\nb 2\n");
  assert(exposition.keptBytes > 0);
  // The same snapshot: kept for the next scrape.
  exposition.forgetStale();
  assert(exposition.keptBytes > 0);
  const reading = exposition.stream();
  snapshot = [{}];
  exposition.forgetStale();
  assertEquals(exposition.keptBytes, 0);
  assertEquals(await gunzipText(reading), "a 1\nb 2\n");
  assertEquals(exposition.renders, 1);
});
