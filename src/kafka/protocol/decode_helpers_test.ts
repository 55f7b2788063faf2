import { assertEquals } from "../../../tests/assert.ts";
import { MAX_INTERNED_BYTES, StringInterner } from "./decode_helpers.ts";
import { decodeTextAt } from "./wire.ts";

Deno.test("interned strings: one object per distinct name, equal bytes of different lengths apart", () => {
  const interner = new StringInterner();
  const encode = (text: string) => new TextEncoder().encode(text);
  const first = interner.text(encode("topic-a"));
  assertEquals(first, "topic-a");
  assertEquals(interner.text(encode("topic-a")), "topic-a");
  assertEquals(interner.text(encode("topic-ab")), "topic-ab");
  assertEquals(interner.text(encode("")), "");
  assertEquals(interner.text(encode("tópic")), "tópic");
  assertEquals(decodeTextAt(new TextEncoder().encode("a\u0000b"), 0, 3), "a\u0000b");
});

Deno.test("an interner keeps ASCII names up to its bound and starts over when full", () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  const interner = new StringInterner(3);
  // The same names again (as in the next answer) are found, not kept twice.
  for (let round = 0; round < 3; round++) {
    assertEquals(interner.text(encode("topic-a")), "topic-a");
    assertEquals(interner.text(encode("topic-b")), "topic-b");
  }
  assertEquals(interner.size, 2);
  // Text that is not ASCII, or longer than names are, is read as it is and not kept.
  assertEquals(interner.text(encode("tópic")), "tópic");
  const long = "t".repeat(MAX_INTERNED_BYTES + 1);
  assertEquals(interner.text(encode(long)), long);
  assertEquals(interner.size, 2);
  assertEquals(interner.text(encode("t".repeat(MAX_INTERNED_BYTES))).length, MAX_INTERNED_BYTES);
  assertEquals(interner.size, 3);
  // Full: a new name empties it first, so it never holds more than its bound.
  assertEquals(interner.text(encode("topic-c")), "topic-c");
  assertEquals(interner.size, 1);
  assertEquals(interner.text(encode("topic-a")), "topic-a");
  assertEquals(interner.size, 2);
});

Deno.test("interned strings read in place: any position of the answer, prefixes kept apart", () => {
  const interner = new StringInterner();
  const source = new TextEncoder().encode("xxtopic-atopic-abtopic-atópic");
  const cases: Array<[number, number, string]> = [
    [2, 7, "topic-a"],
    [9, 8, "topic-ab"],
    [17, 7, "topic-a"],
    [24, 6, "tópic"],
    [2, 0, ""],
    [2, 5, "topic"],
  ];
  for (const [start, length, expected] of cases) {
    assertEquals(interner.textAt(source, start, length), expected, `${start}+${length}`);
  }
  // What was interned in place is found again from bytes of its own.
  assertEquals(interner.text(new TextEncoder().encode("topic-ab")), "topic-ab");
});
