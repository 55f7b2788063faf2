/**
 * One Kafka cluster as the service watches it: its admin and everything its iterations carry
 * from one to the next (record timestamps, group memory, end offsets, consumer progress),
 * created together here and closed together. The service holds one per configured cluster.
 */
import { collectCluster, type CollectClusterDeps } from "../collect/collect_cluster.ts";
import type { ClusterSnapshot } from "../collect/cluster_snapshot.ts";
import { ConsumerProgress } from "../collect/consumer_progress.ts";
import { EndOffsetMemory } from "../collect/end_offset_memory.ts";
import { LastSeenGroups } from "../collect/last_seen_groups.ts";
import { RecordTimeCache } from "../collect/record_timestamps.ts";
import type { KafkaClusterConfig } from "../config/load_config.ts";
import type { ExporterMetrics } from "../export/metrics_registry.ts";
import { createKafkajsAdmin } from "../kafka/kafkajs_admin.ts";
import type { KafkaAdmin } from "../kafka/kafka_admin.ts";
import type { Logger } from "../log/logger.ts";

/** What the monitor's iterations share with the rest of the service. */
export type IterationDeps = Omit<
  CollectClusterDeps,
  "admin" | "recordTimes" | "lastSeenGroups" | "endOffsetMemory" | "consumerProgress"
>;

/** The admin, caches and memories of one cluster, and its iterations. */
export class ClusterMonitor {
  readonly config: KafkaClusterConfig;
  readonly admin: KafkaAdmin;
  readonly #recordTimes = new RecordTimeCache();
  readonly #lastSeenGroups = new LastSeenGroups();
  readonly #endOffsetMemory = new EndOffsetMemory();
  readonly #consumerProgress: ConsumerProgress;

  constructor(
    config: KafkaClusterConfig,
    { logger, metrics, now, statusWindowMs, iterationIntervalMs }: {
      logger: Logger;
      metrics?: ExporterMetrics;
      now(): number;
      statusWindowMs: number;
      iterationIntervalMs: number;
    },
  ) {
    this.config = config;
    this.admin = createAdmin(config, { logger, metrics, now });
    this.#consumerProgress = new ConsumerProgress({
      windowMs: statusWindowMs,
      iterationIntervalMs,
    });
  }

  /** One iteration over the cluster. */
  collect(deps: IterationDeps): Promise<ClusterSnapshot> {
    return collectCluster(this.config, {
      ...deps,
      admin: this.admin,
      recordTimes: this.#recordTimes,
      lastSeenGroups: this.#lastSeenGroups,
      endOffsetMemory: this.#endOffsetMemory,
      consumerProgress: this.#consumerProgress,
    });
  }

  /** Closes the cluster's connections (the memories go with the monitor). */
  close(): Promise<void> {
    return this.admin.close();
  }
}

/** The kafkajs-backed admin of one cluster; request durations go to `metrics` when given. */
export function createAdmin(
  cluster: KafkaClusterConfig,
  { logger, metrics, now }: { logger: Logger; metrics?: ExporterMetrics; now(): number },
): KafkaAdmin {
  return createKafkajsAdmin(cluster, {
    now,
    logger,
    readTextFile: (path) => Deno.readTextFileSync(path),
    observeRequest: metrics
      ? (api, seconds) => metrics.observeKafkaRequest({ clusterName: cluster.name, api, seconds })
      : undefined,
  });
}
