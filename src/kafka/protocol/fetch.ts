/**
 * Fetch v4: a few KiB of records at the committed offsets, for their timestamps (lag in seconds).
 * Encoded and decoded by the generic codec from the message's schema; the record bytes of each
 * partition are read by record_batch.ts.
 */
import { MessageDecoder, RequestEncoder } from "./codec.ts";
import { FetchRequest, FetchResponse } from "./messages/fetch.ts";

/** One partition of a Fetch response. */
export interface FetchedPartition {
  topic: string;
  partition: number;
  errorCode: number;
  records: Uint8Array;
}

/** One partition to read: from which offset, and how many bytes at most. */
export interface PartitionFetch {
  topic: string;
  partition: number;
  fetchOffset: number;
  maxBytes: number;
}

const CONSUMER_REPLICA_ID = -1;
const request = new RequestEncoder(FetchRequest, 4);
const response = new MessageDecoder(FetchResponse, {
  version: 4,
  skip: ["responses.partitions.highWatermark", "responses.partitions.lastStableOffset"],
});

/** The API key and version of the requests encoded here. */
export const FETCH = request.api;

/** Fetch v4 body for `partitions`, answered at once with what is there (no waiting). */
export function encodeFetchV4(
  partitions: readonly PartitionFetch[],
  { maxBytes, isolationLevel }: { maxBytes: number; isolationLevel: number },
): Uint8Array {
  const byTopic = new Map<string, PartitionFetch[]>();
  for (const partition of partitions) {
    const list = byTopic.get(partition.topic);
    if (list) list.push(partition);
    else byTopic.set(partition.topic, [partition]);
  }
  return request.encode({
    replicaId: CONSUMER_REPLICA_ID,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes,
    isolationLevel,
    topics: [...byTopic].map(([topic, list]) => ({
      topic,
      partitions: list.map(({ partition, fetchOffset, maxBytes }) => ({
        partition,
        fetchOffset,
        partitionMaxBytes: maxBytes,
      })),
    })),
  });
}

/** Decodes a Fetch response body (version 4, after the correlation id). */
export function decodeFetchResponseV4(body: Uint8Array): FetchedPartition[] {
  return response.decode(body).responses.flatMap(({ topic, partitions }) =>
    partitions.map(({ partitionIndex, errorCode, records }) => ({
      topic,
      partition: partitionIndex,
      errorCode,
      records: records ?? new Uint8Array(0),
    }))
  );
}
