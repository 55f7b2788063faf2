/**
 * KafkaAdmin over the kafkajs transport (kafkajs/): connection, group listing and the
 * authorization check here; committed offsets, end offsets and record times in their own
 * modules, each encoding its requests with protocol/ and sending them over kafkajs' internal
 * Cluster (kafkajs/internals.ts says why).
 */
import type { KafkaClusterConfig } from "../config/load_config.ts";
import type { Logger } from "../log/logger.ts";
import { createInternalCluster, installKafkajsPatches } from "./kafkajs/client.ts";
import {
  type CommittedOffsetsOptions,
  type EndOffsets,
  type GroupDescription,
  type GroupListing,
  type GroupListings,
  type GroupOffsets,
  type KafkaAdmin,
  KafkaAuthorizationError,
  type RecordLookup,
  type RecordTime,
  type RecordUnreadable,
} from "./kafka_admin.ts";
import {
  type AdminContext,
  anyBroker,
  asError,
  askBroker,
  explainAuthorization,
  type InternalCluster,
  noteTimeout,
  probeBroker,
  steerMetadataRequests,
} from "./kafkajs/internals.ts";
import { UnresponsiveBrokers } from "./kafkajs/unresponsive_brokers.ts";
import { CommittedOffsetsReader } from "./committed_offsets.ts";
import { GroupCoordinators } from "./group_coordinators.ts";
import { describeGroups, listGroupsOn } from "./group_descriptions.ts";
import { fetchEndOffsets } from "./end_offsets.ts";
import { fetchRecordTimes } from "./record_times.ts";

export { explainAuthorization } from "./kafkajs/internals.ts";
export { kafkaClientConfig } from "./kafkajs/client_options.ts";

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

/** Creates the kafkajs-backed admin for one cluster; connects lazily on first use. */
export function createKafkajsAdmin(config: KafkaClusterConfig, deps: KafkajsAdminDeps): KafkaAdmin {
  installKafkajsPatches();
  return new KafkajsAdmin(config, deps);
}

class KafkajsAdmin implements KafkaAdmin {
  readonly #config: KafkaClusterConfig;
  readonly #deps: KafkajsAdminDeps;
  #cluster?: InternalCluster;
  #connecting?: Promise<InternalCluster>;
  #metadataBroker: () => string | undefined = () => undefined;
  readonly #coordinators: GroupCoordinators;
  readonly #committed: CommittedOffsetsReader;
  readonly #unresponsive: UnresponsiveBrokers;

  constructor(config: KafkaClusterConfig, deps: KafkajsAdminDeps) {
    this.#config = config;
    this.#deps = deps;
    this.#coordinators = new GroupCoordinators({ groupBatching: deps.groupBatching });
    this.#committed = new CommittedOffsetsReader({
      coordinators: this.#coordinators,
      groupBatching: deps.groupBatching,
    });
    this.#unresponsive = new UnresponsiveBrokers(deps.now);
  }

  async #context(): Promise<AdminContext> {
    const cluster = await this.#connected();
    // Probes run beside the iteration, never inside it: one to a hung broker waits a whole
    // request timeout.
    void this.#unresponsive.probe(
      new Set(Object.keys(cluster.brokerPool.brokers)),
      (nodeId) => this.#timed("ApiVersions", () => probeBroker(cluster, nodeId)),
    );
    return {
      cluster,
      timed: (api, call) => this.#timed(api, call),
      now: this.#deps.now,
      unresponsive: this.#unresponsive,
      metadataBroker: () => this.#metadataBroker(),
    };
  }

  listGroups(): Promise<GroupListings> {
    return this.#explained(() => this.#listGroups());
  }

  async #listGroups(): Promise<GroupListings> {
    const context = await this.#context();
    const { cluster } = context;
    // The broker list rarely changes; fetchEndOffsets refreshes metadata every iteration anyway.
    // Not timed: it sends a request only every few minutes, and counting the no-op calls would
    // misstate the Metadata requests per iteration. A failure leaves the known brokers to ask.
    try {
      await cluster.refreshMetadataIfNecessary();
    } catch (error) {
      if (explainAuthorization(error) instanceof KafkaAuthorizationError) throw error;
      const asked = context.metadataBroker();
      if (asked !== undefined) noteTimeout(context, { assumedNodeId: asked, error });
      if (Object.keys(cluster.brokerPool.brokers).length === 0) throw error;
    }
    const nodeIds = Object.keys(cluster.brokerPool.brokers);
    const listings: GroupListings = { groups: [], unreachableBrokers: [] };
    let authorizationError: unknown;
    await Promise.all(nodeIds.map(async (nodeId) => {
      try {
        const groups = await askBroker(
          context,
          { nodeId: nodeId, api: "ListGroups" },
          listGroupsOn,
        );
        for (const group of groups) listings.groups.push(group);
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

  fetchCommittedOffsets(
    groupIds: readonly string[],
    concurrency: number,
    options: CommittedOffsetsOptions = {},
  ): Promise<GroupOffsets[]> {
    return this.#explained(async () =>
      this.#committed.fetch(await this.#context(), {
        groupIds,
        concurrency,
        onOffsets: options.onOffsets,
      })
    );
  }

  describeGroups(
    groups: readonly GroupListing[],
    concurrency: number,
  ): Promise<GroupDescription[]> {
    return this.#explained(async () =>
      describeGroups(await this.#context(), {
        groups,
        concurrency,
        coordinators: this.#coordinators,
      })
    );
  }

  fetchEndOffsets(includeTopic: (topic: string) => boolean): Promise<EndOffsets> {
    return this.#explained(async () => fetchEndOffsets(await this.#context(), includeTopic));
  }

  async fetchRecordTimes(
    lookups: readonly RecordLookup[],
  ): Promise<Map<string, RecordTime | RecordUnreadable>> {
    if (lookups.length === 0) return new Map();
    return fetchRecordTimes(await this.#context(), {
      lookups,
      concurrency: this.#deps.fetchConcurrency ?? 4,
      maxBatchBytes: this.#config.recordTimestamps.maxBatchBytes,
    });
  }

  async close(): Promise<void> {
    this.#coordinators.forget();
    this.#unresponsive.clear();
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
    const cluster = createInternalCluster(this.#config, this.#deps);
    this.#metadataBroker = steerMetadataRequests(cluster, this.#unresponsive);
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
    const broker = await anyBroker(cluster, this.#unresponsive);
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
