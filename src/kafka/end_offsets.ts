/**
 * Log-end offsets of every partition, one ListOffsets per leader broker, tolerant of partial
 * failure: a broker that is down or hangs, or partitions whose leadership moves, cost only their
 * own partitions for one iteration.
 */
import {
  type EndOffset,
  type EndOffsets,
  KafkaAuthorizationError,
  type TopicPartition,
  type UnavailablePartition,
} from "./kafka_admin.ts";
import {
  type AdminContext,
  asError,
  askBroker,
  explainAuthorization,
  groupError,
  type InternalConnectedBroker,
  leaderIndex,
  MISSING_ACL,
  noteTimeout,
  READ_UNCOMMITTED,
  sendOwnRequest,
  supports,
} from "./kafkajs/internals.ts";
import {
  decodeListOffsetsV4,
  EARLIEST_TIMESTAMP,
  encodeListOffsetsV4,
  LATEST_TIMESTAMP,
  LIST_OFFSETS,
  type ListedOffset,
} from "./protocol/list_offsets.ts";
import {
  isRetriableLeaderError,
  kafkaErrorName,
  TOPIC_AUTHORIZATION_FAILED,
} from "./protocol/error_codes.ts";
import { BrokerUnresponsiveError } from "./kafkajs/unresponsive_brokers.ts";

/** Metadata requests tried before an iteration gives up (each after the last broker failed). */
const METADATA_ATTEMPTS = 3;
/** Pauses before each retry of partitions whose leader failed or moved. */
const RETRY_DELAYS_MS = [0, 250, 500, 750];

/**
 * Log-end offsets, one ListOffsets per leader. A leader that fails, or partitions that answer
 * a leadership error (a leader moving during a rolling restart, a topic deleted since the
 * Metadata answer), are asked again at their new leader after a metadata refresh (a few times,
 * within 1.5 s); what still fails is reported unavailable, and every other partition is measured
 * as usual.
 */
export async function fetchEndOffsets(
  context: AdminContext,
  includeTopic: (topic: string) => boolean,
): Promise<EndOffsets> {
  const { cluster } = context;
  // Metadata of every topic (what kafkajs asks for while it tracks no topic by name; asking
  // by name would fail the whole request once one is deleted). It also refreshes the brokers
  // and leaders that findBroker relies on.
  await refreshMetadata(context);
  const offsets: EndOffset[] = [];
  const unavailable: UnavailablePartition[] = [];
  const wanted: TopicPartition[] = [];
  for (const { topic, partitionMetadata } of cluster.brokerPool.metadata?.topicMetadata ?? []) {
    if (!includeTopic(topic)) continue;
    for (const { partitionId } of partitionMetadata) {
      wanted.push({ topic, partition: partitionId });
    }
  }
  let retry = await listOffsetsAtLeaders(context, wanted, { offsets, unavailable });
  // While a broker shuts down, the controller moves its leaderships one by one: metadata read
  // right after a NOT_LEADER answer may still name the old leader. A few short retries cover the
  // move (RETRY_DELAYS_MS, 1.5 s in all), well within the iteration's deadline.
  for (const delayMs of RETRY_DELAYS_MS) {
    if (retry.length === 0) break;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    await refreshMetadata(context).catch(() => {});
    retry = await listOffsetsAtLeaders(context, retry, { offsets, unavailable });
  }
  unavailable.push(...retry);
  if (offsets.length === 0 && unavailable.length > 0) {
    throw new Error(`no partition could be read: ${unavailable[0].detail}`);
  }
  return { offsets, unavailable };
}

/**
 * Metadata from any connected broker; asked a second time when the first broker fails (one
 * shutting down still looks connected until its answer fails, and kafkajs then picks another).
 */
async function refreshMetadata(context: AdminContext): Promise<void> {
  const { cluster, timed } = context;
  for (let attempt = 1;; attempt++) {
    try {
      await timed("Metadata", () => cluster.refreshMetadata());
      return;
    } catch (error) {
      if (explainAuthorization(error) instanceof KafkaAuthorizationError) throw error;
      if (attempt === METADATA_ATTEMPTS) throw error;
      // A hung broker is held back, so the next attempt goes elsewhere (steerMetadataRequests).
      const asked = context.metadataBroker();
      if (asked !== undefined) noteTimeout(context, { assumedNodeId: asked, error });
    }
  }
}

/**
 * Asks each partition's current leader (from the last metadata) for its end offset. Partitions
 * without a leader, and non-retriable errors, go to `unavailable`; those worth asking again
 * after a metadata refresh are returned.
 */
async function listOffsetsAtLeaders(
  context: AdminContext,
  partitions: readonly TopicPartition[],
  { offsets, unavailable }: EndOffsets,
): Promise<UnavailablePartition[]> {
  const { cluster } = context;
  const leaders = leaderIndex(cluster);
  const byLeader = new Map<number, Map<string, number[]>>();
  for (const { topic, partition } of partitions) {
    const leader = leaders.get(`${topic}\u0000${partition}`);
    if (leader === undefined || leader < 0) {
      unavailable.push({
        topic,
        partition,
        reason: "no-leader",
        detail: leader === undefined ? "not in the metadata" : "no leader",
      });
      continue;
    }
    let topics = byLeader.get(leader);
    if (!topics) byLeader.set(leader, topics = new Map());
    const list = topics.get(topic);
    if (list) list.push(partition);
    else topics.set(topic, [partition]);
  }
  const retry: UnavailablePartition[] = [];
  await Promise.all([...byLeader].map(async ([leader, topics]) => {
    let listed: ListedOffset[];
    let logStarts: Map<string, number> | undefined;
    try {
      [listed, logStarts] = await askBroker(
        context,
        { nodeId: String(leader), api: "ListOffsets" },
        (broker) => Promise.all([listOffsets(broker, topics), logStartOffsets(broker, topics)]),
      );
    } catch (error) {
      // A broker that is down or hangs loses only its own partitions. One held back after a
      // timeout is not asked again in this iteration: a second wait would outlast the deadline.
      if (explainAuthorization(error) instanceof KafkaAuthorizationError) throw error;
      const explained = asError(explainAuthorization(error));
      const detail = explained instanceof BrokerUnresponsiveError
        ? explained.message
        : `broker ${leader}: ${explained.message}`;
      const sink = explained instanceof BrokerUnresponsiveError ? unavailable : retry;
      for (const [topic, list] of topics) {
        for (const partition of list) {
          sink.push({ topic, partition, reason: "leader-unreachable", detail });
        }
      }
      return;
    }
    const observedAtMs = context.now();
    for (const { topic, partition, errorCode, offset } of listed) {
      if (errorCode === 0) {
        const logStartOffset = logStarts?.get(`${topic}\u0000${partition}`);
        offsets.push({ topic, partition, offset, observedAtMs, logStartOffset });
        continue;
      }
      // A missing ACL is the operator's to fix: fail the cluster with one clear error.
      if (errorCode === TOPIC_AUTHORIZATION_FAILED) {
        throw new KafkaAuthorizationError(MISSING_ACL.TOPIC_AUTHORIZATION_FAILED);
      }
      const failure: UnavailablePartition = {
        topic,
        partition,
        reason: "leader-error",
        detail: `broker ${leader}: ${
          isRetriableLeaderError(errorCode)
            ? kafkaErrorName(errorCode)
            : groupError(errorCode).message
        }`,
      };
      if (isRetriableLeaderError(errorCode)) retry.push(failure);
      else unavailable.push(failure);
    }
  }));
  return retry;
}

/**
 * Log-start offsets from one leader, by "topic\0partition": best effort (a partition in error, or
 * a broker before 2.1, has none), since only the records-lost-to-retention figure depends on it.
 */
async function logStartOffsets(
  broker: InternalConnectedBroker,
  topics: ReadonlyMap<string, readonly number[]>,
): Promise<Map<string, number> | undefined> {
  if (!supports(broker, LIST_OFFSETS)) return undefined;
  const listed = await sendOwnRequest(broker, {
    api: LIST_OFFSETS,
    body: encodeListOffsetsV4(topics, {
      isolationLevel: READ_UNCOMMITTED,
      timestamp: EARLIEST_TIMESTAMP,
    }),
    decode: decodeListOffsetsV4,
  }).catch(() => []);
  const starts = new Map<string, number>();
  for (const { topic, partition, errorCode, offset } of listed) {
    if (errorCode === 0 && offset >= 0) starts.set(`${topic}\u0000${partition}`, offset);
  }
  return starts;
}

/** End offsets from one leader, each partition with its own error code. */
async function listOffsets(
  broker: InternalConnectedBroker,
  topics: ReadonlyMap<string, readonly number[]>,
): Promise<ListedOffset[]> {
  if (supports(broker, LIST_OFFSETS)) {
    return await sendOwnRequest(broker, {
      api: LIST_OFFSETS,
      body: encodeListOffsetsV4(topics, { isolationLevel: READ_UNCOMMITTED }),
      decode: decodeListOffsetsV4,
    });
  }
  // Brokers before 2.1: kafkajs' ListOffsets, which fails as a whole on a partition error.
  const response = await broker.listOffsets({
    isolationLevel: READ_UNCOMMITTED,
    topics: [...topics].map(([topic, partitionIds]) => ({
      topic,
      partitions: partitionIds.map((partition) => ({ partition, timestamp: LATEST_TIMESTAMP })),
    })),
  });
  return response.responses.flatMap((topic) =>
    topic.partitions.map((partition) => ({
      topic: topic.topic,
      partition: partition.partition,
      errorCode: 0,
      offset: Number(partition.offset),
    }))
  );
}
