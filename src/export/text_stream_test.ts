import { assertEquals } from "../../tests/assert.ts";
import { ByteChunks, BytePrefix, escapeLabelValue } from "./text_stream.ts";

const decoder = new TextDecoder();

function prefixOf(text: string, escaped = false): BytePrefix {
  const prefix = new BytePrefix();
  prefix.text(text, escaped);
  return prefix;
}

function textOf(chunks: Uint8Array[]): string {
  return chunks.map((chunk) => decoder.decode(chunk)).join("");
}

Deno.test("a sample value is written as JavaScript writes the number", () => {
  const values = [
    0,
    -0,
    7,
    -7,
    10,
    1_000_000,
    2 ** 31,
    -(2 ** 31) - 1,
    Number.MAX_SAFE_INTEGER,
    -Number.MAX_SAFE_INTEGER,
    2 ** 53,
    1e21,
    0.1,
    -12.5,
    1 / 3,
    1.5e-7,
    NaN,
    Infinity,
    -Infinity,
  ];
  for (const value of values) {
    const out = new ByteChunks();
    out.line(prefixOf("m"), undefined, "", prefixOf(" "), value);
    assertEquals(textOf(out.takeAll()), `m ${value}\n`, String(value));
  }
});

Deno.test("a label value is escaped and encoded as UTF-8, in prefixes and in the line's last label", () => {
  const cases: Array<[string, string]> = [
    ["plain", "plain"],
    ['a"b', 'a\\"b'],
    ["back\\slash", "back\\\\slash"],
    ["two\nlines", "two\\nlines"],
    ["été", "été"],
    ['注文 "q"\n', '注文 \\"q\\"\\n'],
    ["🚀\\", "🚀\\\\"],
  ];
  for (const [raw, written] of cases) {
    assertEquals(escapeLabelValue(raw), written);
    assertEquals(decoder.decode(prefixOf(raw, true).view()), written);
    const out = new ByteChunks();
    out.line(prefixOf("m"), prefixOf('{l="'), raw, prefixOf("} "), 1);
    assertEquals(textOf(out.takeAll()), `m{l="${written}"} 1\n`);
  }
});

Deno.test("lines fill 64 KiB chunks and none is split; a line longer than a chunk gets its own", () => {
  const out = new ByteChunks();
  const prefix = prefixOf('kafka_consumergroup_lag{cluster="c",group="g"');
  const label = prefixOf(',partition="');
  const close = prefixOf("} ");
  let expected = "";
  for (let index = 0; index < 5_000; index++) {
    out.line(prefix, label, String(index % 8), close, index * 3);
    expected += `kafka_consumergroup_lag{cluster="c",group="g",partition="${index % 8}"} ${
      index * 3
    }\n`;
  }
  const long = "x".repeat(100_000);
  out.line(prefixOf("m"), prefixOf('{l="'), long, close, 1);
  expected += `m{l="${long}"} 1\n`;
  const full = out.takeFull();
  const chunks = [...full, ...out.takeAll()];
  assertEquals(textOf(chunks), expected);
  for (const chunk of full.slice(0, -1)) {
    assertEquals(chunk.byteLength <= 64 * 1024, true);
    assertEquals(chunk[chunk.byteLength - 1], 10, "a chunk ends with a whole line");
  }
  assertEquals(chunks.at(-1)!.byteLength > 64 * 1024, true);
});

Deno.test("a prefix copied from another and extended keeps the other's bytes intact", () => {
  const base = prefixOf('m{a="1"');
  const longer = new BytePrefix();
  longer.copy(base);
  longer.text(',b="');
  longer.text("x".repeat(1_000), true);
  longer.text('"');
  assertEquals(decoder.decode(base.view()), 'm{a="1"');
  assertEquals(decoder.decode(longer.view()), `m{a="1",b="${"x".repeat(1_000)}"`);
  longer.copy(base);
  assertEquals(decoder.decode(longer.view()), 'm{a="1"');
});
