/** The latest status of every cluster: written by the loops, read by /metrics, health and reports. */
import type { ClusterStatus } from "./cluster_snapshot.ts";

/** Holds the last published status per cluster, in config order. */
export class ExporterState {
  readonly #statuses = new Map<string, ClusterStatus>();
  readonly #onChange = new Set<() => void>();
  #loopRunning = false;

  constructor(clusterNames: readonly string[]) {
    for (const clusterName of clusterNames) {
      this.#statuses.set(clusterName, { clusterName, iterationErrorsTotal: 0 });
    }
  }

  /** Replaces a cluster's status with the result of its latest iteration. */
  publish(status: ClusterStatus): void {
    this.#statuses.set(status.clusterName, status);
    this.#changed();
  }

  /** Calls `listener` after each change of the statuses (a publish, snapshots withdrawn). */
  onChange(listener: () => void): void {
    this.#onChange.add(listener);
  }

  #changed(): void {
    for (const listener of this.#onChange) listener();
  }

  /**
   * Drops every cluster's snapshot: an instance leaving its peers exports none of its groups
   * from then on, so the instance taking them over never exports them at the same time.
   */
  withdrawSnapshots(): void {
    for (const [name, status] of this.#statuses) {
      this.#statuses.set(name, { ...status, snapshot: undefined });
    }
    this.#changed();
  }

  /** Every cluster's status. */
  clusters(): ClusterStatus[] {
    return [...this.#statuses.values()];
  }

  /** Longest last iteration among the clusters: how long measuring everything takes. */
  iterationSeconds(): number | undefined {
    const durations = this.clusters().flatMap((status) =>
      status.lastDurationSeconds === undefined ? [] : [status.lastDurationSeconds]
    );
    return durations.length > 0 ? durations.reduce((a, b) => Math.max(a, b)) : undefined;
  }

  /** Marks whether the collection loops are running (for /livez). */
  setLoopRunning(running: boolean): void {
    this.#loopRunning = running;
  }

  /** True while the collection loops run. */
  loopRunning(): boolean {
    return this.#loopRunning;
  }
}
