import { assertEquals } from "../../tests/assert.ts";
import { aggregateGroup } from "../lag/aggregate.ts";
import { renderOnceJson, renderOnceTable } from "./once_report.ts";
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";

const statuses: ClusterStatus[] = [
  {
    clusterName: "main",
    up: true,
    iterationErrorsTotal: 0,
    snapshot: {
      clusterName: "main",
      groupsChecked: 1,
      startedAtMs: 0,
      completedAtMs: 0,
      groups: [aggregateGroup("billing", [
        {
          topic: "orders",
          partition: 0,
          committedOffset: 10,
          endOffset: 15,
          lagOffsets: 5,
          lagSeconds: 2.5,
        },
        {
          topic: "orders",
          partition: 1,
          committedOffset: 7,
          endOffset: 7,
          lagOffsets: 0,
        },
      ])],
    },
  },
  { clusterName: "down", up: false, lastError: "connection refused", iterationErrorsTotal: 1 },
];

Deno.test("renderOnceTable() aligns columns and lists failed clusters", () => {
  assertEquals(
    renderOnceTable(statuses),
    [
      "CLUSTER  GROUP    TOPIC   PARTITION  COMMITTED  LATEST  LAG  LAG_SECONDS",
      "main     billing  orders  0          10         15      5    2.500",
      "main     billing  orders  1          7          7       0    -",
      "cluster down could not be read: connection refused",
      "",
    ].join("\n"),
  );
});

Deno.test("renderOnceJson() uses null for what is unknown", () => {
  const report = JSON.parse(renderOnceJson(statuses));
  assertEquals(report.clusters[0].groups[0].partitions[1], {
    topic: "orders",
    partition: 1,
    committed: 7,
    latest: 7,
    log_start: null,
    lag: 0,
    lag_seconds: null,
    lag_seconds_method: null,
    status: null,
    owner: null,
    consume_rate: null,
    produce_rate: null,
    time_to_catch_up_seconds: null,
  });
  assertEquals(report.clusters[1], {
    name: "down",
    up: false,
    error: "connection refused",
    groups_checked: 0,
    groups: [],
  });
});

Deno.test("renderOnceTable() handles reports of hundreds of thousands of partitions", () => {
  // One group of 200,000 partitions: spreading them into Math.max overflowed the call stack.
  const partitions = Array.from({ length: 200_000 }, (_, partition) => ({
    topic: "big",
    partition,
    committedOffset: 1,
    endOffset: 2,
    lagOffsets: 1,
  }));
  const report = renderOnceTable([{
    clusterName: "main",
    up: true,
    iterationErrorsTotal: 0,
    snapshot: {
      clusterName: "main",
      groupsChecked: 1,
      startedAtMs: 0,
      completedAtMs: 0,
      groups: [aggregateGroup("g", partitions)],
    },
  }]);
  const lines = report.trimEnd().split("\n");
  assertEquals(lines.length, 200_001);
  assertEquals(lines[200_000].split(/\s+/), ["main", "g", "big", "199999", "1", "2", "1", "-"]);
});
