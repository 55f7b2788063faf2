import { assertEquals } from "../../tests/assert.ts";
import { MAX_RESPONSE_BODY_BYTES, readTextCapped } from "./read_capped.ts";

Deno.test("readTextCapped() reads at most the cap of an endless body", async () => {
  let sent = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      sent += 16_384;
      controller.enqueue(new Uint8Array(16_384).fill(97));
    },
  });
  const text = await readTextCapped(new Response(endless));
  assertEquals(text.length, MAX_RESPONSE_BODY_BYTES);
  assertEquals(sent < 4 * MAX_RESPONSE_BODY_BYTES, true);
  assertEquals(await readTextCapped(new Response("short")), "short");
});
