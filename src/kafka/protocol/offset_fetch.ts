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
  // Each topic name repeats once per group reading it: read once per answer.
  intern: ["groups.topics.name"],
  // Each partition is built as the committed offset the exporter keeps: a quarter of a million
  // of them at 10,000 groups, so not built twice (bench:protocol). Metadata is never used.
  skip: ["groups.topics.partitions.metadata", "groups.topics.partitions.committedLeaderEpoch"],
  reshape: {
    "groups.topics.partitions": {
      rename: { partitionIndex: "partition", committedOffset: "offset" },
      fromParent: { topic: "name" },
      sparse: ["errorCode"],
    },
  },
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
  return response.decode(payload).groups.map(({ groupId, errorCode, topics }) => {
    const offsets: CommittedOffset[] = [];
    let partitionErrors: PartitionError[] | undefined;
    for (const { partitions } of topics) {
      // Reshaped above: each element is an AnsweredPartition, not the schema's struct.
      for (const answered of partitions as unknown as AnsweredPartition[]) {
        if (answered.errorCode === undefined) offsets.push(answered);
        else {
          const { topic, partition } = answered;
          const error = kafkaErrorName(answered.errorCode);
          (partitionErrors ??= []).push({ topic, partition, error });
        }
      }
    }
    return { groupId, errorCode, offsets, partitionErrors };
  });
}
