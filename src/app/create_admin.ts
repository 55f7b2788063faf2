/** The kafkajs-backed admin of one cluster, bound to the process's clock, files and metrics. */
import type { KafkaClusterConfig } from "../config/load_config.ts";
import type { ExporterMetrics } from "../export/metrics_registry.ts";
import { createKafkajsAdmin } from "../kafka/kafkajs_admin.ts";
import type { KafkaAdmin } from "../kafka/kafka_admin.ts";
import type { Logger } from "../log/logger.ts";

/** Creates the admin; request durations go to `metrics` when given. */
export function createAdmin(
  cluster: KafkaClusterConfig,
  { logger, metrics }: { logger: Logger; metrics?: ExporterMetrics },
): KafkaAdmin {
  return createKafkajsAdmin(cluster, {
    now: Date.now,
    logger,
    readTextFile: (path) => Deno.readTextFileSync(path),
    observeRequest: metrics
      ? (api, seconds) => metrics.observeKafkaRequest({ clusterName: cluster.name, api, seconds })
      : undefined,
  });
}
