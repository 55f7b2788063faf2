import { assert, assertEquals, assertThrows } from "../../../tests/assert.ts";

const assertIncludes = (text: string, part: string) => assert(text.includes(part), text);
import { MessageDecoder, RequestEncoder } from "./codec.ts";
import type { MessageSpec } from "./message_spec.ts";
import { ListGroupsResponse } from "./messages/list_groups.ts";
import { ListOffsetsRequest } from "./messages/list_offsets.ts";
import { WireWriter } from "./wire.ts";

/** A made-up message exercising every layout rule the schemas use. */
interface Sample {
  id: number;
  name: string | null;
  oldField: number;
  items: Array<{ key: string; values: number[] }> | null;
  note: string;
  flag: boolean;
  blob: Uint8Array | null;
  big: number;
}
const SAMPLE: MessageSpec<Sample> = {
  name: "SampleResponse",
  apiKey: 1_000,
  validVersions: "0-2",
  flexibleVersions: "2+",
  fields: [
    { name: "id", type: "int32", versions: "0+" },
    { name: "name", type: "string", versions: "0+", nullableVersions: "1+" },
    { name: "oldField", type: "int16", versions: "0", default: "-1" },
    {
      name: "items",
      type: "[]Item",
      versions: "0+",
      nullableVersions: "2+",
      fields: [
        { name: "key", type: "string", versions: "0+" },
        { name: "values", type: "[]int32", versions: "0+" },
      ],
    },
    { name: "note", type: "string", versions: "2+", taggedVersions: "2+", tag: 3, default: "n/a" },
    { name: "flag", type: "bool", versions: "1+" },
    { name: "blob", type: "bytes", versions: "1+", nullableVersions: "1+" },
    { name: "big", type: "int64", versions: "0+" },
  ],
};

const encoder = (version: number) => new RequestEncoder(SAMPLE, version);
const decoder = (version: number) => new MessageDecoder(SAMPLE, { version, header: false });
/** The request encoder writes the request header's tagged fields first in flexible versions. */
const body = (version: number, value: Partial<Sample>) => {
  const bytes = encoder(version).encode(value as Sample);
  return version >= 2 ? bytes.subarray(1) : bytes;
};

Deno.test("codec: each version's layout follows from the field versions", async (t) => {
  const value: Sample = {
    id: 7,
    name: "grüße",
    oldField: 3,
    items: [{ key: "a", values: [1, 2] }, { key: "", values: [] }],
    note: "tagged",
    flag: true,
    blob: new Uint8Array([9, 8]),
    big: 2 ** 40 + 1,
  };
  const cases: Array<{ version: number; expected: Partial<Sample> }> = [
    // v0: no flag, blob or tagged note (blob is not nullable in v0: empty); oldField exists.
    { version: 0, expected: { flag: false, blob: new Uint8Array(0), note: "n/a" } },
    // v1: oldField is gone (its default), flag and blob exist.
    { version: 1, expected: { oldField: -1, note: "n/a" } },
    // v2: flexible: compact lengths, and the note travels as tagged field 3.
    { version: 2, expected: { oldField: -1 } },
  ];
  for (const { version, expected } of cases) {
    await t.step(`v${version}`, () => {
      assertEquals(decoder(version).decode(body(version, value)), { ...value, ...expected });
    });
  }
});

Deno.test("codec: classic and compact layouts byte for byte", () => {
  const value = { id: 1, name: "ab", items: [{ key: "k", values: [5] }], big: 3 };
  // v0: int32 array counts, int16 string lengths.
  assertEquals([...body(0, value)], [
    ...[0, 0, 0, 1],
    ...[0, 2, 0x61, 0x62],
    ...[0xff, 0xff], // oldField: its default, -1
    ...[0, 0, 0, 1, 0, 1, 0x6b, 0, 0, 0, 1, 0, 0, 0, 5],
    ...[0, 0, 0, 0, 0, 0, 0, 3],
  ]);
  // v2: lengths + 1 as unsigned varints, a tagged-field section after each struct.
  assertEquals([...body(2, { ...value, note: "x" })], [
    ...[0, 0, 0, 1],
    ...[3, 0x61, 0x62],
    ...[2, 2, 0x6b, 2, 0, 0, 0, 5, 0], // one item: key, one value, its tagged fields
    0, // flag
    0, // blob: null
    ...[0, 0, 0, 0, 0, 0, 0, 3],
    ...[1, 3, 2, 2, 0x78], // one tagged field: tag 3, 2 bytes, the compact string "x"
  ]);
});

Deno.test("codec: nulls where the version allows them, errors where it does not", () => {
  assertEquals(
    decoder(2).decode(body(2, { id: 1, name: null, items: null, big: 0 })).items,
    null,
  );
  assertEquals(decoder(1).decode(body(1, { id: 1, name: null, big: 0 })).name, null);
  // v0's name is not nullable: a null there is a broken answer.
  const nullName = new WireWriter().int32(1).int16(-1).toBytes();
  assertIncludes(
    assertThrows(() => decoder(0).decode(nullName), RangeError).message,
    "null where a string",
  );
  // v1's items are not nullable.
  const nullItems = new WireWriter().int32(1).int16(0).int32(-1).toBytes();
  assertIncludes(
    assertThrows(() => decoder(1).decode(nullItems), RangeError).message,
    "null where an array",
  );
});

Deno.test("codec: hostile lengths fail before anything is allocated for them", () => {
  // 2^31 - 1 items announced in a 10-byte answer.
  const huge = new WireWriter().int32(1).int16(0).int16(0).int32(2 ** 31 - 1).toBytes();
  assertIncludes(assertThrows(() => decoder(0).decode(huge), RangeError).message, "elements in");
  // A string longer than what is left.
  const long = new WireWriter().int32(1).int16(500).toBytes();
  assertThrows(() => decoder(0).decode(long), RangeError);
  // A tagged field whose declared size is not what its value takes.
  const answer = [...body(2, { id: 1, name: "", items: [], big: 0 })];
  answer.splice(answer.length - 1, 1, 1, 3, 3, 2, 0x78, 0); // "x" declared as 3 bytes
  assertThrows(() => decoder(2).decode(new Uint8Array(answer)), RangeError);
});

Deno.test("codec: tags this version does not know are skipped whole", () => {
  const answer = [...body(2, { id: 1, name: "", items: [], big: 0 })];
  answer.splice(answer.length - 1, 1, 2, 9, 2, 0xaa, 0xbb, 3, 2, 2, 0x79);
  assertEquals(decoder(2).decode(new Uint8Array(answer)).note, "y");
});

Deno.test("codec: skipped fields are read past, interned strings are shared", () => {
  const value = { id: 1, name: "n", items: [{ key: "t", values: [] }, { key: "t", values: [] }] };
  const bytes = body(1, { ...value, big: 0 });
  const decoded = new MessageDecoder(SAMPLE, {
    version: 1,
    header: false,
    skip: ["name"],
    intern: ["items.key"],
  }).decode(bytes);
  assertEquals(decoded.name, "");
  assertEquals(decoded.items?.map((item) => item.key), ["t", "t"]);
});

Deno.test("codec: a reshaped struct is built in the caller's shape", () => {
  const bytes = body(1, { id: 1, name: "", items: [{ key: "k", values: [4] }], big: 0 });
  const decoded = new MessageDecoder(SAMPLE, {
    version: 1,
    header: false,
    reshape: { items: { rename: { key: "label" }, fromParent: { owner: "id" } } },
  }).decode(bytes);
  assertEquals(decoded.items as unknown, [{ owner: 1, label: "k", values: [4] }]);
  // A sparse field is there only when it is not its default.
  const sparse = (key: string) =>
    new MessageDecoder(SAMPLE, {
      version: 1,
      header: false,
      reshape: { items: { sparse: ["key"] } },
    }).decode(body(1, { id: 1, name: "", items: [{ key, values: [] }], big: 0 })).items;
  assertEquals(sparse("") as unknown, [{ values: [] }]);
  assertEquals(sparse("k") as unknown, [{ values: [], key: "k" }]);
});

Deno.test("codec: a version outside the schema's range is refused", () => {
  assertIncludes(
    assertThrows(() => new RequestEncoder(ListOffsetsRequest, 0), Error).message,
    "no version 0",
  );
  assert(new RequestEncoder(ListOffsetsRequest, 4).api.name === "ListOffsets");
});

Deno.test("codec: a flattened array lists its elements' own elements, parents' fields carried", () => {
  const nested: MessageSpec<{ topics: unknown[] }> = {
    name: "NestedResponse",
    apiKey: 1_001,
    validVersions: "0",
    flexibleVersions: "none",
    fields: [{
      name: "topics",
      type: "[]Topic",
      versions: "0+",
      fields: [
        { name: "name", type: "string", versions: "0+" },
        {
          name: "partitions",
          type: "[]Partition",
          versions: "0+",
          fields: [{ name: "index", type: "int32", versions: "0+" }],
        },
      ],
    }],
  };
  const bytes = new RequestEncoder(nested, 0).encode({
    topics: [{ name: "a", partitions: [{ index: 0 }, { index: 1 }] }, {
      name: "b",
      partitions: [{ index: 5 }],
    }, { name: "c", partitions: [] }],
  });
  const decoded = new MessageDecoder(nested, {
    version: 0,
    header: false,
    flatten: { topics: "partitions" },
    reshape: { "topics.partitions": { fromParent: { topic: "name" } } },
  }).decode(bytes);
  assertEquals(decoded.topics, [
    { topic: "a", index: 0 },
    { topic: "a", index: 1 },
    { topic: "b", index: 5 },
  ]);
});

Deno.test("an intern path that names no string field is refused when the decoder is built", () => {
  assertEquals(
    assertThrows(
      () => new MessageDecoder(ListGroupsResponse, { version: 5, intern: ["groups.groupStat"] }),
      Error,
    ).message,
    "intern: no string field groups.groupStat",
  );
  // The paths the decoders use are all found (building them did not throw on import).
  new MessageDecoder(ListGroupsResponse, { version: 5, intern: ["groups.groupState"] });
});
