/** In-memory offset history for a single instance. */
import { DEFAULT_MAX_POINTS, type HistoryLimits, mergeObservation } from "../lag/offset_history.ts";
import type { OffsetObservation } from "../lag/lag_values.ts";
import type { OffsetHistoryStore, PartitionObservation } from "./offset_history_store.ts";

/** Settings of the memory store. */
export interface MemoryStoreOptions {
  retentionMs: number;
  /** Point budget per partition (default DEFAULT_MAX_POINTS). */
  maxPoints?: number;
}

interface PartitionHistory {
  points: OffsetObservation[];
  lastObservedMs: number;
}

/** Keeps histories in process memory; everything is lost on restart. */
export class MemoryOffsetHistoryStore implements OffsetHistoryStore {
  readonly #limits: HistoryLimits;
  readonly #clusters = new Map<string, Map<string, PartitionHistory>>();

  constructor(options: MemoryStoreOptions) {
    this.#limits = {
      retentionMs: options.retentionMs,
      maxPoints: options.maxPoints ?? DEFAULT_MAX_POINTS,
    };
  }

  /** Records and returns histories; partitions not observed for a whole retention period are forgotten. */
  recordAndRead(
    clusterName: string,
    observations: readonly PartitionObservation[],
  ): Promise<OffsetObservation[][]> {
    let partitions = this.#clusters.get(clusterName);
    if (!partitions) {
      partitions = new Map();
      this.#clusters.set(clusterName, partitions);
    }
    let newestMs = -Infinity;
    const histories = observations.map((observation) => {
      newestMs = Math.max(newestMs, observation.timestampMs);
      const key = `${observation.topic}\u0000${observation.partition}`;
      let history = partitions.get(key);
      if (!history) {
        history = { points: [], lastObservedMs: observation.timestampMs };
        partitions.set(key, history);
      }
      history.points = mergeObservation(history.points, observation, this.#limits);
      history.lastObservedMs = Math.max(history.lastObservedMs, observation.timestampMs);
      return history.points.map((point) => ({ ...point }));
    });
    for (const [key, history] of partitions) {
      if (history.lastObservedMs < newestMs - this.#limits.retentionMs) partitions.delete(key);
    }
    return Promise.resolve(histories);
  }

  /** Nothing to release. */
  close(): Promise<void> {
    this.#clusters.clear();
    return Promise.resolve();
  }
}
