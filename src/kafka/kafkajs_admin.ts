/**
 * KafkaAdmin on kafkajs. It uses kafkajs' internal Cluster rather than its Admin client because the
 * Admin client asks for end offsets one topic at a time and never forgets a deleted topic, while the
 * Cluster lets us send one ListOffsets per leader broker for all topics at once.
 */
import { Kafka, type KafkaConfig, logLevel as KafkajsLogLevel, type SASLOptions } from "kafkajs";
import type { KafkaClusterConfig } from "../config/load_config.ts";
import type { Logger } from "../log/logger.ts";
import { type DecodedMetadata, installTolerantMetadataParse } from "./kafkajs_metadata_patch.ts";
import fetchRequestV4 from "kafkajs/src/protocol/requests/fetch/v4/request.js";
import Encoder from "kafkajs/src/protocol/encoder.js";
import { Buffer } from "node:buffer";
import { mapConcurrent } from "../util/map_concurrent.ts";
import {
  type CommittedOffset,
  type GroupListing,
  type GroupListings,
  type GroupOffsets,
  type KafkaAdmin,
  KafkaAuthorizationError,
  type LatestOffset,
  type LatestOffsets,
  type RecordLookup,
  recordLookupKey,
  type RecordTime,
  type TopicPartition,
  type UnavailablePartition,
} from "./kafka_admin.ts";
import { decodeFetchResponseV4, findRecordTimestamp } from "./record_batch.ts";
import {
  decodeListOffsetsV4,
  encodeListOffsetsV4,
  LIST_OFFSETS,
  type ListedOffset,
  RETRIABLE_LEADER_ERRORS,
} from "./list_offsets.ts";
import {
  decodeFindCoordinatorV4,
  decodeOffsetFetchV8,
  encodeFindGroupCoordinatorsV4,
  encodeOffsetFetchV8,
  FIND_COORDINATOR,
  GROUP_ID_NOT_FOUND,
  isCoordinatorError,
  KAFKA_ERROR_NAMES,
  OFFSET_FETCH,
} from "./group_requests.ts";

/** What the kafkajs admin needs from outside. */
export interface KafkajsAdminDeps {
  now(): number;
  logger: Logger;
  readTextFile(path: string): string;
  /** Called with the duration of each Kafka request, for the latency histogram. */
  observeRequest?(api: string, seconds: number): void;
  /** Concurrent Fetch requests for record timestamps (default 4). */
  fetchConcurrency?: number;
  /**
   * false: one FindCoordinator and one OffsetFetch per group, through kafkajs, as is done with
   * brokers before Kafka 3.0 (default true: batched where the broker supports it).
   */
  groupBatching?: boolean;
}

// Shapes of the kafkajs internals used here (kafkajs ships no types for them).
interface InternalBroker {
  listGroups(): Promise<{ groups: GroupListing[] }>;
  describeAcls(filter: {
    resourceType: number;
    resourceName: string;
    resourcePatternType: number;
    principal: null;
    host: null;
    operation: number;
    permissionType: number;
  }): Promise<unknown>;
  offsetFetch(request: { groupId: string; topics: never[] }): Promise<{
    responses: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
  }>;
  listOffsets(request: {
    isolationLevel: number;
    topics: Array<{ topic: string; partitions: Array<{ partition: number; timestamp: number }> }>;
  }): Promise<{
    responses: Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>;
  }>;
}

interface ProtocolRequest {
  request: unknown;
  response: {
    decode(payload: Uint8Array): Promise<unknown>;
    parse(data: unknown): Promise<unknown>;
  };
}

interface InternalConnectedBroker extends InternalBroker {
  nodeId: number;
  /** The broker's ApiVersions answer, by API key (set once connected). */
  versions?: Record<number, { minVersion: number; maxVersion: number }>;
  connectionPool: { send(request: ProtocolRequest): Promise<unknown> };
}

interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findBroker(request: { nodeId: string }): Promise<InternalConnectedBroker>;
  findGroupCoordinator(request: { groupId: string }): Promise<InternalConnectedBroker>;
  brokerPool: {
    brokers: Record<string, unknown>;
    metadata?: DecodedMetadata;
  };
}

const READ_UNCOMMITTED = 0;
const TOPIC_AUTHORIZATION_FAILED = 29; // the high watermark, as kafka-consumer-groups reports it
const LATEST_TIMESTAMP = -1;
/** Bytes asked per partition for a record timestamp: a batch header and its first records. */
const RECORD_FETCH_BYTES = 4_096;
const MAX_PARTITIONS_PER_FETCH = 500;
const MAX_REMEMBERED_COORDINATORS = 500_000;
/**
 * Groups per OffsetFetch v8 request: about 25 partitions each make answers of a few hundred KiB,
 * small enough that one slow request does not hold up an iteration.
 */
const MAX_GROUPS_PER_OFFSET_FETCH = 500;
const MAX_GROUPS_PER_FIND_COORDINATOR = 1_000;

/** Creates the kafkajs-backed admin for one cluster; connects lazily on first use. */
export function createKafkajsAdmin(config: KafkaClusterConfig, deps: KafkajsAdminDeps): KafkaAdmin {
  installTolerantMetadataParse();
  return new KafkajsAdmin(config, deps);
}

class KafkajsAdmin implements KafkaAdmin {
  readonly #config: KafkaClusterConfig;
  readonly #deps: KafkajsAdminDeps;
  #cluster?: InternalCluster;
  #connecting?: Promise<InternalCluster>;
  readonly #coordinators = new Map<string, string>();

  constructor(config: KafkaClusterConfig, deps: KafkajsAdminDeps) {
    this.#config = config;
    this.#deps = deps;
  }

  listGroups(): Promise<GroupListings> {
    return this.#explained(() => this.#listGroups());
  }

  async #listGroups(): Promise<GroupListings> {
    const cluster = await this.#connected();
    // The broker list rarely changes; fetchLatestOffsets refreshes metadata every iteration anyway.
    // Not timed: it sends a request only every few minutes, and counting the no-op calls would
    // misstate the Metadata requests per iteration.
    await cluster.refreshMetadataIfNecessary();
    const nodeIds = Object.keys(cluster.brokerPool.brokers);
    const listings: GroupListings = { groups: [], unreachableBrokers: [] };
    let authorizationError: unknown;
    await Promise.all(nodeIds.map(async (nodeId) => {
      try {
        const broker = await cluster.findBroker({ nodeId });
        const response = await this.#timed("ListGroups", () => broker.listGroups());
        for (const group of response.groups) {
          listings.groups.push({ groupId: group.groupId, protocolType: group.protocolType });
        }
      } catch (error) {
        // One broker down hides only the groups it coordinates.
        const explained = explainAuthorization(error);
        if (explained instanceof KafkaAuthorizationError) authorizationError = explained;
        listings.unreachableBrokers.push({ nodeId, detail: asError(error).message });
      }
    }));
    if (authorizationError) throw authorizationError;
    if (listings.unreachableBrokers.length === nodeIds.length) {
      throw new Error(`no broker answered ListGroups: ${listings.unreachableBrokers[0]?.detail}`);
    }
    return listings;
  }

  fetchCommittedOffsets(groupIds: readonly string[], concurrency: number): Promise<GroupOffsets[]> {
    return this.#explained(() => this.#fetchCommittedOffsets(groupIds, concurrency));
  }

  /**
   * Committed offsets of many groups: the groups are sorted by coordinator and asked for in
   * OffsetFetch v8 requests of up to MAX_GROUPS_PER_OFFSET_FETCH groups (one request per group
   * on brokers older than 3.0). Groups whose coordinator moved are asked once more, at their new
   * coordinator, in the same iteration.
   */
  async #fetchCommittedOffsets(
    groupIds: readonly string[],
    concurrency: number,
  ): Promise<GroupOffsets[]> {
    const cluster = await this.#connected();
    const results = new Map<string, GroupOffsets>();
    let pending: readonly string[] = groupIds;
    for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt++) {
      const lastAttempt = attempt === 2;
      const retry = new Set<string>();
      const failed = (groupId: string, error: Error, coordinatorMoved: boolean) => {
        if (coordinatorMoved) this.#coordinators.delete(groupId);
        if (coordinatorMoved && !lastAttempt) retry.add(groupId);
        else results.set(groupId, { groupId, error });
      };
      const byCoordinator = await this.#coordinatorsOf(cluster, pending, concurrency, failed);
      const requests: Array<{ broker: InternalConnectedBroker; groupIds: string[] }> = [];
      for (const [nodeId, members] of byCoordinator) {
        let broker: InternalConnectedBroker;
        try {
          broker = await cluster.findBroker({ nodeId });
        } catch (error) {
          for (const groupId of members) failed(groupId, asError(error), true);
          continue;
        }
        const batchSize = supports(broker, OFFSET_FETCH, this.#deps.groupBatching)
          ? MAX_GROUPS_PER_OFFSET_FETCH
          : 1;
        for (let start = 0; start < members.length; start += batchSize) {
          requests.push({ broker, groupIds: members.slice(start, start + batchSize) });
        }
      }
      await mapConcurrent(requests, concurrency, async ({ broker, groupIds: batch }) => {
        let answers: Array<{ groupId: string; errorCode: number; offsets: CommittedOffset[] }>;
        try {
          answers = batch.length === 1 && !supports(broker, OFFSET_FETCH, this.#deps.groupBatching)
            ? [await this.#offsetFetchOneGroup(broker, batch[0])]
            : await this.#timed("OffsetFetch", () => sendOffsetFetchV8(broker, batch));
        } catch (error) {
          // The coordinator is unreachable or answered an error for the whole request; next
          // iteration looks for it again (an immediate retry could outlast the deadline).
          const explained = asError(explainAuthorization(error));
          for (const groupId of batch) {
            results.set(groupId, { groupId, error: explained });
            if (!(explained instanceof KafkaAuthorizationError)) this.#coordinators.delete(groupId);
          }
          return;
        }
        for (const { groupId, errorCode, offsets } of answers) {
          // A group deleted since it was listed has nothing to measure: not worth a warning.
          if (errorCode === 0 || errorCode === GROUP_ID_NOT_FOUND) {
            results.set(groupId, { groupId, offsets });
          } else failed(groupId, groupError(errorCode), isCoordinatorError(errorCode));
        }
        for (const groupId of batch) {
          if (!results.has(groupId) && !retry.has(groupId)) {
            results.set(groupId, {
              groupId,
              error: new Error("missing from the OffsetFetch answer"),
            });
          }
        }
      });
      pending = [...retry];
    }
    return groupIds.map((groupId) =>
      results.get(groupId) ?? { groupId, error: new Error("no coordinator found") }
    );
  }

  /** kafkajs' OffsetFetch (v4 at most): for brokers without KIP-709. */
  async #offsetFetchOneGroup(broker: InternalConnectedBroker, groupId: string) {
    // An empty topic list asks for every partition the group has committed to.
    const response = await this.#timed(
      "OffsetFetch",
      () => broker.offsetFetch({ groupId, topics: [] }),
    );
    const offsets: CommittedOffset[] = [];
    for (const topic of response.responses) {
      for (const partition of topic.partitions) {
        offsets.push({
          topic: topic.topic,
          partition: partition.partition,
          offset: Number(partition.offset),
        });
      }
    }
    return { groupId, errorCode: 0, offsets };
  }

  fetchLatestOffsets(includeTopic: (topic: string) => boolean): Promise<LatestOffsets> {
    return this.#explained(() => this.#fetchLatestOffsets(includeTopic));
  }

  /**
   * Log-end offsets, one ListOffsets per leader. A leader that fails, or partitions that answer
   * a leadership error (a leader moving during a rolling restart, a topic deleted since the
   * Metadata answer), get one metadata refresh and one retry at their new leader; what still
   * fails is reported unavailable, and every other partition is measured as usual.
   */
  async #fetchLatestOffsets(includeTopic: (topic: string) => boolean): Promise<LatestOffsets> {
    const cluster = await this.#connected();
    // Metadata of every topic (what kafkajs asks for while it tracks no topic by name; asking
    // by name would fail the whole request once one is deleted). It also refreshes the brokers
    // and leaders that findBroker relies on.
    await this.#refreshMetadata(cluster);
    const offsets: LatestOffset[] = [];
    const unavailable: UnavailablePartition[] = [];
    const wanted: TopicPartition[] = [];
    for (const { topic, partitionMetadata } of cluster.brokerPool.metadata?.topicMetadata ?? []) {
      if (!includeTopic(topic)) continue;
      for (const { partitionId } of partitionMetadata) {
        wanted.push({ topic, partition: partitionId });
      }
    }
    let retry = await this.#listOffsetsAtLeaders(cluster, wanted, offsets, unavailable);
    if (retry.length > 0) {
      await this.#refreshMetadata(cluster).catch(() => {});
      retry = await this.#listOffsetsAtLeaders(cluster, retry, offsets, unavailable);
      unavailable.push(...retry);
    }
    if (offsets.length === 0 && unavailable.length > 0) {
      throw new Error(`no partition could be read: ${unavailable[0].detail}`);
    }
    return { offsets, unavailable };
  }

  /**
   * Metadata from any connected broker; asked a second time when the first broker fails (one
   * shutting down still looks connected until its answer fails, and kafkajs then picks another).
   */
  async #refreshMetadata(cluster: InternalCluster): Promise<void> {
    try {
      await this.#timed("Metadata", () => cluster.refreshMetadata());
    } catch (error) {
      if (explainAuthorization(error) instanceof KafkaAuthorizationError) throw error;
      await this.#timed("Metadata", () => cluster.refreshMetadata());
    }
  }

  /**
   * Asks each partition's current leader (from the last metadata) for its end offset. Partitions
   * without a leader, and non-retriable errors, go to `unavailable`; those worth asking again
   * after a metadata refresh are returned.
   */
  async #listOffsetsAtLeaders(
    cluster: InternalCluster,
    partitions: readonly TopicPartition[],
    offsets: LatestOffset[],
    unavailable: UnavailablePartition[],
  ): Promise<UnavailablePartition[]> {
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
      try {
        const broker = await cluster.findBroker({ nodeId: String(leader) });
        listed = await this.#timed("ListOffsets", () => listOffsets(broker, topics));
      } catch (error) {
        // A broker that is down or hangs loses only its own partitions.
        const detail = `broker ${leader}: ${asError(explainAuthorization(error)).message}`;
        if (explainAuthorization(error) instanceof KafkaAuthorizationError) throw error;
        for (const [topic, list] of topics) {
          for (const partition of list) {
            retry.push({ topic, partition, reason: "leader-unreachable", detail });
          }
        }
        return;
      }
      const observedAtMs = this.#deps.now();
      for (const { topic, partition, errorCode, offset } of listed) {
        if (errorCode === 0) {
          offsets.push({ topic, partition, offset, observedAtMs });
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
            RETRIABLE_LEADER_ERRORS.get(errorCode) ?? groupError(errorCode).message
          }`,
        };
        if (RETRIABLE_LEADER_ERRORS.has(errorCode)) retry.push(failure);
        else unavailable.push(failure);
      }
    }));
    return retry;
  }

  async fetchRecordTimes(lookups: readonly RecordLookup[]): Promise<Map<string, RecordTime>> {
    const found = new Map<string, RecordTime>();
    if (lookups.length === 0) return found;
    const cluster = await this.#connected();
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
      const concurrency = this.#deps.fetchConcurrency ?? 4;
      // Kafka answers a Fetch with whole batches only, and returns a batch larger than the size
      // asked for only to the first partition of a response (KIP-74): the others come back empty.
      // Producers batch up to 1 MB, so those partitions are fetched again alone.
      const alone: Array<[number, RecordLookup]> = [];
      const fetchAndRead = async (leader: number, chunk: RecordLookup[], retryAlone: boolean) => {
        const broker = await cluster.findBroker({ nodeId: String(leader) });
        const partitions = await this.#timed("Fetch", () => fetchRecords(broker, chunk));
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

  /**
   * The coordinators of the groups, by node id. They are remembered across iterations (kafkajs
   * would send a FindCoordinator before every OffsetFetch); unknown ones are looked up with
   * FindCoordinator v4, many groups per request (one request per group before Kafka 3.0).
   */
  async #coordinatorsOf(
    cluster: InternalCluster,
    groupIds: readonly string[],
    concurrency: number,
    failed: (groupId: string, error: Error, coordinatorMoved: boolean) => void,
  ): Promise<Map<string, string[]>> {
    const byCoordinator = new Map<string, string[]>();
    const assign = (groupId: string, nodeId: string) => {
      const members = byCoordinator.get(nodeId);
      if (members) members.push(groupId);
      else byCoordinator.set(nodeId, [groupId]);
    };
    const unknown: string[] = [];
    for (const groupId of groupIds) {
      const known = this.#coordinators.get(groupId);
      if (known === undefined) unknown.push(groupId);
      else assign(groupId, known);
    }
    if (unknown.length === 0) return byCoordinator;
    // Bounded: forget everything rather than grow without limit on clusters with churning groups.
    if (this.#coordinators.size + unknown.length > MAX_REMEMBERED_COORDINATORS) {
      this.#coordinators.clear();
    }
    const remember = (groupId: string, nodeId: string) => {
      this.#coordinators.set(groupId, nodeId);
      assign(groupId, nodeId);
    };
    const anyBroker = await this.#anyBroker(cluster);
    if (supports(anyBroker, FIND_COORDINATOR, this.#deps.groupBatching)) {
      const batches: string[][] = [];
      for (let start = 0; start < unknown.length; start += MAX_GROUPS_PER_FIND_COORDINATOR) {
        batches.push(unknown.slice(start, start + MAX_GROUPS_PER_FIND_COORDINATOR));
      }
      await mapConcurrent(batches, concurrency, async (batch) => {
        try {
          const answers = await this.#timed(
            "FindCoordinator",
            () => sendFindCoordinatorV4(anyBroker, batch),
          );
          for (const { key, nodeId, errorCode } of answers) {
            if (errorCode === 0) remember(key, String(nodeId));
            else failed(key, groupError(errorCode), false);
          }
        } catch (error) {
          for (const groupId of batch) failed(groupId, asError(explainAuthorization(error)), false);
        }
      });
    } else {
      await mapConcurrent(unknown, concurrency, async (groupId) => {
        try {
          const coordinator = await this.#timed(
            "FindCoordinator",
            () => cluster.findGroupCoordinator({ groupId }),
          );
          remember(groupId, String(coordinator.nodeId));
        } catch (error) {
          failed(groupId, asError(explainAuthorization(error)), false);
        }
      });
    }
    return byCoordinator;
  }

  /** The first broker that answers, for requests any broker can serve. */
  async #anyBroker(cluster: InternalCluster): Promise<InternalConnectedBroker> {
    let lastError: unknown = new Error("no broker known");
    for (const nodeId of Object.keys(cluster.brokerPool.brokers)) {
      try {
        return await cluster.findBroker({ nodeId });
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  async close(): Promise<void> {
    this.#coordinators.clear();
    const cluster = this.#cluster;
    const connecting = this.#connecting;
    this.#cluster = undefined;
    this.#connecting = undefined;
    const pending = cluster ?? await connecting?.catch(() => undefined);
    await pending?.disconnect().catch(() => {});
  }

  #connected(): Promise<InternalCluster> {
    if (this.#cluster) return Promise.resolve(this.#cluster);
    this.#connecting ??= this.#connect().then(
      (cluster) => (this.#cluster = cluster),
      (error) => {
        this.#connecting = undefined;
        throw error;
      },
    );
    return this.#connecting;
  }

  async #connect(): Promise<InternalCluster> {
    const kafka = new Kafka(kafkaClientConfig(this.#config, this.#deps));
    const cluster = internalCluster(kafka);
    try {
      await this.#timed("Connect", () => cluster.connect());
      await this.#checkClusterDescribe(cluster);
    } catch (error) {
      await cluster.disconnect().catch(() => {});
      throw explainAuthorization(error);
    }
    return cluster;
  }

  /**
   * Kafka hides what a principal may not describe: without Describe on the cluster, ListGroups
   * answers with an empty list instead of an error, and the exporter would report an empty
   * cluster as healthy. One DescribeAcls for a name that matches nothing (it needs Describe on
   * the cluster, like listing all groups) turns that into a clear error at connect time.
   */
  async #checkClusterDescribe(cluster: InternalCluster): Promise<void> {
    // The broker pool holds no broker until metadata has been read once.
    await this.#timed("Metadata", () => cluster.refreshMetadata());
    // Not brokerPool.withBroker: it swallows every error and returns null.
    // Any broker that answers: one broker down must not keep the exporter from connecting.
    const broker = await this.#anyBroker(cluster);
    try {
      await this.#timed("DescribeAcls", () =>
        broker.describeAcls({
          resourceType: 2, // topic
          resourceName: "__kafka_lag_deno_authorization_check__",
          resourcePatternType: 3, // literal
          principal: null,
          host: null,
          operation: 1, // any
          permissionType: 1, // any
        }));
    } catch (error) {
      // No authorizer configured: everything is allowed.
      if ((error as { type?: string }).type === "SECURITY_DISABLED") return;
      // No DescribeAcls at all (KRaft brokers before 3.2 have no authorizer): nothing is hidden.
      if ((error as Error).name === "KafkaJSServerDoesNotSupportApiKey") return;
      throw error;
    }
  }

  async #explained<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw explainAuthorization(error);
    }
  }

  async #timed<T>(api: string, call: () => Promise<T>): Promise<T> {
    const startedMs = this.#deps.now();
    try {
      return await call();
    } finally {
      this.#deps.observeRequest?.(api, (this.#deps.now() - startedMs) / 1_000);
    }
  }
}

/** Kafka's authorization errors, as the ACL each one means is missing. */
const MISSING_ACL: Record<string, string> = {
  CLUSTER_AUTHORIZATION_FAILED: "Describe on the cluster",
  GROUP_AUTHORIZATION_FAILED: "Describe on the consumer groups",
  TOPIC_AUTHORIZATION_FAILED: "Describe on the topics (and Read for exact_lag_seconds)",
};

/** Replaces a kafkajs authorization error with one that names the missing ACL. */
export function explainAuthorization(error: unknown): unknown {
  const type = (error as { type?: string } | undefined)?.type;
  const missing = type ? MISSING_ACL[type] : undefined;
  return missing ? new KafkaAuthorizationError(missing, { cause: error }) : error;
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

/** Leader node id by "topic\0partition", from the last metadata. */
function leaderIndex(cluster: InternalCluster): Map<string, number> {
  const leaders = new Map<string, number>();
  for (const { topic, partitionMetadata } of cluster.brokerPool.metadata?.topicMetadata ?? []) {
    for (const { partitionId, leader } of partitionMetadata) {
      leaders.set(`${topic}\u0000${partitionId}`, leader);
    }
  }
  return leaders;
}

/** End offsets from one leader, each partition with its own error code. */
async function listOffsets(
  broker: InternalConnectedBroker,
  topics: ReadonlyMap<string, readonly number[]>,
): Promise<ListedOffset[]> {
  if (supports(broker, LIST_OFFSETS)) {
    return await sendOwnRequest(
      broker,
      LIST_OFFSETS,
      encodeListOffsetsV4(topics, READ_UNCOMMITTED),
      decodeListOffsetsV4,
    );
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

/** Whether the broker speaks the version of a request we encode ourselves. */
function supports(
  broker: InternalConnectedBroker,
  api: { apiKey: number; version: number },
  enabled = true,
): boolean {
  if (!enabled) return false;
  const range = broker.versions?.[api.apiKey];
  return range !== undefined && range.minVersion <= api.version && api.version <= range.maxVersion;
}

/** Sends a request body we encoded ourselves over kafkajs' connection to the broker. */
function sendOwnRequest<T>(
  broker: InternalConnectedBroker,
  api: { apiKey: number; version: number; name: string },
  body: Uint8Array,
  decode: (payload: Uint8Array) => T,
): Promise<T> {
  return broker.connectionPool.send({
    request: {
      apiKey: api.apiKey,
      apiVersion: api.version,
      apiName: api.name,
      encode: () => Promise.resolve(new Encoder().writeBuffer(Buffer.from(body))),
    },
    response: {
      decode: (payload) => Promise.resolve(decode(payload)),
      parse: (data) => Promise.resolve(data),
    },
  }) as Promise<T>;
}

function sendOffsetFetchV8(broker: InternalConnectedBroker, groupIds: string[]) {
  return sendOwnRequest(broker, OFFSET_FETCH, encodeOffsetFetchV8(groupIds), decodeOffsetFetchV8);
}

function sendFindCoordinatorV4(broker: InternalConnectedBroker, groupIds: string[]) {
  return sendOwnRequest(
    broker,
    FIND_COORDINATOR,
    encodeFindGroupCoordinatorsV4(groupIds),
    decodeFindCoordinatorV4,
  );
}

/** The error for a group-level Kafka error code. */
function groupError(errorCode: number): Error {
  const name = KAFKA_ERROR_NAMES[errorCode] ?? `Kafka error code ${errorCode}`;
  if (errorCode === 30) return new KafkaAuthorizationError(MISSING_ACL.GROUP_AUTHORIZATION_FAILED);
  if (errorCode === 31) {
    return new KafkaAuthorizationError(MISSING_ACL.CLUSTER_AUTHORIZATION_FAILED);
  }
  return new Error(name);
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Reaches kafkajs' private Cluster factory (see the module comment for why). */
function internalCluster(kafka: Kafka): InternalCluster {
  const factorySymbol = Object.getOwnPropertySymbols(kafka).find((symbol) =>
    symbol.description === "private:Kafka:createCluster"
  );
  if (!factorySymbol) throw new Error("kafkajs internals changed: no Cluster factory found");
  const factory = (kafka as unknown as Record<symbol, (options: object) => InternalCluster>)[
    factorySymbol
  ];
  return factory({ allowAutoTopicCreation: false, isolationLevel: READ_UNCOMMITTED });
}

/** kafkajs client settings from our cluster config: timeouts, TLS, SASL, logging. */
export function kafkaClientConfig(config: KafkaClusterConfig, deps: KafkajsAdminDeps): KafkaConfig {
  const logger = deps.logger.child({ cluster: config.name, source: "kafkajs" });
  return {
    clientId: "kafka-lag-deno",
    brokers: config.brokers,
    connectionTimeout: config.metadataTimeoutMs,
    authenticationTimeout: config.metadataTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    enforceRequestTimeout: true,
    // Few, quick retries: a failed iteration is retried by the next one anyway.
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 },
    ssl: config.tls
      ? {
        rejectUnauthorized: !config.tls.insecureSkipVerify,
        ca: config.tls.caFile ? [deps.readTextFile(config.tls.caFile)] : undefined,
        cert: config.tls.certFile ? deps.readTextFile(config.tls.certFile) : undefined,
        key: config.tls.keyFile ? deps.readTextFile(config.tls.keyFile) : undefined,
      }
      : undefined,
    sasl: config.sasl ? saslOptions(config.sasl) : undefined,
    logLevel: KafkajsLogLevel.WARN,
    // kafkajs logs every retry as an error; our collector logs each state change once, so its
    // messages are only worth seeing at debug level.
    logCreator: () => ({ namespace, log }) => {
      logger.debug(`${namespace}: ${log.message}`, {
        broker: log.broker,
        error: log.error,
      });
    },
  };
}

function saslOptions(sasl: NonNullable<KafkaClusterConfig["sasl"]>): SASLOptions {
  const credentials = { username: sasl.username, password: sasl.password };
  switch (sasl.mechanism) {
    case "PLAIN":
      return { mechanism: "plain", ...credentials };
    case "SCRAM-SHA-256":
      return { mechanism: "scram-sha-256", ...credentials };
    case "SCRAM-SHA-512":
      return { mechanism: "scram-sha-512", ...credentials };
  }
}
