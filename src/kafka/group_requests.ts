/**
 * The group-batched requests kafkajs cannot send: OffsetFetch v8 (KIP-709: many groups per
 * request) and FindCoordinator v4 (KIP-699: many keys per request). Both are "flexible"
 * versions: compact types, tagged fields, and a request header with its own tagged fields.
 *
 * kafkajs writes the classic header (api key, version, correlation id, client id) and then our
 * body; a flexible header is the same plus an empty tagged-field section, so each body here
 * starts with that byte. Likewise kafkajs strips the correlation id of a response and hands us
 * the rest, which starts with the response header's tagged fields.
 */
import type { CommittedOffset } from "./kafka_admin.ts";
import { StringInterner, WireReader, WireWriter } from "./wire.ts";

/** Kafka API keys and the versions encoded here. */
export const OFFSET_FETCH = { apiKey: 9, version: 8, name: "OffsetFetch" } as const;
export const FIND_COORDINATOR = { apiKey: 10, version: 4, name: "FindCoordinator" } as const;

const GROUP_KEY_TYPE = 0;

/** One group's answer in an OffsetFetch v8 response. */
export interface GroupOffsetsResponse {
  groupId: string;
  /** Kafka error code of the group (0 = none). */
  errorCode: number;
  /** Committed offsets of partitions answered without error (negative = no commit). */
  offsets: CommittedOffset[];
  /** Partitions answered with an error of their own (left out of `offsets`). */
  partitionErrors?: PartitionError[];
}

/** A partition of a group answered with an error code. */
export interface PartitionError {
  topic: string;
  partition: number;
  error: string;
}

/** One key's answer in a FindCoordinator v4 response. */
export interface CoordinatorResponse {
  key: string;
  nodeId: number;
  errorCode: number;
}

/** OffsetFetch v8 body asking for every committed partition (null topics) of each group. */
export function encodeOffsetFetchV8(groupIds: readonly string[]): Uint8Array {
  const writer = new WireWriter().noTaggedFields(); // request header v2
  writer.compactArrayLength(groupIds.length);
  for (const groupId of groupIds) {
    writer.compactString(groupId).compactArrayLength(null).noTaggedFields();
  }
  // require_stable = false: pending transactional commits are not waited for, as
  // kafka-consumer-groups does not wait either.
  return writer.boolean(false).noTaggedFields().toBytes();
}

/** Decodes an OffsetFetch v8 response (after the correlation id). */
export function decodeOffsetFetchV8(payload: Uint8Array): GroupOffsetsResponse[] {
  const reader = new WireReader(payload);
  // Each topic name appears once per group reading it: read it once per answer.
  const topicNames = new StringInterner();
  reader.skipTaggedFields(); // response header v1
  reader.int32(); // throttle_time_ms
  const groupCount = reader.compactArrayLength();
  const groups: GroupOffsetsResponse[] = [];
  for (let groupIndex = 0; groupIndex < groupCount; groupIndex++) {
    const groupId = reader.compactString();
    const offsets: CommittedOffset[] = [];
    const partitionErrors: PartitionError[] = [];
    const topicCount = reader.compactArrayLength();
    for (let topicIndex = 0; topicIndex < topicCount; topicIndex++) {
      const topic = reader.internedCompactString(topicNames);
      const partitionCount = reader.compactArrayLength();
      for (let partitionIndex = 0; partitionIndex < partitionCount; partitionIndex++) {
        const partition = reader.int32();
        const offset = reader.int64();
        reader.int32(); // committed_leader_epoch
        reader.skipCompactString(); // metadata
        const errorCode = reader.int16();
        reader.skipTaggedFields();
        if (errorCode === 0) offsets.push({ topic, partition, offset });
        else {
          const error = KAFKA_ERROR_NAMES[errorCode] ?? `Kafka error code ${errorCode}`;
          partitionErrors.push({ topic, partition, error });
        }
      }
      reader.skipTaggedFields();
    }
    const errorCode = reader.int16();
    reader.skipTaggedFields();
    groups.push({
      groupId,
      errorCode,
      offsets,
      partitionErrors: partitionErrors.length > 0 ? partitionErrors : undefined,
    });
  }
  reader.skipTaggedFields();
  return groups;
}

/** FindCoordinator v4 body for the coordinators of many groups. */
export function encodeFindGroupCoordinatorsV4(groupIds: readonly string[]): Uint8Array {
  const writer = new WireWriter().noTaggedFields(); // request header v2
  writer.int8(GROUP_KEY_TYPE).compactArrayLength(groupIds.length);
  for (const groupId of groupIds) writer.compactString(groupId);
  return writer.noTaggedFields().toBytes();
}

/** Decodes a FindCoordinator v4 response (after the correlation id). */
export function decodeFindCoordinatorV4(payload: Uint8Array): CoordinatorResponse[] {
  const reader = new WireReader(payload);
  reader.skipTaggedFields(); // response header v1
  reader.int32(); // throttle_time_ms
  const count = reader.compactArrayLength();
  const coordinators: CoordinatorResponse[] = [];
  for (let index = 0; index < count; index++) {
    const key = reader.compactString();
    const nodeId = reader.int32();
    reader.compactString(); // host
    reader.int32(); // port
    const errorCode = reader.int16();
    reader.compactString(); // error_message
    reader.skipTaggedFields();
    coordinators.push({ key, nodeId, errorCode });
  }
  reader.skipTaggedFields();
  return coordinators;
}

/** Kafka error codes the group requests answer with (groups and partitions), by name. */
export const KAFKA_ERROR_NAMES: Readonly<Record<number, string>> = {
  3: "UNKNOWN_TOPIC_OR_PARTITION",
  14: "COORDINATOR_LOAD_IN_PROGRESS",
  15: "COORDINATOR_NOT_AVAILABLE",
  16: "NOT_COORDINATOR",
  30: "GROUP_AUTHORIZATION_FAILED",
  31: "CLUSTER_AUTHORIZATION_FAILED",
  69: "GROUP_ID_NOT_FOUND",
};

/** The group no longer exists (deleted since it was listed). */
export const GROUP_ID_NOT_FOUND = 69;

/** Errors after which the group's coordinator must be looked up again. */
export function isCoordinatorError(errorCode: number): boolean {
  return errorCode === 14 || errorCode === 15 || errorCode === 16;
}
