/** In-memory offset history for a single instance. */
import type { OffsetObservation } from "../lag/types.ts";
import type { OffsetHistoryStore, PartitionObservation } from "./offset_history_store.ts";

/** Settings of the memory store. */
export interface MemoryStoreOptions {
  retentionMs: number;
}

interface PartitionHistory {
  points: OffsetObservation[];
  lastObservedMs: number;
}

/** Keeps histories in process memory; everything is lost on restart. */
export class MemoryOffsetHistoryStore implements OffsetHistoryStore {
  readonly #retentionMs: number;
  readonly #clusters = new Map<string, Map<string, PartitionHistory>>();

  constructor(options: MemoryStoreOptions) {
    this.#retentionMs = options.retentionMs;
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
      history.points = appendObservation(history.points, observation, this.#retentionMs);
      history.lastObservedMs = Math.max(history.lastObservedMs, observation.timestampMs);
      return history.points.map((point) => ({ ...point }));
    });
    for (const [key, history] of partitions) {
      if (history.lastObservedMs < newestMs - this.#retentionMs) partitions.delete(key);
    }
    return Promise.resolve(histories);
  }

  /** Nothing to release. */
  close(): Promise<void> {
    this.#clusters.clear();
    return Promise.resolve();
  }
}

/**
 * Adds one observation to a partition's points (oldest first) and prunes by retention.
 * The newest point is always kept: it is the earliest sighting of the current end offset, the only
 * evidence of how long an idle partition has been at that offset.
 */
export function appendObservation(
  points: readonly OffsetObservation[],
  observation: OffsetObservation,
  retentionMs: number,
): OffsetObservation[] {
  const last = points.at(-1);
  let next: OffsetObservation[];
  if (last === undefined || observation.offset < last.offset) {
    // First sighting, or the log was truncated or re-created: older points describe another log.
    next = [{ offset: observation.offset, timestampMs: observation.timestampMs }];
  } else if (observation.offset === last.offset) {
    // A flat line: the earliest sighting of this offset already carries all the information.
    next = [...points];
  } else {
    next = [...points, { offset: observation.offset, timestampMs: observation.timestampMs }];
  }
  const cutoffMs = observation.timestampMs - retentionMs;
  const firstKept = next.findIndex((point) => point.timestampMs >= cutoffMs);
  const keepFrom = firstKept === -1 ? next.length - 1 : Math.min(firstKept, next.length - 1);
  return next.slice(keepFrom);
}
