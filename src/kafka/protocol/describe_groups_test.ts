import { assertEquals, assertThrows } from "../../../tests/assert.ts";
import {
  decodeConsumerAssignment,
  decodeConsumerGroupDescribeV0,
  decodeDescribeGroupsV4,
  encodeConsumerGroupDescribeV0,
  encodeDescribeGroupsV4,
} from "./describe_groups.ts";
import { decodeListGroups, encodeListGroups } from "./list_groups.ts";
import { WireWriter } from "./wire.ts";

const bytesOf = (text: string) => [...new TextEncoder().encode(text)];

Deno.test("ListGroups asks for every state (v4) and every type (v5)", () => {
  assertEquals([...encodeListGroups(4)], [0x00, 0x01, 0x00]);
  assertEquals([...encodeListGroups(5)], [0x00, 0x01, 0x01, 0x00]);
});

Deno.test("ListGroups answers carry state, protocol type and (v5) group type", () => {
  const listed = (version: 4 | 5) => {
    const writer = new WireWriter().noTaggedFields().int32(0).int16(0).compactArrayLength(2);
    for (
      const [groupId, protocolType, state, type] of [
        ["orders", "consumer", "Stable", "classic"],
        ["billing", "consumer", "Empty", "consumer"],
      ]
    ) {
      writer.compactString(groupId).compactString(protocolType).compactString(state);
      if (version === 5) writer.compactString(type);
      writer.noTaggedFields();
    }
    return writer.noTaggedFields().toBytes();
  };
  assertEquals(decodeListGroups(listed(5), 5), {
    errorCode: 0,
    groups: [
      { groupId: "orders", protocolType: "consumer", state: "Stable", type: "classic" },
      { groupId: "billing", protocolType: "consumer", state: "Empty", type: "consumer" },
    ],
  });
  assertEquals(decodeListGroups(listed(4), 4).groups.map((group) => group.type), [
    undefined,
    undefined,
  ]);
});

/** A classic ConsumerProtocolAssignment (version 3, user data null). */
function classicAssignment(partitions: Record<string, number[]>): Uint8Array {
  const writer = new WireWriter().int16(3).int32(Object.keys(partitions).length);
  for (const [topic, indexes] of Object.entries(partitions)) {
    writer.string(topic).int32(indexes.length);
    for (const index of indexes) writer.int32(index);
  }
  return writer.int32(-1).toBytes();
}

Deno.test("DescribeGroups v4 asks for many groups, without authorized operations", () => {
  assertEquals([...encodeDescribeGroupsV4(["g1", "orders"])], [
    0x00,
    0x00,
    0x00,
    0x02,
    0x00,
    0x02,
    ...bytesOf("g1"),
    0x00,
    0x06,
    ...bytesOf("orders"),
    0x00, // include_authorized_operations = false
  ]);
});

Deno.test("DescribeGroups v4 answers: members with their partitions, errors per group", () => {
  const writer = new WireWriter().int32(0).int32(3);
  // A stable consumer group with a static member and a dynamic one.
  writer.int16(0).string("orders").string("Stable").string("consumer").string("range").int32(2);
  writer.string("m-1").nullableString("pod-a").string("client-a").string("/10.0.0.1")
    .bytes(new Uint8Array([1, 2, 3])).bytes(classicAssignment({ t1: [0, 2], t2: [1] }));
  writer.string("m-2").nullableString(null).string("client-b").string("/10.0.0.2")
    .bytes(new Uint8Array(0)).bytes(classicAssignment({ t1: [1] }));
  writer.int32(-2147483648);
  // A Connect group: its assignment bytes are not a consumer assignment.
  writer.int16(0).string("connect-cluster").string("Stable").string("connect").string("sessioned")
    .int32(1).string("w-1").nullableString(null).string("worker").string("/10.0.0.3")
    .bytes(new Uint8Array(0)).bytes(new Uint8Array([0, 1, 0, 0, 0, 9])).int32(-2147483648);
  // A group whose coordinator moved.
  writer.int16(16).string("moved").string("").string("").string("").int32(0).int32(0);
  assertEquals(decodeDescribeGroupsV4(writer.toBytes()), [
    {
      groupId: "orders",
      errorCode: 0,
      state: "Stable",
      members: [
        {
          memberId: "m-1",
          instanceId: "pod-a",
          clientId: "client-a",
          host: "/10.0.0.1",
          assignment: [
            { topic: "t1", partition: 0 },
            { topic: "t1", partition: 2 },
            { topic: "t2", partition: 1 },
          ],
        },
        {
          memberId: "m-2",
          instanceId: undefined,
          clientId: "client-b",
          host: "/10.0.0.2",
          assignment: [{ topic: "t1", partition: 1 }],
        },
      ],
    },
    {
      groupId: "connect-cluster",
      errorCode: 0,
      state: "Stable",
      members: [{
        memberId: "w-1",
        instanceId: undefined,
        clientId: "worker",
        host: "/10.0.0.3",
        assignment: [],
      }],
    },
    { groupId: "moved", errorCode: 16, state: "", members: [] },
  ]);
});

Deno.test("classic consumer assignments: empty bytes assign nothing, truncated ones throw", () => {
  assertEquals(decodeConsumerAssignment(new Uint8Array(0)), []);
  assertEquals(decodeConsumerAssignment(classicAssignment({})), []);
  const truncated = classicAssignment({ t1: [0, 1] }).subarray(0, 12);
  assertThrows(() => decodeConsumerAssignment(truncated), RangeError);
});

Deno.test("ConsumerGroupDescribe v0 asks for many groups", () => {
  assertEquals([...encodeConsumerGroupDescribeV0(["g1"])], [
    0x00,
    0x02,
    0x03,
    ...bytesOf("g1"),
    0x00, // include_authorized_operations = false
    0x00,
  ]);
});

Deno.test("ConsumerGroupDescribe v0 answers: current assignment, not the target", () => {
  const topicId = new Uint8Array(16).fill(7);
  const assignment = (writer: WireWriter, partitions: Record<string, number[]>) => {
    writer.compactArrayLength(Object.keys(partitions).length);
    for (const [topic, indexes] of Object.entries(partitions)) {
      writer.raw(topicId).compactString(topic).compactArrayLength(indexes.length);
      for (const index of indexes) writer.int32(index);
      writer.noTaggedFields();
    }
    return writer.noTaggedFields();
  };
  const writer = new WireWriter().noTaggedFields().int32(0).compactArrayLength(2);
  writer.int16(0).compactNullableString(null).compactString("payments").compactString("Reconciling")
    .int32(5).int32(4).compactString("uniform").compactArrayLength(1);
  writer.compactString("Zx9").compactNullableString(null).compactNullableString("rack-1").int32(5)
    .compactString("client-a").compactString("/10.0.0.9").compactArrayLength(1)
    .compactString("t1").compactNullableString(null);
  assignment(writer, { t1: [0, 1] });
  assignment(writer, { t1: [0, 1, 2] });
  writer.noTaggedFields().int32(-2147483648).noTaggedFields();
  writer.int16(69).compactNullableString("Group gone is not a consumer group.")
    .compactString("gone").compactString("Dead").int32(-1).int32(-1).compactString("")
    .compactArrayLength(0).int32(-2147483648).noTaggedFields();
  writer.noTaggedFields();
  assertEquals(decodeConsumerGroupDescribeV0(writer.toBytes()), [
    {
      groupId: "payments",
      errorCode: 0,
      state: "Reconciling",
      members: [{
        memberId: "Zx9",
        instanceId: undefined,
        clientId: "client-a",
        host: "/10.0.0.9",
        assignment: [{ topic: "t1", partition: 0 }, { topic: "t1", partition: 1 }],
      }],
    },
    { groupId: "gone", errorCode: 69, state: "Dead", members: [] },
  ]);
});

Deno.test("a malformed assignment costs only its member: the groups of the answer are kept", () => {
  const member = (writer: WireWriter, id: string, assignment: Uint8Array) =>
    writer.string(id).nullableString(null).string(`client-${id}`).string("/10.0.0.9")
      .bytes(new Uint8Array(0)).bytes(assignment);
  const writer = new WireWriter().int32(0).int32(3);
  writer.int16(0).string("before").string("Stable").string("consumer").string("range").int32(1);
  member(writer, "a", classicAssignment({ t1: [0] })).int32(0);
  writer.int16(0).string("hostile").string("Stable").string("consumer").string("custom").int32(2);
  // A topic count of 2³¹−1 with no topics behind it, from a custom assignor.
  member(writer, "bad", new Uint8Array([0, 0, 0x7f, 0xff, 0xff, 0xff]));
  member(writer, "good", classicAssignment({ t1: [1] })).int32(0);
  writer.int16(0).string("after").string("Stable").string("consumer").string("range").int32(1);
  member(writer, "c", classicAssignment({ t2: [0] })).int32(0);
  const groups = decodeDescribeGroupsV4(writer.toBytes());
  assertEquals(groups.map((group) => group.groupId), ["before", "hostile", "after"]);
  assertEquals(groups[0].members[0].assignment, [{ topic: "t1", partition: 0 }]);
  assertEquals(groups[2].members[0].assignment, [{ topic: "t2", partition: 0 }]);
  const [bad, good] = groups[1].members;
  assertEquals(bad.assignment, []);
  assertEquals(bad.assignmentError?.startsWith("malformed assignment (6 bytes)"), true);
  assertEquals(good.assignment, [{ topic: "t1", partition: 1 }]);
  assertEquals(good.assignmentError, undefined);
});
