/**
 * The parts of kafkajs' internals the admin uses, and how requests we encode ourselves travel over
 * its connections. kafkajs' internal Cluster is used rather than its Admin client because the Admin
 * client asks for end offsets one topic at a time and never forgets a deleted topic, while the
 * Cluster lets us send one request per broker for everything it leads or coordinates; and kafkajs
 * 2.2.4 speaks no flexible versions, so the batched requests are encoded by ../protocol/ and
 * sent over its connections (sendOwnRequest).
 */
import type { Kafka } from "kafkajs";
import Encoder from "kafkajs/src/protocol/encoder.js";
import { Buffer } from "node:buffer";
import { type GroupListing, KafkaAuthorizationError } from "../kafka_admin.ts";
import type { DecodedMetadata } from "./metadata_patch.ts";
import { kafkaErrorName } from "../protocol/error_codes.ts";
import { BrokerUnresponsiveError, type UnresponsiveBrokers } from "./unresponsive_brokers.ts";

/** The high watermark, as kafka-consumer-groups reports it (not the last stable offset). */
export const READ_UNCOMMITTED = 0;

/** What the request modules need from the admin: the connected cluster and request timing. */
export interface AdminContext {
  cluster: InternalCluster;
  /** Runs `call`, recording its duration under `api` in the latency histogram. */
  timed<T>(api: string, call: () => Promise<T>): Promise<T>;
  now(): number;
  /** Brokers that let a request time out: not asked until a probe gets an answer. */
  unresponsive: UnresponsiveBrokers;
  /** The node kafkajs sent its last Metadata request to (see steerMetadataRequests). */
  metadataBroker(): string | undefined;
}

// Shapes of the kafkajs internals used here (kafkajs ships no types for them).
export interface InternalBroker {
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

export interface ProtocolRequest {
  request: unknown;
  response: {
    decode(payload: Uint8Array): Promise<unknown>;
    parse(data: unknown): Promise<unknown>;
  };
}

export interface InternalConnectedBroker extends InternalBroker {
  nodeId: number;
  /** The broker's ApiVersions answer, by API key (set once connected). */
  versions?: Record<number, { minVersion: number; maxVersion: number }>;
  connectionPool: { send(request: ProtocolRequest): Promise<unknown> };
}

export interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findBroker(request: { nodeId: string }): Promise<InternalConnectedBroker>;
  findGroupCoordinator(request: { groupId: string }): Promise<InternalConnectedBroker>;
  brokerPool: {
    brokers: Record<string, { isConnected(): boolean }>;
    metadata?: DecodedMetadata;
    /** The broker kafkajs sends Metadata to. */
    findConnectedBroker(): Promise<InternalConnectedBroker>;
    findBroker(request: { nodeId: string }): Promise<InternalConnectedBroker>;
  };
}

/** Reaches kafkajs' private Cluster factory (see the module comment for why). */
export function internalCluster(kafka: Kafka): InternalCluster {
  const factorySymbol = Object.getOwnPropertySymbols(kafka).find((symbol) =>
    symbol.description === "private:Kafka:createCluster"
  );
  if (!factorySymbol) throw new Error("kafkajs internals changed: no Cluster factory found");
  const factory = (kafka as unknown as Record<symbol, (options: object) => InternalCluster>)[
    factorySymbol
  ];
  return factory({ allowAutoTopicCreation: false, isolationLevel: READ_UNCOMMITTED });
}

/**
 * The first broker that answers, for requests any broker can serve; brokers that recently let a
 * request time out are tried last.
 */
export async function anyBroker(
  cluster: InternalCluster,
  unresponsive?: UnresponsiveBrokers,
): Promise<InternalConnectedBroker> {
  let lastError: unknown = new Error("no broker known");
  const nodeIds = Object.keys(cluster.brokerPool.brokers);
  const ordered = [
    ...nodeIds.filter((nodeId) => !unresponsive?.has(nodeId)),
    ...nodeIds.filter((nodeId) => unresponsive?.has(nodeId)),
  ];
  for (const nodeId of ordered) {
    try {
      return await cluster.findBroker({ nodeId });
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * Sends `call` to broker `nodeId`, timed under `api`, unless the broker recently let a request
 * time out (then fails at once with BrokerUnresponsiveError); a timeout here holds it back.
 */
export async function askBroker<T>(
  context: AdminContext,
  { nodeId, api }: { nodeId: string; api: string },
  call: (broker: InternalConnectedBroker) => Promise<T>,
): Promise<T> {
  if (context.unresponsive.has(nodeId)) throw new BrokerUnresponsiveError(nodeId);
  try {
    // The pool's lookup, not the Cluster's: that one refreshes metadata after a connection
    // error, from any broker, and would report that request's timeout as this broker's.
    const broker = await context.cluster.brokerPool.findBroker({ nodeId });
    return await context.timed(api, () => call(broker));
  } catch (error) {
    noteTimeout(context, { assumedNodeId: nodeId, error });
    throw error;
  }
}

/**
 * Holds back the broker that let a request time out: the one the timeout error names (kafkajs
 * says which address did not answer), else `assumedNodeId`.
 */
export function noteTimeout(
  context: AdminContext,
  { assumedNodeId, error }: { assumedNodeId: string; error: unknown },
): void {
  context.unresponsive.noteFailure(timedOutNode(context.cluster, error) ?? assumedNodeId, error);
}

/** The node id of the broker a kafkajs timeout error names, if it names a known one. */
function timedOutNode(cluster: InternalCluster, error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { broker, cause } = current as { broker?: unknown; cause?: unknown };
    if (typeof broker === "string") {
      const known = cluster.brokerPool.metadata?.brokers?.find(({ host, port }) =>
        `${host}:${port}` === broker
      );
      return known === undefined ? undefined : String(known.nodeId);
    }
    current = cause;
  }
  return undefined;
}

/**
 * Makes kafkajs send Metadata requests to a broker that has not let a request time out (kafkajs
 * picks any connected broker at random, a hung one included). Returns a function that tells
 * which node the last Metadata request went to, so its timeout can hold that broker back.
 */
export function steerMetadataRequests(
  cluster: InternalCluster,
  unresponsive: UnresponsiveBrokers,
): () => string | undefined {
  const pool = cluster.brokerPool;
  const kafkajsChoice = pool.findConnectedBroker.bind(pool);
  let lastAsked: string | undefined;
  pool.findConnectedBroker = async () => {
    const candidates = Object.keys(pool.brokers).filter((nodeId) => !unresponsive.has(nodeId));
    // One connected broker at random, as kafkajs does; else the first that connects.
    const connected = candidates.filter((nodeId) => pool.brokers[nodeId].isConnected());
    const ordered = connected.length > 0
      ? [connected[Math.floor(Math.random() * connected.length)]]
      : candidates;
    for (const nodeId of ordered) {
      try {
        const broker = await pool.findBroker({ nodeId });
        lastAsked = nodeId;
        return broker;
      } catch {
        // not reachable: the next one
      }
    }
    lastAsked = undefined;
    return await kafkajsChoice();
  };
  return () => lastAsked;
}

/** Asks a broker for its API versions: the smallest request, to see whether it answers. */
export async function probeBroker(cluster: InternalCluster, nodeId: string): Promise<void> {
  const broker = await cluster.brokerPool.findBroker({ nodeId });
  // ApiVersions v0 has an empty body; its answer is not needed.
  await sendOwnRequest(broker, {
    api: API_VERSIONS_V0,
    body: new Uint8Array(0),
    decode: () => undefined,
  });
}

const API_VERSIONS_V0 = { apiKey: 18, version: 0, name: "ApiVersions" } as const;

/** Leader node id by "topic\0partition", from the last metadata. */
export function leaderIndex(cluster: InternalCluster): Map<string, number> {
  const leaders = new Map<string, number>();
  for (const { topic, partitionMetadata } of cluster.brokerPool.metadata?.topicMetadata ?? []) {
    for (const { partitionId, leader } of partitionMetadata) {
      leaders.set(`${topic}\u0000${partitionId}`, leader);
    }
  }
  return leaders;
}

/** Whether the broker speaks the version of a request we encode ourselves. */
export function supports(
  broker: InternalConnectedBroker,
  api: { apiKey: number; version: number },
  enabled = true,
): boolean {
  if (!enabled) return false;
  const range = broker.versions?.[api.apiKey];
  return range !== undefined && range.minVersion <= api.version && api.version <= range.maxVersion;
}

/** Sends a request body we encoded ourselves over kafkajs' connection to the broker. */
export function sendOwnRequest<T>(
  broker: InternalConnectedBroker,
  { api, body, decode }: {
    api: { apiKey: number; version: number; name: string };
    body: Uint8Array;
    decode: (payload: Uint8Array) => T;
  },
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

/** Kafka's authorization errors, as the ACL each one means is missing. */
export const MISSING_ACL: Record<string, string> = {
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

/** The error for a group-level Kafka error code. */
export function groupError(errorCode: number): Error {
  const name = kafkaErrorName(errorCode);
  if (errorCode === 30) return new KafkaAuthorizationError(MISSING_ACL.GROUP_AUTHORIZATION_FAILED);
  if (errorCode === 31) {
    return new KafkaAuthorizationError(MISSING_ACL.CLUSTER_AUTHORIZATION_FAILED);
  }
  return new Error(name);
}

/** An Error from anything thrown. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
