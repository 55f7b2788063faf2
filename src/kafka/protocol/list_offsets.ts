/**
 * ListOffsets v4 (Kafka 2.1+), encoded here because kafkajs rejects a whole answer when one
 * partition carries an error (NOT_LEADER_OR_FOLLOWER while a leader moves, UNKNOWN_TOPIC_OR_PARTITION
 * for a topic deleted since Metadata): a rolling restart would then cost every partition of the
 * broker. Decoded per partition, so only the partitions in error are lost or retried.
 */
import { MessageDecoder, RequestEncoder } from "./codec.ts";
import { ListOffsetsRequest, ListOffsetsResponse } from "./messages/list_offsets.ts";

/** The special timestamps of ListOffsets: the log-end offset, or the log-start offset. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
const CONSUMER_REPLICA_ID = -1;

/** One partition of a ListOffsets answer: the offset asked for, or the error it carries. */
export interface ListedOffset {
  topic: string;
  partition: number;
  errorCode: number;
  /** The offset asked for (log-end or log-start) when errorCode is 0. */
  offset: number;
}

const request = new RequestEncoder(ListOffsetsRequest, 4);
const response = new MessageDecoder(ListOffsetsResponse, {
  version: 4,
  // Built as the ListedOffset the caller keeps (one per partition of every topic read).
  skip: ["topics.partitions.timestamp", "topics.partitions.leaderEpoch"],
  reshape: {
    "topics.partitions": { rename: { partitionIndex: "partition" }, fromParent: { topic: "name" } },
  },
});

/** API key and the version encoded here. */
export const LIST_OFFSETS = request.api;

/**
 * ListOffsets v4 body asking for one offset of each partition: the log-end offset (LATEST) or the
 * log-start offset (EARLIEST, which retention and DeleteRecords move).
 */
export function encodeListOffsetsV4(
  topics: ReadonlyMap<string, readonly number[]>,
  { isolationLevel, timestamp = LATEST_TIMESTAMP }: {
    isolationLevel: number;
    timestamp?: typeof LATEST_TIMESTAMP | typeof EARLIEST_TIMESTAMP;
  },
): Uint8Array {
  return request.encode({
    replicaId: CONSUMER_REPLICA_ID,
    isolationLevel,
    topics: [...topics].map(([name, partitions]) => ({
      name,
      partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })),
    })),
  });
}

/** Decodes a ListOffsets v4 response (after the correlation id). */
export function decodeListOffsetsV4(payload: Uint8Array): ListedOffset[] {
  // Reshaped above: each partition is a ListedOffset, not the schema's struct.
  return response.decode(payload).topics.flatMap(({ partitions }) =>
    partitions as unknown as ListedOffset[]
  );
}
