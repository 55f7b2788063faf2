/**
 * Record timestamps for lag in seconds: small Fetch requests at the committed offsets, decoded by
 * record_batch.ts (compressed batches included).
 */
import {
  type RecordLookup,
  recordLookupKey,
  type RecordTime,
  type RecordUnreadable,
} from "./kafka_admin.ts";
import {
  type AdminContext,
  askBroker,
  type InternalConnectedBroker,
  leaderIndex,
  READ_UNCOMMITTED,
  sendOwnRequest,
} from "./kafkajs/internals.ts";
import { OFFSET_OUT_OF_RANGE } from "./protocol/error_codes.ts";
import {
  decodeFetchResponseV4,
  encodeFetchV4,
  FETCH,
  type FetchedPartition,
} from "./protocol/fetch.ts";
import { findRecordTimestamps, type RecordSearchResult } from "./protocol/records/record_batch.ts";
import { describeError } from "../log/logger.ts";
import { mapConcurrent } from "../util/map_concurrent.ts";

/** Bytes asked per partition: a batch header and its first records (larger batches: see below). */
const RECORD_FETCH_BYTES = 4_096;
const MAX_PARTITIONS_PER_FETCH = 500;
/**
 * Bytes one Fetch may bring back, summed over its partitions: with `concurrency` requests in
 * flight this bounds the memory a cold start's record reads take (500 partitions × 64 KiB each
 * made responses of 32 MB, and a 1,000-group exporter peaked at 227 MB RSS).
 */
const MAX_BYTES_PER_FETCH = 1_048_576;

/** One partition to read: the offsets still wanted on it, ascending. */
interface PartitionRead {
  topic: string;
  partition: number;
  offsets: number[];
}

/** Rounds per call: each dates at least the smallest offset still wanted of every partition. */
const MAX_ROUNDS = 16;
/** A read of a partition with several wanted offsets asks this many times RECORD_FETCH_BYTES, at most. */
const MAX_FETCH_MULTIPLE = 16;

/**
 * Timestamps of the records at the given offsets (or of the first record after each, when it no
 * longer exists), with Fetch requests grouped per leader broker, `concurrency` in flight. Each
 * partition is read from its smallest wanted offset on, so one read dates every wanted offset it
 * reaches (each batch decompressed at most once, up to `maxBatchBytes`); the rest are read in the
 * next round. Lookups that fail are missing from the result, those in a malformed or oversized
 * batch say so; a partition's bytes that break a decoder cost only that partition's lookups.
 * Throws only when all fail.
 */
export async function fetchRecordTimes(
  context: AdminContext,
  { lookups, concurrency, maxBatchBytes }: {
    lookups: readonly RecordLookup[];
    concurrency: number;
    maxBatchBytes?: number;
  },
): Promise<Map<string, RecordTime | RecordUnreadable>> {
  const found = new Map<string, RecordTime | RecordUnreadable>();
  if (lookups.length === 0) return found;
  const { cluster } = context;
  const leaders = leaderIndex(cluster);
  let pending = new Map<string, PartitionRead>();
  for (const { topic, partition, offset } of lookups) {
    const key = `${topic}\u0000${partition}`;
    const read = pending.get(key);
    if (read) read.offsets.push(offset);
    else pending.set(key, { topic, partition, offsets: [offset] });
  }
  for (const read of pending.values()) {
    read.offsets = [...new Set(read.offsets)].sort((a, b) => a - b);
  }
  const failures: unknown[] = [];
  for (let round = 0; round < MAX_ROUNDS && pending.size > 0; round++) {
    const next = new Map<string, PartitionRead>();
    const byLeader = new Map<number, PartitionRead[]>();
    for (const [key, read] of pending) {
      const leader = leaders.get(key);
      if (leader === undefined || leader < 0) continue;
      const list = byLeader.get(leader);
      if (list) list.push(read);
      else byLeader.set(leader, [read]);
    }
    const requests = [...byLeader].flatMap(([leader, list]) => {
      const chunks: Array<[number, PartitionRead[]]> = [];
      let chunk: PartitionRead[] = [];
      let chunkBytes = 0;
      for (const read of list) {
        const bytes = fetchBytes(read);
        if (
          chunk.length > 0 &&
          (chunk.length >= MAX_PARTITIONS_PER_FETCH || chunkBytes + bytes > MAX_BYTES_PER_FETCH)
        ) {
          chunks.push([leader, chunk]);
          chunk = [];
          chunkBytes = 0;
        }
        chunk.push(read);
        chunkBytes += bytes;
      }
      if (chunk.length > 0) chunks.push([leader, chunk]);
      return chunks;
    });
    // Kafka answers a Fetch with whole batches only, and returns a batch larger than the size
    // asked for only to the first partition of a response (KIP-74): the others come back empty.
    // Producers batch up to 1 MB, so those partitions are read again alone.
    const alone: Array<[number, PartitionRead]> = [];
    const fetchAndRead = async (
      leader: number,
      { chunk, retryAlone }: { chunk: PartitionRead[]; retryAlone: boolean },
    ) => {
      const partitions = await askBroker(
        context,
        { nodeId: String(leader), api: "Fetch" },
        (broker) => fetchRecords(broker, chunk),
      );
      const wanted = new Map(chunk.map((read) => [`${read.topic}\u0000${read.partition}`, read]));
      for (const partition of partitions) {
        const key = `${partition.topic}\u0000${partition.partition}`;
        const read = wanted.get(key);
        if (!read) continue;
        if (partition.errorCode === OFFSET_OUT_OF_RANGE && read.offsets.length > 1) {
          // The smallest offset is below the log start (retention deleted it since the lookup
          // was planned): the others may still exist, so read again from the next one.
          next.set(key, { ...read, offsets: read.offsets.slice(1) });
          continue;
        }
        if (partition.errorCode !== 0) continue;
        const results = searchContained(partition, { offsets: read.offsets, maxBatchBytes });
        const first = results[0];
        if (retryAlone && (!first || (!("unreadable" in first) && !first.exact))) {
          alone.push([leader, read]);
          continue;
        }
        const remaining: number[] = [];
        read.offsets.forEach((offset, index) => {
          const result = results[index];
          // Alone, an inexact answer for the first offset is the best there is (a batch that
          // cannot be decompressed); later ones are read again from their own offset.
          if (result && ("unreadable" in result || result.exact || index === 0)) {
            found.set(recordLookupKey({ ...read, offset }), result);
          } else if (index > 0) remaining.push(offset);
        });
        if (remaining.length > 0) next.set(key, { ...read, offsets: remaining });
      }
    };
    // A broker that fails loses only its own lookups.
    await mapConcurrent(
      { items: requests, concurrency },
      ([leader, chunk]) =>
        fetchAndRead(leader, { chunk, retryAlone: chunk.length > 1 }).catch((error) =>
          failures.push(error)
        ),
    );
    await mapConcurrent(
      { items: alone, concurrency },
      ([leader, read]) =>
        fetchAndRead(leader, { chunk: [read], retryAlone: false }).catch((error) =>
          failures.push(error)
        ),
    );
    pending = next;
  }
  if (found.size === 0 && failures.length > 0) throw failures[0];
  return found;
}

/**
 * Every wanted offset of one partition's bytes in one walk. A decoder failure the walk does not
 * catch itself is still that partition's alone: its lookups become malformed, the rest of the
 * Fetch answer is unaffected.
 */
function searchContained(
  partition: FetchedPartition,
  { offsets, maxBatchBytes }: { offsets: readonly number[]; maxBatchBytes?: number },
): RecordSearchResult[] {
  try {
    return findRecordTimestamps(partition.records, offsets, { maxBatchBytes });
  } catch (error) {
    const detail = `the records could not be decoded: ${describeError(error)}`;
    return offsets.map(() => ({ unreadable: "malformed", detail }));
  }
}

/** Bytes asked for a partition: a few KiB per wanted offset, up to MAX_FETCH_MULTIPLE of them. */
function fetchBytes(read: PartitionRead): number {
  return RECORD_FETCH_BYTES * Math.min(read.offsets.length, MAX_FETCH_MULTIPLE);
}

/**
 * One Fetch v4 request from each partition's smallest wanted offset, a few KiB per wanted offset,
 * decoded by record_batch.ts.
 */
function fetchRecords(
  broker: InternalConnectedBroker,
  reads: PartitionRead[],
): Promise<FetchedPartition[]> {
  const partitions = reads.map((read) => ({
    topic: read.topic,
    partition: read.partition,
    fetchOffset: read.offsets[0],
    maxBytes: fetchBytes(read),
  }));
  const maxBytes = partitions.reduce((sum, partition) => sum + partition.maxBytes, 0);
  return sendOwnRequest(broker, {
    api: FETCH,
    body: encodeFetchV4(partitions, { maxBytes, isolationLevel: READ_UNCOMMITTED }),
    decode: decodeFetchResponseV4,
  });
}
