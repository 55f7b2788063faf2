/** Health as the seed reports it: healthy iff at least one Kafka cluster answers (and the store does). */
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";

/** The JSON body of the health endpoint. */
export interface HealthReport {
  status: "OK" | "Unhealthy";
  unhealthy_clusters: string[];
}

/**
 * Clusters not (yet) answering are listed as unhealthy; the whole is healthy when one cluster
 * answers and the shared store, if any, answers too.
 */
export function evaluateHealth(
  clusters: readonly ClusterStatus[],
  storeHealthy = true,
): HealthReport {
  const unhealthy = clusters.filter((status) => status.up !== true).map((status) =>
    status.clusterName
  );
  const anyUp = clusters.some((status) => status.up === true);
  return { status: anyUp && storeHealthy ? "OK" : "Unhealthy", unhealthy_clusters: unhealthy };
}
