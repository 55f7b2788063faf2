/**
 * The requests that tell what a group is doing, encoded here because kafkajs 2.2.4 cannot send
 * them: ListGroups v4/v5 (state and type of every group, KIP-518 and KIP-848), DescribeGroups v4
 * (members and assignments of classic groups, many groups per request) and ConsumerGroupDescribe
 * v0 (the same for KIP-848 consumer groups). Field layouts follow the schemas of the kafka-clients
 * jar the tests run against.
 *
 * As in group_requests.ts, kafkajs writes the classic request header and strips the correlation
 * id of the answer: flexible bodies start with the header's empty tagged-field section, and their
 * answers with the response header's tagged fields. DescribeGroups v4 is not flexible.
 */
import type { TopicPartition } from "./kafka_admin.ts";
import { WireReader, WireWriter } from "./wire.ts";

export const LIST_GROUPS_V5 = { apiKey: 16, version: 5, name: "ListGroups" } as const;
export const LIST_GROUPS_V4 = { apiKey: 16, version: 4, name: "ListGroups" } as const;
export const DESCRIBE_GROUPS = { apiKey: 15, version: 4, name: "DescribeGroups" } as const;
export const CONSUMER_GROUP_DESCRIBE = {
  apiKey: 69,
  version: 0,
  name: "ConsumerGroupDescribe",
} as const;

/** One group of a ListGroups answer. */
export interface ListedGroup {
  groupId: string;
  /** "consumer" for consumer groups, "connect" for Connect workers, "" for offset-only groups. */
  protocolType: string;
  state: string;
  /** "classic", "consumer", … (ListGroups v5); undefined before: every group is classic. */
  type?: string;
}

/** A group member as DescribeGroups or ConsumerGroupDescribe report it. */
export interface DescribedMember {
  memberId: string;
  /** The static membership id (group.instance.id), when set. */
  instanceId?: string;
  clientId: string;
  host: string;
  /** The partitions assigned to the member now. */
  assignment: TopicPartition[];
  /** Why the member's assignment could not be decoded (its partitions then have no owner). */
  assignmentError?: string;
}

/** One group of a DescribeGroups or ConsumerGroupDescribe answer. */
export interface DescribedGroup {
  groupId: string;
  /** Kafka error code of the group (0 = none). */
  errorCode: number;
  state: string;
  members: DescribedMember[];
}

/** ListGroups v4 or v5 body asking for every group (no state or type filter). */
export function encodeListGroups(version: 4 | 5): Uint8Array {
  const writer = new WireWriter().noTaggedFields(); // request header v2
  writer.compactArrayLength(0); // states_filter: none
  if (version >= 5) writer.compactArrayLength(0); // types_filter: none
  return writer.noTaggedFields().toBytes();
}

/** Decodes a ListGroups v4 or v5 answer (after the correlation id). */
export function decodeListGroups(
  payload: Uint8Array,
  version: 4 | 5,
): { errorCode: number; groups: ListedGroup[] } {
  const reader = new WireReader(payload);
  reader.skipTaggedFields(); // response header v1
  reader.int32(); // throttle_time_ms
  const errorCode = reader.int16();
  const count = reader.compactArrayLength();
  const groups: ListedGroup[] = [];
  for (let index = 0; index < count; index++) {
    const groupId = reader.compactString();
    const protocolType = reader.compactString();
    const state = reader.compactString();
    const type = version >= 5 ? reader.compactString() : undefined;
    reader.skipTaggedFields();
    groups.push({ groupId, protocolType, state, type });
  }
  reader.skipTaggedFields();
  return { errorCode, groups };
}

/** DescribeGroups v4 body for many classic groups (authorized operations not asked). */
export function encodeDescribeGroupsV4(groupIds: readonly string[]): Uint8Array {
  const writer = new WireWriter().int32(groupIds.length);
  for (const groupId of groupIds) writer.string(groupId);
  return writer.boolean(false).toBytes();
}

/** Decodes a DescribeGroups v4 answer; assignments are read for "consumer" protocol groups. */
export function decodeDescribeGroupsV4(payload: Uint8Array): DescribedGroup[] {
  const reader = new WireReader(payload);
  reader.int32(); // throttle_time_ms
  const count = reader.int32();
  const groups: DescribedGroup[] = [];
  for (let index = 0; index < count; index++) {
    const errorCode = reader.int16();
    const groupId = reader.string();
    const state = reader.string();
    const protocolType = reader.string();
    reader.string(); // protocol_data: the assignor's name
    const memberCount = reader.int32();
    const members: DescribedMember[] = [];
    for (let memberIndex = 0; memberIndex < memberCount; memberIndex++) {
      const memberId = reader.string();
      const instanceId = reader.nullableString();
      const clientId = reader.string();
      const host = reader.string();
      reader.nullableBytes(); // member_metadata: the subscription
      const assignmentBytes = reader.nullableBytes();
      // Connect and other protocols encode assignments their own way.
      const member: DescribedMember = { memberId, instanceId, clientId, host, assignment: [] };
      if (protocolType === "consumer") {
        // The assignment is the group leader's bytes (any assignor, any client), delimited by
        // its length: a malformed one costs only this member's partitions, not the answer.
        try {
          member.assignment = decodeConsumerAssignment(assignmentBytes);
        } catch (error) {
          member.assignmentError = `malformed assignment (${assignmentBytes.byteLength} bytes): ${
            error instanceof Error ? error.message : String(error)
          }`;
        }
      }
      members.push(member);
    }
    reader.int32(); // authorized_operations
    groups.push({ groupId, errorCode, state, members });
  }
  return groups;
}

/**
 * The partitions of a classic consumer's assignment (ConsumerProtocolAssignment, any version:
 * the partition list leads in all of them). Empty bytes (a group not Stable) assign nothing.
 */
export function decodeConsumerAssignment(bytes: Uint8Array): TopicPartition[] {
  if (bytes.byteLength === 0) return [];
  const reader = new WireReader(bytes);
  reader.int16(); // version
  const assignment: TopicPartition[] = [];
  const topicCount = reader.int32();
  for (let topicIndex = 0; topicIndex < topicCount; topicIndex++) {
    const topic = reader.string();
    const partitionCount = reader.int32();
    for (let partitionIndex = 0; partitionIndex < partitionCount; partitionIndex++) {
      assignment.push({ topic, partition: reader.int32() });
    }
  }
  return assignment;
}

/** ConsumerGroupDescribe v0 body for many KIP-848 groups. */
export function encodeConsumerGroupDescribeV0(groupIds: readonly string[]): Uint8Array {
  const writer = new WireWriter().noTaggedFields(); // request header v2
  writer.compactArrayLength(groupIds.length);
  for (const groupId of groupIds) writer.compactString(groupId);
  return writer.boolean(false).noTaggedFields().toBytes();
}

/** Decodes a ConsumerGroupDescribe v0 answer (after the correlation id). */
export function decodeConsumerGroupDescribeV0(payload: Uint8Array): DescribedGroup[] {
  const reader = new WireReader(payload);
  reader.skipTaggedFields(); // response header v1
  reader.int32(); // throttle_time_ms
  const count = reader.compactArrayLength();
  const groups: DescribedGroup[] = [];
  for (let index = 0; index < count; index++) {
    const errorCode = reader.int16();
    reader.compactNullableString(); // error_message
    const groupId = reader.compactString();
    const state = reader.compactString();
    reader.int32(); // group_epoch
    reader.int32(); // assignment_epoch
    reader.compactString(); // assignor_name
    const memberCount = reader.compactArrayLength();
    const members: DescribedMember[] = [];
    for (let memberIndex = 0; memberIndex < memberCount; memberIndex++) {
      const memberId = reader.compactString();
      const instanceId = reader.compactNullableString();
      reader.compactNullableString(); // rack_id
      reader.int32(); // member_epoch
      const clientId = reader.compactString();
      const host = reader.compactString();
      const subscribedCount = reader.compactArrayLength();
      for (let topicIndex = 0; topicIndex < subscribedCount; topicIndex++) reader.compactString();
      reader.compactNullableString(); // subscribed_topic_regex
      const assignment = readKip848Assignment(reader);
      readKip848Assignment(reader); // target_assignment: where a reconciliation is heading
      reader.skipTaggedFields();
      members.push({ memberId, instanceId, clientId, host, assignment });
    }
    reader.int32(); // authorized_operations
    reader.skipTaggedFields();
    groups.push({ groupId, errorCode, state, members });
  }
  reader.skipTaggedFields();
  return groups;
}

function readKip848Assignment(reader: WireReader): TopicPartition[] {
  const assignment: TopicPartition[] = [];
  const topicCount = reader.compactArrayLength();
  for (let topicIndex = 0; topicIndex < topicCount; topicIndex++) {
    reader.slice(16); // topic_id (UUID)
    const topic = reader.compactString();
    const partitionCount = reader.compactArrayLength();
    for (let partitionIndex = 0; partitionIndex < partitionCount; partitionIndex++) {
      assignment.push({ topic, partition: reader.int32() });
    }
    reader.skipTaggedFields();
  }
  reader.skipTaggedFields();
  return assignment;
}
