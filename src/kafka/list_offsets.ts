/**
 * ListOffsets v4 (Kafka 2.1+), encoded here because kafkajs rejects a whole answer when one
 * partition carries an error (NOT_LEADER_OR_FOLLOWER while a leader moves, UNKNOWN_TOPIC_OR_PARTITION
 * for a topic deleted since Metadata): a rolling restart would then cost every partition of the
 * broker. Decoded per partition, so only the partitions in error are lost or retried.
 */
import { WireReader, WireWriter } from "./wire.ts";

/** API key and the version encoded here. */
export const LIST_OFFSETS = { apiKey: 2, version: 4, name: "ListOffsets" } as const;

/** The special timestamps of ListOffsets: the log-end offset, or the log-start offset. */
export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;
const NO_LEADER_EPOCH = -1;
const CONSUMER_REPLICA_ID = -1;

/** One partition of a ListOffsets answer: the offset asked for, or the error it carries. */
export interface ListedOffset {
  topic: string;
  partition: number;
  errorCode: number;
  /** The offset asked for (log-end or log-start) when errorCode is 0. */
  offset: number;
}

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
  const writer = new WireWriter().int32(CONSUMER_REPLICA_ID).int8(isolationLevel);
  writer.int32(topics.size);
  for (const [topic, partitions] of topics) {
    writer.string(topic).int32(partitions.length);
    for (const partition of partitions) {
      writer.int32(partition).int32(NO_LEADER_EPOCH).int64(timestamp);
    }
  }
  return writer.toBytes();
}

/** Decodes a ListOffsets v4 response (after the correlation id). */
export function decodeListOffsetsV4(payload: Uint8Array): ListedOffset[] {
  const reader = new WireReader(payload);
  reader.int32(); // throttle_time_ms
  const listed: ListedOffset[] = [];
  const topicCount = reader.int32();
  for (let topicIndex = 0; topicIndex < topicCount; topicIndex++) {
    const topic = reader.string();
    const partitionCount = reader.int32();
    for (let partitionIndex = 0; partitionIndex < partitionCount; partitionIndex++) {
      const partition = reader.int32();
      const errorCode = reader.int16();
      reader.int64(); // timestamp
      const offset = reader.int64();
      reader.int32(); // leader_epoch
      listed.push({ topic, partition, errorCode, offset });
    }
  }
  return listed;
}

/** Kafka error codes after which the partition is asked again at its (new) leader. */
export const RETRIABLE_LEADER_ERRORS: ReadonlyMap<number, string> = new Map([
  [3, "UNKNOWN_TOPIC_OR_PARTITION"],
  [5, "LEADER_NOT_AVAILABLE"],
  [6, "NOT_LEADER_OR_FOLLOWER"],
  [74, "FENCED_LEADER_EPOCH"],
  [75, "UNKNOWN_LEADER_EPOCH"],
]);
