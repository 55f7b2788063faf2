/**
 * OffsetFetch v8 (KIP-709): the committed offsets of many groups in one request, which kafkajs
 * 2.2.4 cannot send (it speaks no flexible version). Encoded and decoded by the generic codec
 * from the message's schema; this module only says which version, what to ask and what to keep.
 */
import type { CommittedOffset } from "../kafka_admin.ts";
import { MessageDecoder, RequestEncoder } from "./codec.ts";
import { kafkaErrorName } from "./error_codes.ts";
import { OffsetFetchRequest, OffsetFetchResponse } from "./messages/offset_fetch.ts";

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

/** A partition as the decoder builds it: a committed offset, or an error code. */
interface AnsweredPartition extends CommittedOffset {
  /** Set only when not 0 (then the offset is not one). */
  errorCode?: number;
}

const request = new RequestEncoder(OffsetFetchRequest, 8);
const response = new MessageDecoder(OffsetFetchResponse, {
  version: 8,
  // Each topic name repeats once per group reading it, in every answer: read once (wire.ts).
  intern: ["groups.topics.name"],
  // Each partition is built as the committed offset the exporter keeps: a quarter of a million
  // of them at 10,000 groups, so not built twice (bench:protocol). Metadata is never used.
  skip: ["groups.topics.partitions.metadata", "groups.topics.partitions.committedLeaderEpoch"],
  reshape: {
    // Each group is built as the answer the caller keeps (partition errors aside).
    groups: { rename: { topics: "offsets" } },
    "groups.topics.partitions": {
      rename: { partitionIndex: "partition", committedOffset: "offset" },
      fromParent: { topic: "name" },
      sparse: ["errorCode"],
    },
  },
  // A group's partitions of every topic in one list: the offsets the exporter keeps, as read.
  flatten: { "groups.topics": "partitions" },
});

/** The API key and version of the requests encoded here. */
export const OFFSET_FETCH = request.api;

/** OffsetFetch v8 body asking for every committed partition (null topics) of each group. */
export function encodeOffsetFetchV8(groupIds: readonly string[]): Uint8Array {
  return request.encode({
    groups: groupIds.map((groupId) => ({ groupId, topics: null })),
    // Pending transactional commits are not waited for, as kafka-consumer-groups does not wait.
    requireStable: false,
  });
}

/** Decodes an OffsetFetch v8 response (after the correlation id). */
export function decodeOffsetFetchV8(payload: Uint8Array): GroupOffsetsResponse[] {
  // Reshaped and flattened above: each group is { groupId, offsets, errorCode }, its offsets
  // every partition of the group as an AnsweredPartition.
  const groups = response.decode(payload).groups as unknown as Array<
    { groupId: string; offsets: AnsweredPartition[]; errorCode: number }
  >;
  // The usual answer: no partition with an error of its own, every group kept as decoded.
  if (!response.sparseSet) return groups;
  return groups.map((group) => {
    const answered = group.offsets;
    let failed = 0;
    for (let index = 0; index < answered.length; index++) {
      if (answered[index].errorCode !== undefined) failed++;
    }
    if (failed === 0) return group;
    // Partitions with an error of their own are left out, and said why.
    const offsets: CommittedOffset[] = [];
    const partitionErrors: PartitionError[] = [];
    for (const partition of answered) {
      if (partition.errorCode === undefined) offsets.push(partition);
      else {
        partitionErrors.push({
          topic: partition.topic,
          partition: partition.partition,
          error: kafkaErrorName(partition.errorCode),
        });
      }
    }
    return { groupId: group.groupId, errorCode: group.errorCode, offsets, partitionErrors };
  });
}
