import { assert, assertEquals } from "../../tests/assert.ts";
import { encodeUtf8, ExpositionWriter, PIECE_BYTES } from "./exposition_writer.ts";

const decoder = new TextDecoder();

Deno.test("ExpositionWriter writes numbers exactly as the text format's `${value}`", () => {
  const values = [
    0,
    -0,
    7,
    10,
    1_000_000,
    Number.MAX_SAFE_INTEGER,
    -42,
    2 ** 60,
    0.5,
    12.345,
    -0.001,
    1e-7,
    1e21,
    NaN,
    Infinity,
    -Infinity,
  ];
  for (const value of values) {
    const writer = new ExpositionWriter();
    writer.number(value);
    assertEquals(decoder.decode(writer.take()), `${value}`, String(value));
  }
});

Deno.test("ExpositionWriter: text of any width, bytes, and pieces handed out whole", () => {
  const writer = new ExpositionWriter();
  const parts = ['group="orders"', 'group="commandes-été"', 'group="注文"', "🚀", ""];
  for (const part of parts) writer.text(part);
  writer.bytes(encodeUtf8(" 12\n"));
  assertEquals(decoder.decode(writer.take()), `${parts.join("")} 12\n`);
  assertEquals(writer.length, 0, "a new piece after take()");

  // One write larger than a piece grows it; nothing is lost or reordered.
  const large = "x".repeat(PIECE_BYTES * 3);
  writer.text("a");
  assert(!writer.full());
  writer.text(large);
  assert(writer.full());
  writer.number(5);
  assertEquals(decoder.decode(writer.take()), `a${large}5`);
});

Deno.test("encodeUtf8() gives the same bytes as TextEncoder for ASCII and wider text", () => {
  const cases = [
    "",
    'kafka_consumer_group_lag_in_offsets{group="orders",topic="t"} 12\n',
    'group="commandes-été"',
    'group="注文"',
    'group="🚀-launch"',
    "é",
    "\u{10FFFF}",
  ];
  for (const text of cases) {
    const bytes = encodeUtf8(text);
    assertEquals([...bytes], [...new TextEncoder().encode(text)], JSON.stringify(text));
    assertEquals(decoder.decode(bytes), text);
  }
});
