/**
 * The shared store with a local safety net: every observation is also kept in this instance's
 * memory, and while the shared store fails, histories come from memory, so lag in seconds keeps
 * flowing (from this instance's own observations) through a Redis outage.
 */
import type { OffsetObservation } from "../lag/lag_values.ts";
import type { OffsetHistoryStore, PartitionObservation } from "./offset_history_store.ts";

/** What the fallback store reports. */
export interface FallbackStoreDeps {
  /** Called on every failure of the shared store. */
  onError(error: unknown): void;
  /** Called when the shared store answers again after failures. */
  onRecovered(): void;
}

/** Shared store first, memory when it fails. */
export class FallbackOffsetHistoryStore implements OffsetHistoryStore {
  readonly #shared: OffsetHistoryStore;
  readonly #local: OffsetHistoryStore;
  readonly #deps: FallbackStoreDeps;
  #sharedHealthy = true;

  constructor(shared: OffsetHistoryStore, local: OffsetHistoryStore, deps: FallbackStoreDeps) {
    this.#shared = shared;
    this.#local = local;
    this.#deps = deps;
  }

  /** Whether the last call to the shared store succeeded. */
  sharedHealthy(): boolean {
    return this.#sharedHealthy;
  }

  async recordAndRead(
    clusterName: string,
    observations: readonly PartitionObservation[],
  ): Promise<OffsetObservation[][]> {
    const local = await this.#local.recordAndRead(clusterName, observations);
    try {
      const shared = await this.#shared.recordAndRead(clusterName, observations);
      if (!this.#sharedHealthy) this.#deps.onRecovered();
      this.#sharedHealthy = true;
      return shared;
    } catch (error) {
      this.#sharedHealthy = false;
      this.#deps.onError(error);
      return local;
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.#shared.close(), this.#local.close()]);
  }
}
