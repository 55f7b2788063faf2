import { groupActivity } from "../lag/group_report.ts";
/**
 * Every scheme rendered with every kind of series, and with user labels: no series carries a
 * label name twice (Prometheus would refuse the whole scrape), and every label name the exporter
 * writes is one config/reserved_labels.ts refuses as a user label, so that list stays complete.
 */
import { assert, assertEquals } from "../../tests/assert.ts";
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";
import { reservedLabelNames } from "../config/schema/reserved_labels.ts";
import { aggregateGroup } from "../lag/aggregate.ts";
import { createExporterMetrics } from "./metrics_registry.ts";

const USER_LABELS = { env: "prod", region: "eu-1" };
const SCHEMES = ["native", "kafka_exporter", "kafka_lag_exporter"] as const;

function richStatus(clusterName: string): ClusterStatus {
  const group = aggregateGroup("orders", [
    { topic: "t", partition: 0, committedOffset: 1, endOffset: 5, lagOffsets: 4, lagSeconds: 2 },
    { topic: "t", partition: 1, committedOffset: 5, endOffset: 5, lagOffsets: 0, lagSeconds: 0 },
  ]);
  return {
    clusterName,
    up: true,
    iterationErrorsTotal: 1,
    lastDurationSeconds: 0.5,
    lastSuccessMs: 1_000,
    snapshot: {
      clusterName,
      groupsChecked: 1,
      startedAtMs: 0,
      completedAtMs: 1_000,
      groups: [{
        ...group,
        activity: groupActivity({
          state: "Stable",
          protocol: "classic",
          members: [{
            memberId: "m-1",
            clientId: "c-1",
            host: "/10.0.0.1",
            assignment: [{ topic: "t", partition: 0 }],
          }],
        }),
        status: "OK",
        rates: { consumeRate: 1, produceRate: 1, catchUpSeconds: 0 },
        retentionRatio: 0.1,
      }],
      partitionOffsets: [
        { topic: "t", partition: 0, offset: 5, observedAtMs: 0, logStartOffset: 0 },
        { topic: "t", partition: 1, offset: 5, observedAtMs: 0, logStartOffset: 0 },
      ],
      lagSecondsMethods: { "record-timestamp": 1, none: 1 },
      recordsLostToRetention: [{ groupId: "orders", topic: "t", partition: 0, records: 1 }],
    },
  };
}

/** Each sample line's label names, in order (duplicates kept). */
function labelNamesPerLine(text: string): Array<{ line: string; names: string[] }> {
  return text.split("\n").filter((line) => line !== "" && !line.startsWith("#")).map((line) => {
    const braces = line.indexOf("{");
    const labels = braces < 0 ? "" : line.slice(braces, line.lastIndexOf("}") + 1);
    const names = [...labels.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)].map(
      (match) => match[1],
    );
    return { line, names };
  });
}

Deno.test("every scheme, every series: no label twice, every label name reserved", async () => {
  for (const clusters of [1, 2]) {
    const statuses = Array.from({ length: clusters }, (_, index) => richStatus(`k${index}`));
    const metrics = createExporterMetrics(
      { clusters: () => statuses, iterationSeconds: () => 0.5, liveInstances: () => 1 },
      {
        labels: USER_LABELS,
        granularity: "partition",
        memberLabels: true,
        native: true,
        compat: ["kafka_exporter", "kafka_lag_exporter"],
        version: "1.2.3",
        commit: "abc",
        memoryUsage: () => ({ rss: 1, heapUsed: 2 }),
      },
    );
    metrics.observeKafkaRequest({ clusterName: "k0", api: "Fetch", seconds: 0.01 });
    metrics.countStoreError("redis");
    const text = await new Response(await metrics.render()).text();
    const reserved = reservedLabelNames(SCHEMES);
    const written = new Set<string>();
    const lines = labelNamesPerLine(text);
    assert(lines.length > 50, `only ${lines.length} samples rendered`);
    for (const { line, names } of lines) {
      assertEquals(new Set(names).size, names.length, `a label twice: ${line}`);
      for (const name of names) written.add(name);
      for (const user of Object.keys(USER_LABELS)) {
        assert(names.includes(user), `user label ${user} missing: ${line}`);
      }
    }
    const unreserved = [...written].filter((name) => !reserved.has(name) && !(name in USER_LABELS));
    assertEquals(unreserved, [], "label names written but not reserved");
    // Sanity: the fixture reaches the group series and both compat schemes.
    for (const name of ["state", "status", "consumer_id", "consumergroup", "cluster_name"]) {
      assert(written.has(name), `no series with ${name}`);
    }
  }
});
