/**
 * What the members of a group hold: DescribeGroups v4 (classic groups, many per request) and
 * ConsumerGroupDescribe v0 (KIP-848 consumer groups), which kafkajs 2.2.4 cannot send, and the
 * classic consumer's assignment bytes (ConsumerProtocolAssignment). All encoded and decoded by
 * the generic codec from the messages' schemas. DescribeGroups v4 is not flexible.
 */
import type { GroupMember, TopicPartition } from "../kafka_admin.ts";
import { MessageDecoder, RequestEncoder } from "./codec.ts";
import {
  ConsumerGroupDescribeRequest,
  ConsumerGroupDescribeResponse,
} from "./messages/consumer_group_describe.ts";
import { ConsumerProtocolAssignment } from "./messages/consumer_protocol_assignment.ts";
import { DescribeGroupsRequest, DescribeGroupsResponse } from "./messages/describe_groups.ts";

/** One group of a DescribeGroups or ConsumerGroupDescribe answer. */
export interface DescribedGroup {
  groupId: string;
  /** Kafka error code of the group (0 = none). */
  errorCode: number;
  state: string;
  members: GroupMember[];
}

const describeGroups = new RequestEncoder(DescribeGroupsRequest, 4);
const describedGroups = new MessageDecoder(DescribeGroupsResponse, {
  version: 4,
  skip: ["groups.members.memberMetadata"],
  // Few distinct values across the groups of an answer: one string each (see list_groups.ts).
  intern: [
    "groups.groupState",
    "groups.protocolType",
    "groups.protocolData",
    "groups.members.clientId",
    "groups.members.clientHost",
  ],
});
const consumerGroupDescribe = new RequestEncoder(ConsumerGroupDescribeRequest, 0);
const consumerGroupsDescribed = new MessageDecoder(ConsumerGroupDescribeResponse, { version: 0 });
/** The assignment's layout of each version; a newer one is read as the newest known. */
const assignmentVersions = [0, 1, 2, 3].map((version) =>
  new MessageDecoder(ConsumerProtocolAssignment, { version, header: false })
);

export const DESCRIBE_GROUPS = describeGroups.api;
export const CONSUMER_GROUP_DESCRIBE = consumerGroupDescribe.api;

/** DescribeGroups v4 body for many classic groups (authorized operations not asked). */
export function encodeDescribeGroupsV4(groupIds: readonly string[]): Uint8Array {
  return describeGroups.encode({ groups: [...groupIds], includeAuthorizedOperations: false });
}

/** Decodes a DescribeGroups v4 answer; assignments are read for "consumer" protocol groups. */
export function decodeDescribeGroupsV4(payload: Uint8Array): DescribedGroup[] {
  return describedGroups.decode(payload).groups.map((group) => ({
    groupId: group.groupId,
    errorCode: group.errorCode,
    state: group.groupState,
    members: group.members.map((answered) => {
      const member: GroupMember = {
        memberId: answered.memberId,
        instanceId: answered.groupInstanceId ?? undefined,
        clientId: answered.clientId,
        host: answered.clientHost,
        assignment: [],
      };
      // Connect and other protocols encode assignments their own way.
      if (group.protocolType !== "consumer") return member;
      // The assignment is the group leader's bytes (any assignor, any client), delimited by its
      // length: a malformed one costs only this member's partitions, not the answer.
      const bytes = answered.memberAssignment;
      try {
        member.assignment = decodeConsumerAssignment(bytes);
      } catch (error) {
        member.assignmentError = `malformed assignment (${bytes.byteLength} bytes): ${
          error instanceof Error ? error.message : String(error)
        }`;
      }
      return member;
    }),
  }));
}

/**
 * The partitions of a classic consumer's assignment: a version (int16), then that version of
 * ConsumerProtocolAssignment. Empty bytes (a group not Stable) assign nothing.
 */
export function decodeConsumerAssignment(bytes: Uint8Array): TopicPartition[] {
  if (bytes.byteLength === 0) return [];
  if (bytes.byteLength < 2) throw new RangeError("read past the end of the buffer");
  const version = new DataView(bytes.buffer, bytes.byteOffset, 2).getInt16(0);
  if (version < 0) throw new RangeError(`assignment version ${version}`);
  const decoder = assignmentVersions[Math.min(version, assignmentVersions.length - 1)];
  return decoder.decode(bytes.subarray(2)).assignedPartitions.flatMap(({ topic, partitions }) =>
    partitions.map((partition) => ({ topic, partition }))
  );
}

/** ConsumerGroupDescribe v0 body for many KIP-848 groups. */
export function encodeConsumerGroupDescribeV0(groupIds: readonly string[]): Uint8Array {
  return consumerGroupDescribe.encode({
    groupIds: [...groupIds],
    includeAuthorizedOperations: false,
  });
}

/** Decodes a ConsumerGroupDescribe v0 answer (after the correlation id). */
export function decodeConsumerGroupDescribeV0(payload: Uint8Array): DescribedGroup[] {
  return consumerGroupsDescribed.decode(payload).groups.map((group) => ({
    groupId: group.groupId,
    errorCode: group.errorCode,
    state: group.groupState,
    members: group.members.map((answered) => ({
      memberId: answered.memberId,
      instanceId: answered.instanceId ?? undefined,
      clientId: answered.clientId,
      host: answered.clientHost,
      // The current assignment; the target is where a reconciliation is heading.
      assignment: answered.assignment.topicPartitions.flatMap(({ topicName, partitions }) =>
        partitions.map((partition) => ({ topic: topicName, partition }))
      ),
    })),
  }));
}
