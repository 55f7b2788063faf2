import { assertEquals } from "../../../tests/assert.ts";
import { isCoordinatorError } from "./error_codes.ts";
import { decodeFindCoordinatorV4, encodeFindGroupCoordinatorsV4 } from "./find_coordinator.ts";
import { decodeOffsetFetchV8, encodeOffsetFetchV8 } from "./offset_fetch.ts";
import { WireWriter } from "./wire.ts";

const bytesOf = (text: string) => [...new TextEncoder().encode(text)];

Deno.test("OffsetFetch v8 asks for all committed partitions of each group", () => {
  assertEquals([...encodeOffsetFetchV8(["g1", "orders"])], [
    0x00, // request header tagged fields
    0x03, // two groups
    0x03,
    ...bytesOf("g1"),
    0x00, // topics: null = every committed partition
    0x00, // group tagged fields
    0x07,
    ...bytesOf("orders"),
    0x00,
    0x00,
    0x00, // require_stable = false
    0x00, // tagged fields
  ]);
});

Deno.test("OffsetFetch v8 answers decode per group, with group and partition errors", () => {
  const partition = (
    writer: WireWriter,
    index: number,
    offset: number,
    errorCode = 0,
  ) =>
    writer.int32(index).int64(offset).int32(-1).compactString("meta").int16(errorCode)
      .noTaggedFields();
  const writer = new WireWriter()
    // response header: one unknown tagged field, which must be skipped
    .unsignedVarint(1).unsignedVarint(9).unsignedVarint(2).int16(0)
    .int32(0) // throttle
    .compactArrayLength(3);
  writer.compactString("g1").compactArrayLength(2);
  writer.compactString("orders").compactArrayLength(3);
  partition(writer, 0, 2 ** 33, 0);
  partition(writer, 1, -1, 0);
  partition(writer, 2, 7, 3); // UNKNOWN_TOPIC_OR_PARTITION: left out
  writer.noTaggedFields();
  writer.compactString("audit").compactArrayLength(1);
  partition(writer, 0, 5);
  writer.noTaggedFields();
  writer.int16(0).noTaggedFields();
  writer.compactString("moved").compactArrayLength(0).int16(16).noTaggedFields();
  writer.compactString("empty").compactArrayLength(0).int16(0).noTaggedFields();
  writer.noTaggedFields();

  assertEquals(decodeOffsetFetchV8(writer.toBytes()), [
    {
      groupId: "g1",
      errorCode: 0,
      offsets: [
        { topic: "orders", partition: 0, offset: 2 ** 33 },
        { topic: "orders", partition: 1, offset: -1 },
        { topic: "audit", partition: 0, offset: 5 },
      ],
      // Kept for the debug log: a partition without a series should say why.
      partitionErrors: [{ topic: "orders", partition: 2, error: "UNKNOWN_TOPIC_OR_PARTITION" }],
    },
    // Groups without a partition error are kept as decoded: no partitionErrors.
    { groupId: "moved", errorCode: 16, offsets: [] },
    { groupId: "empty", errorCode: 0, offsets: [] },
  ]);
});

Deno.test("FindCoordinator v4 asks for many group keys at once", () => {
  assertEquals([...encodeFindGroupCoordinatorsV4(["a", "bc"])], [
    0x00, // request header tagged fields
    0x00, // key type: group
    0x03,
    0x02,
    ...bytesOf("a"),
    0x03,
    ...bytesOf("bc"),
    0x00,
  ]);
});

Deno.test("FindCoordinator v4 answers decode per key", () => {
  const writer = new WireWriter().noTaggedFields().int32(0).compactArrayLength(2);
  writer.compactString("a").int32(3).compactString("broker-3").int32(9092).int16(0)
    .compactArrayLength(null).noTaggedFields();
  writer.compactString("bc").int32(-1).compactString("").int32(-1).int16(15)
    .compactString("not available").noTaggedFields();
  writer.noTaggedFields();
  assertEquals(decodeFindCoordinatorV4(writer.toBytes()), [
    { key: "a", nodeId: 3, errorCode: 0 },
    { key: "bc", nodeId: -1, errorCode: 15 },
  ]);
});

Deno.test("coordinator errors are the ones a new lookup can fix", () => {
  assertEquals([14, 15, 16, 30, 69, 0].map(isCoordinatorError), [
    true,
    true,
    true,
    false,
    false,
    false,
  ]);
});
