import { assertEquals } from "../../tests/assert.ts";
import { SharedExposition } from "./shared_exposition.ts";

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
