/** The `--once` lag report, as an aligned table or JSON. */
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";
import { groupDocument } from "../export/group_document.ts";

/** One row per group, topic and partition. */
interface ReportRow {
  cluster: string;
  group: string;
  topic: string;
  partition: number;
  committed: number;
  latest: number;
  lag: number;
  lagSeconds?: number;
}

function rows(statuses: readonly ClusterStatus[]): ReportRow[] {
  return statuses.flatMap((status) =>
    (status.snapshot?.groups ?? []).flatMap((group) =>
      group.partitions.toArray().map((partition) => ({
        cluster: status.clusterName,
        group: group.groupId,
        topic: partition.topic,
        partition: partition.partition,
        committed: partition.committedOffset,
        latest: partition.endOffset,
        lag: partition.lagOffsets,
        lagSeconds: partition.lagSeconds,
      }))
    )
  );
}

/**
 * Aligned columns like kafka-consumer-groups --describe. Lag in seconds shows "-" where it is
 * unknown (a record that cannot be read); clusters that failed are listed at the end.
 */
export function renderOnceTable(statuses: readonly ClusterStatus[]): string {
  const header = [
    "CLUSTER",
    "GROUP",
    "TOPIC",
    "PARTITION",
    "COMMITTED",
    "LATEST",
    "LAG",
    "LAG_SECONDS",
  ];
  const body = rows(statuses).map((row) => [
    row.cluster,
    row.group,
    row.topic,
    String(row.partition),
    String(row.committed),
    String(row.latest),
    String(row.lag),
    row.lagSeconds === undefined ? "-" : row.lagSeconds.toFixed(3),
  ]);
  // A loop, not Math.max(...cells): a report can have hundreds of thousands of rows.
  const widths = header.map((title) => title.length);
  for (const cells of body) {
    cells.forEach((cell, column) => {
      if (cell.length > widths[column]) widths[column] = cell.length;
    });
  }
  const line = (cells: string[]) =>
    cells.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd();
  const out = [line(header), ...body.map(line)];
  for (const status of statuses) {
    if (status.up === false) {
      out.push(`cluster ${status.clusterName} could not be read: ${status.lastError}`);
    }
  }
  return out.join("\n") + "\n";
}

/**
 * Machine-readable report: clusters, their state, and every group as the JSON API documents it
 * (docs/api.md; null = unknown). One iteration judges no progress: status and rates are null.
 */
export function renderOnceJson(statuses: readonly ClusterStatus[]): string {
  const report = {
    clusters: statuses.map((status) => ({
      name: status.clusterName,
      up: status.up === true,
      error: status.lastError,
      groups_checked: status.snapshot?.groupsChecked ?? 0,
      // The same document as GET /api/v1/clusters/{cluster}/groups/{group}.
      groups: (status.snapshot?.groups ?? []).map((group) => groupDocument(group, status.snapshot)),
    })),
  };
  return JSON.stringify(report, null, 2) + "\n";
}
