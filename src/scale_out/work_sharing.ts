/**
 * How this instance shares the work: alone (memory store, every group, here), or with the
 * instances registered in Redis (redis_work_sharing.ts).
 */
import type { ExporterConfig } from "../config/load_config.ts";
import { MemoryOffsetHistoryStore } from "../store/memory_store.ts";
import type { OffsetHistoryStore } from "../store/offset_history_store.ts";

/** The parts of the exporter that depend on whether it runs alone. */
export interface WorkSharing {
  store: OffsetHistoryStore;
  /** The groups among `groupIds` this instance measures now (reads the live set first). */
  selectOwnedGroups(clusterName: string, groupIds: readonly string[]): Promise<string[]>;
  /**
   * Called when a cluster's iteration ends: `exported` tells whether its snapshot (with the
   * groups last selected) is now what /metrics shows.
   */
  snapshotPublished(clusterName: string, exported: boolean): void;
  liveInstances(): number;
  /** False while the shared store or membership cannot be reached. */
  healthy(): boolean;
  /** Deregisters at once, so the other instances take this one's groups on their next iteration. */
  leave(): Promise<void>;
  /** Deregisters if not done yet and releases connections. */
  stop(): Promise<void>;
}

/** One instance with an in-memory history: it measures every group. */
export function singleInstance(config: ExporterConfig): WorkSharing {
  const store = new MemoryOffsetHistoryStore({ retentionMs: config.storage.retentionMs });
  return {
    store,
    selectOwnedGroups: (_clusterName, groupIds) => Promise.resolve([...groupIds]),
    snapshotPublished: () => {},
    liveInstances: () => 1,
    healthy: () => true,
    leave: () => Promise.resolve(),
    stop: () => store.close(),
  };
}
