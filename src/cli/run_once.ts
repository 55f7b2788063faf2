/**
 * `--once`: one iteration over every cluster, printed as a report; no ports, no Redis. One
 * iteration has no offset history, so record timestamps are read for every lagging partition
 * (exact mode) and the report has lag in seconds too.
 */
import type { ExporterConfig, KafkaClusterConfig } from "../config/load_config.ts";
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";
import { collectCluster } from "../collect/collect_cluster.ts";
import { iterateCluster, iterationDeadlineMs } from "../collect/cluster_loop.ts";
import type { Logger } from "../log/logger.ts";
import { MemoryOffsetHistoryStore } from "../store/memory_store.ts";
import { createAdmin } from "../app/cluster_monitor.ts";
import { EXIT_OK, EXIT_RUNTIME } from "../app/exit_codes.ts";
import { renderOnceJson, renderOnceTable } from "./once_report.ts";

/** The cluster as --once measures it: exact mode on (one iteration has no offset history). */
function onceCluster(cluster: KafkaClusterConfig): KafkaClusterConfig {
  return { ...cluster, recordTimestamps: { ...cluster.recordTimestamps, exact: true } };
}

/** One iteration over every cluster, printed as a report; no ports, no Redis. */
export async function runOnce(
  config: ExporterConfig,
  { format, logger }: { format: "table" | "json"; logger: Logger },
): Promise<number> {
  const store = new MemoryOffsetHistoryStore({ retentionMs: config.storage.retentionMs });
  const statuses = await Promise.all(
    config.clusters.map(async (cluster): Promise<ClusterStatus> => {
      const admin = createAdmin(cluster, { logger, now: Date.now });
      try {
        return await iterateCluster(
          {
            previous: { clusterName: cluster.name, iterationErrorsTotal: 0 },
            deadlineMs: iterationDeadlineMs(config.app.iterationIntervalMs, cluster),
          },
          {
            // One iteration has no offset history: read record timestamps instead, so the
            // report has lag in seconds for lagging partitions too.
            collect: () =>
              collectCluster(onceCluster(cluster), {
                admin,
                store,
                now: Date.now,
                logger,
                concurrency: config.app.concurrency,
              }),
            resetClient: () => admin.close(),
            now: Date.now,
            logger,
          },
        );
      } finally {
        await admin.close();
      }
    }),
  );
  await store.close();
  await writeStdout(format === "json" ? renderOnceJson(statuses) : renderOnceTable(statuses));
  return statuses.some((status) => status.up) ? EXIT_OK : EXIT_RUNTIME;
}

async function writeStdout(text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += await Deno.stdout.write(bytes.subarray(written));
}
