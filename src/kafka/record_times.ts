/**
 * Record timestamps for lag in seconds: small Fetch requests at the committed offsets, decoded by
 * record_batch.ts (compressed batches included).
 */
import fetchRequestV4 from "kafkajs/src/protocol/requests/fetch/v4/request.js";
import { type RecordLookup, recordLookupKey, type RecordTime } from "./kafka_admin.ts";
import {
  type AdminContext,
  type InternalConnectedBroker,
  leaderIndex,
  READ_UNCOMMITTED,
} from "./kafkajs_internals.ts";
import { decodeFetchResponseV4, findRecordTimestamp } from "./record_batch.ts";
import { mapConcurrent } from "../util/map_concurrent.ts";

/** Bytes asked per partition: a batch header and its first records (larger batches: see below). */
const RECORD_FETCH_BYTES = 4_096;
const MAX_PARTITIONS_PER_FETCH = 500;

/**
 * Timestamps of the records at the given offsets (or of the first record after each, when it no
 * longer exists), with Fetch requests grouped per leader broker, `concurrency` in flight. Lookups
 * that fail are missing from the result; throws only when all fail.
 */
export async function fetchRecordTimes(
  context: AdminContext,
  lookups: readonly RecordLookup[],
  concurrency: number,
): Promise<Map<string, RecordTime>> {
  const found = new Map<string, RecordTime>();
  if (lookups.length === 0) return found;
  const { cluster } = context;
  const leaders = leaderIndex(cluster);
  // A Fetch request names each partition once: groups at different offsets of one partition
  // are looked up in successive rounds.
  let pending = [...new Map(lookups.map((lookup) => [recordLookupKey(lookup), lookup])).values()];
  const failures: unknown[] = [];
  while (pending.length > 0) {
    const round = new Map<string, RecordLookup>();
    const later: RecordLookup[] = [];
    for (const lookup of pending) {
      const partitionKey = `${lookup.topic}\u0000${lookup.partition}`;
      if (round.has(partitionKey)) later.push(lookup);
      else round.set(partitionKey, lookup);
    }
    const byLeader = new Map<number, RecordLookup[]>();
    for (const [partitionKey, lookup] of round) {
      const leader = leaders.get(partitionKey);
      if (leader === undefined || leader < 0) continue;
      const list = byLeader.get(leader);
      if (list) list.push(lookup);
      else byLeader.set(leader, [lookup]);
    }
    const requests = [...byLeader].flatMap(([leader, list]) => {
      const chunks: Array<[number, RecordLookup[]]> = [];
      for (let start = 0; start < list.length; start += MAX_PARTITIONS_PER_FETCH) {
        chunks.push([leader, list.slice(start, start + MAX_PARTITIONS_PER_FETCH)]);
      }
      return chunks;
    });
    // Kafka answers a Fetch with whole batches only, and returns a batch larger than the size
    // asked for only to the first partition of a response (KIP-74): the others come back empty.
    // Producers batch up to 1 MB, so those partitions are fetched again alone.
    const alone: Array<[number, RecordLookup]> = [];
    const fetchAndRead = async (leader: number, chunk: RecordLookup[], retryAlone: boolean) => {
      const broker = await cluster.findBroker({ nodeId: String(leader) });
      const partitions = await context.timed("Fetch", () => fetchRecords(broker, chunk));
      const wanted = new Map(
        chunk.map((lookup) => [`${lookup.topic}\u0000${lookup.partition}`, lookup]),
      );
      for (const partition of partitions) {
        const lookup = wanted.get(`${partition.topic}\u0000${partition.partition}`);
        if (!lookup || partition.errorCode !== 0) continue;
        const record = findRecordTimestamp(partition.records, lookup.offset);
        if (retryAlone && !record?.exact) {
          alone.push([leader, lookup]);
        } else if (record) {
          found.set(recordLookupKey(lookup), {
            timestampMs: record.timestampMs,
            exact: record.exact,
          });
        }
      }
    };
    // A broker that fails loses only its own lookups.
    await mapConcurrent(
      requests,
      concurrency,
      ([leader, chunk]) =>
        fetchAndRead(leader, chunk, chunk.length > 1).catch((error) => failures.push(error)),
    );
    await mapConcurrent(
      alone,
      concurrency,
      ([leader, lookup]) =>
        fetchAndRead(leader, [lookup], false).catch((error) => failures.push(error)),
    );
    pending = later;
  }
  if (found.size === 0 && failures.length > 0) throw failures[0];
  return found;
}

/** One Fetch v4 request for a few KiB at each lookup's offset, decoded by record_batch.ts. */
function fetchRecords(broker: InternalConnectedBroker, lookups: RecordLookup[]) {
  const topics = new Map<
    string,
    Array<{ partition: number; fetchOffset: string; maxBytes: number }>
  >();
  for (const { topic, partition, offset } of lookups) {
    const list = topics.get(topic) ?? [];
    list.push({ partition, fetchOffset: String(offset), maxBytes: RECORD_FETCH_BYTES });
    topics.set(topic, list);
  }
  return broker.connectionPool.send({
    request: fetchRequestV4({
      replicaId: -1,
      maxWaitTime: 0,
      minBytes: 0,
      maxBytes: RECORD_FETCH_BYTES * lookups.length,
      isolationLevel: READ_UNCOMMITTED,
      topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
    }),
    response: {
      decode: (payload) => Promise.resolve(decodeFetchResponseV4(payload)),
      parse: (data) => Promise.resolve(data),
    },
  }) as Promise<ReturnType<typeof decodeFetchResponseV4>>;
}
