import { assertEquals } from "../../../tests/assert.ts";
import { decodeListOffsetsV4, encodeListOffsetsV4 } from "./list_offsets.ts";
import { WireReader, WireWriter } from "./wire.ts";

Deno.test("encodeListOffsetsV4() asks for the latest offset of each partition", () => {
  const body = encodeListOffsetsV4(new Map([["orders", [0, 2]], ["audit", [1]]]), {
    isolationLevel: 0,
  });
  const reader = new WireReader(body);
  assertEquals([reader.int32(), reader.int8(), reader.int32()], [-1, 0, 2]);
  const topics: unknown[] = [];
  for (let topic = 0; topic < 2; topic++) {
    const name = reader.string();
    const partitions: unknown[] = [];
    const count = reader.int32();
    for (let index = 0; index < count; index++) {
      partitions.push([reader.int32(), reader.int32(), reader.int64()]);
    }
    topics.push([name, partitions]);
  }
  assertEquals(topics, [
    ["orders", [[0, -1, -1], [2, -1, -1]]],
    ["audit", [[1, -1, -1]]],
  ]);
  assertEquals(reader.remaining(), 0);
});

Deno.test("decodeListOffsetsV4() keeps each partition's own error", () => {
  const payload = new WireWriter()
    .int32(0) // throttle
    .int32(1).string("orders").int32(3)
    .int32(0).int16(0).int64(-1).int64(1_234).int32(7)
    .int32(1).int16(6).int64(-1).int64(-1).int32(-1) // NOT_LEADER_OR_FOLLOWER
    .int32(2).int16(0).int64(-1).int64(0).int32(7)
    .toBytes();
  assertEquals(decodeListOffsetsV4(payload), [
    { topic: "orders", partition: 0, errorCode: 0, offset: 1_234 },
    { topic: "orders", partition: 1, errorCode: 6, offset: -1 },
    { topic: "orders", partition: 2, errorCode: 0, offset: 0 },
  ]);
});
