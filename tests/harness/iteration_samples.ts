/** One iteration of a cluster as /metrics shows it, for tests that sample every iteration. */
import { type Sample, sampleValue } from "./prom_text.ts";

/** What a test keeps of each iteration it saw. */
export interface Iteration {
  atMs: number;
  /** Series of the baseline missing from this iteration's scrape. */
  missing: string[];
  up: number | undefined;
  durationSeconds: number | undefined;
  /** When the iteration ended (unix seconds). */
  successAt: number | undefined;
  /** Failed iterations so far (one that outlasts its deadline fails). */
  errorsTotal: number | undefined;
  /** The exporter saw part of the cluster fail (partitions or brokers left out). */
  degraded: boolean;
  /** Partitions measured with their last end offset (leader unreachable). */
  carriedEnds: number;
  /** What the test was doing to the cluster meanwhile. */
  phase: string;
}

/** The cluster's own series of one scrape (what Iteration holds besides time, gaps and phase). */
export function iterationOf(
  samples: Sample[],
  clustername: string,
): Omit<Iteration, "atMs" | "missing" | "phase"> {
  const value = (name: string) =>
    sampleValue(samples, `kafka_lag_exporter_${name}`, { clustername });
  return {
    up: value("cluster_up"),
    durationSeconds: value("cluster_iteration_duration_seconds"),
    successAt: value("cluster_last_success_timestamp_seconds"),
    errorsTotal: value("cluster_iteration_errors_total"),
    degraded: value("cluster_degraded") === 1,
    carriedEnds: value("partitions_end_offset_carried_over") ?? 0,
  };
}
