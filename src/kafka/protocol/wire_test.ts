import { assertEquals, assertThrows } from "../../../tests/assert.ts";
import { decodeTextAt, WireReader, WireWriter } from "./wire.ts";

Deno.test("unsigned varints round-trip and use Kafka's byte layout", () => {
  const cases: Array<[number, number[]]> = [
    [0, [0x00]],
    [1, [0x01]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [16_384, [0x80, 0x80, 0x01]],
    [2 ** 31 - 1, [0xff, 0xff, 0xff, 0xff, 0x07]],
  ];
  for (const [value, bytes] of cases) {
    const encoded = new WireWriter().unsignedVarint(value).toBytes();
    assertEquals([...encoded], bytes, `encoding ${value}`);
    assertEquals(new WireReader(encoded).unsignedVarint(), value, `decoding ${value}`);
  }
});

Deno.test("fixed-width integers are big-endian; int64 keeps offsets beyond 2^32", () => {
  const encoded = new WireWriter().int16(-2).int32(70_000).int64(2 ** 40 + 3).boolean(true)
    .toBytes();
  assertEquals([...encoded.subarray(0, 2)], [0xff, 0xfe]);
  const reader = new WireReader(encoded);
  assertEquals([reader.int16(), reader.int32(), reader.int64(), reader.int8()], [
    -2,
    70_000,
    2 ** 40 + 3,
    1,
  ]);
});

Deno.test("the writer grows past its first buffer", () => {
  const writer = new WireWriter();
  for (let index = 0; index < 1_000; index++) writer.int32(index);
  const reader = new WireReader(writer.toBytes());
  for (let index = 0; index < 1_000; index++) assertEquals(reader.int32(), index);
});

Deno.test("reading past the end throws RangeError (a truncated answer is never half-read)", () => {
  assertThrows(() => new WireReader(new Uint8Array([0x00])).int32(), RangeError);
  assertThrows(() => new WireReader(new Uint8Array([0x00, 0x05, 0x61])).string(), RangeError);
  assertThrows(() => new WireReader(new Uint8Array([0x80])).unsignedVarint(), RangeError);
});

Deno.test("int64 gives what Number(BigInt) gives, negative and beyond 2^53 included", () => {
  const values = [
    0n,
    -1n,
    1n,
    2n ** 32n - 1n,
    2n ** 32n,
    -(2n ** 32n),
    2n ** 53n + 1n,
    -(2n ** 63n),
  ];
  for (const value of [...values, 2n ** 63n - 1n, 1234567890123456789n]) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigInt64(0, value);
    assertEquals(new WireReader(bytes).int64(), Number(value), `${value}`);
  }
});

Deno.test("text read in place: any length and position, ASCII or not, the arrays reused", () => {
  const texts = ["", "a", "scale-topic-001", "t".repeat(64), "u".repeat(65), "tópic", "a\u0000b"];
  const encoded = texts.map((text) => new TextEncoder().encode(text));
  const source = new Uint8Array([7, ...encoded.flatMap((bytes) => [...bytes]), 9]);
  for (let round = 0; round < 2; round++) {
    let at = 1;
    texts.forEach((text, index) => {
      assertEquals(decodeTextAt(source, at, encoded[index].length), text, JSON.stringify(text));
      at += encoded[index].length;
    });
  }
  // A shorter name read after a longer one of the same length class is not padded by it.
  assertEquals(decodeTextAt(new TextEncoder().encode("ab"), 0, 2), "ab");
  assertEquals(decodeTextAt(new TextEncoder().encode("x"), 0, 1), "x");
});
