/** The fake cluster settings and dependencies collectCluster()'s tests share. */
import type { KafkaClusterConfig } from "../../src/config/load_config.ts";
import { compileNameFilter } from "../../src/config/schema/name_filter.ts";
import type { ClusterSnapshot } from "../../src/collect/cluster_snapshot.ts";
import type { CollectClusterDeps } from "../../src/collect/collect_cluster.ts";
import {
  noLookups,
  type RecordLookupCounts,
  RecordTimeCache,
} from "../../src/collect/record_timestamps.ts";
import { createLogger } from "../../src/log/logger.ts";
import { MemoryOffsetHistoryStore } from "../../src/store/memory_store.ts";
import type { OffsetHistoryStore } from "../../src/store/offset_history_store.ts";
import type { FakeKafkaAdmin } from "./fake_kafka_admin.ts";

export const T0 = Date.UTC(2026, 10, 28);

export const logger = createLogger({ level: "error", format: "text", write: () => {} });

/** One cluster's settings as loaded from a minimal file, with `overrides`. */
export function clusterConfig(overrides: Partial<KafkaClusterConfig> = {}): KafkaClusterConfig {
  return {
    name: "k",
    brokers: ["b:9092"],
    requestTimeoutMs: 1_000,
    metadataTimeoutMs: 1_000,
    groupFilter: compileNameFilter(undefined, undefined),
    topicFilter: compileNameFilter(undefined, undefined),
    recordTimestamps: {
      exact: false,
      maxPartitions: 1_000,
      maxFutureSkewMs: 60_000,
      maxBatchBytes: 16_777_216,
    },
    ...overrides,
  };
}

/** exact_lag_seconds on, for the `maxPartitions` most lagging partitions. */
export function exactMode(maxPartitions: number): KafkaClusterConfig {
  return clusterConfig({
    recordTimestamps: {
      exact: true,
      maxPartitions,
      maxFutureSkewMs: 60_000,
      maxBatchBytes: 16_777_216,
    },
  });
}

/** Record lookup counts: zero but for `counts`. */
export function lookups(counts: Partial<RecordLookupCounts>): RecordLookupCounts {
  return { ...noLookups(), ...counts };
}

/** Per group: [lag seconds, method] of each partition. */
export function methodsOf(snapshot: ClusterSnapshot): Record<string, unknown[]> {
  return Object.fromEntries(
    snapshot.groups.map((group) => [
      group.groupId,
      group.partitions.toArray().map((p) => [p.lagSeconds, p.lagSecondsMethod]),
    ]),
  );
}

/** collectCluster() dependencies on `admin`, its clock, a memory store. */
export function setup(
  admin: FakeKafkaAdmin,
  store: OffsetHistoryStore = new MemoryOffsetHistoryStore({ retentionMs: 60_000 }),
) {
  const deps: CollectClusterDeps = {
    admin,
    store,
    now: () => admin.clock,
    logger,
    concurrency: 2,
    recordTimes: new RecordTimeCache(),
  };
  return deps;
}
