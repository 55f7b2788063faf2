/**
 * /metrics for one fixed run of three iterations over the fake cluster, every naming scheme and
 * member labels on, against tests/fixtures/golden/metrics.txt: a refactor of the metric model
 * must give the same series, labels and values (HELP text may change; run with UPDATE_GOLDEN=1
 * to accept a deliberate change, and say why in the commit). Compared as a set of lines: the
 * order of families and blank lines between them mean nothing to a scraper.
 */
import { assertEquals } from "../../tests/assert.ts";
import { clusterConfig, setup } from "../../tests/fakes/collect_cluster_setup.ts";
import { FakeKafkaAdmin } from "../../tests/fakes/fake_kafka_admin.ts";
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";
import { collectCluster } from "../collect/collect_cluster.ts";
import { ConsumerProgress } from "../collect/consumer_progress.ts";
import { createExporterMetrics } from "./metrics_registry.ts";

const GOLDEN = new URL("../../tests/fixtures/golden/metrics.txt", import.meta.url);
/** Families whose values come from the process or the wall clock, not from the snapshot. */
const VARYING = /^(process_|kafka_lag_exporter_process_|kafka_lag_exporter_build_info)/;

async function render(): Promise<string> {
  const admin = new FakeKafkaAdmin();
  admin.descriptions.set("billing", {
    state: "Stable",
    type: "classic",
    members: [{
      memberId: "billing-1",
      clientId: "billing-app",
      host: "/10.0.0.7",
      assignment: [{ topic: "orders", partition: 0 }, { topic: "orders", partition: 1 }],
    }],
  });
  const deps = {
    ...setup(admin),
    consumerProgress: new ConsumerProgress({ windowMs: 60_000, iterationIntervalMs: 10_000 }),
  };
  const config = clusterConfig();
  let status: ClusterStatus | undefined;
  for (let iteration = 0; iteration < 3; iteration++) {
    admin.clock = 1_000_000 + iteration * 10_000;
    admin.setEnd("orders", 0, 100 + 40 * iteration).setEnd("orders", 1, 50 + 5 * iteration)
      .setEnd("audit", 0, 9);
    admin.setGroup("billing", [
      { topic: "orders", partition: 0, offset: 90 + 30 * iteration },
      { topic: "orders", partition: 1, offset: 50 + 5 * iteration },
    ]);
    admin.setGroup("shipping", [{ topic: "audit", partition: 0, offset: 4 }]);
    const snapshot = await collectCluster(config, deps);
    status = {
      clusterName: config.name,
      up: true,
      iterationErrorsTotal: 0,
      lastDurationSeconds: 0.25,
      lastSuccessMs: admin.clock,
      snapshot,
    };
  }
  const metrics = createExporterMetrics(
    { clusters: () => [status!], iterationSeconds: () => 0.25, liveInstances: () => 1 },
    {
      labels: { env: "golden" },
      granularity: "partition",
      memberLabels: true,
      native: true,
      compat: ["kafka_exporter", "kafka_lag_exporter"],
      version: "0.0.0",
      commit: "golden",
      memoryUsage: () => ({ rss: 1, heapUsed: 2 }),
    },
  );
  const text = await new Response(await metrics.render()).text();
  return text.split("\n")
    .filter((line) => !line.startsWith("# HELP "))
    .filter((line) => !VARYING.test(line.replace(/^# TYPE /, "")))
    .join("\n");
}

Deno.test("/metrics of a fixed run is the golden file, series for series", async () => {
  const rendered = await render();
  if (Deno.env.get("UPDATE_GOLDEN") === "1") await Deno.writeTextFile(GOLDEN, rendered);
  const lines = (text: string) => text.split("\n").filter((line) => line !== "").sort();
  assertEquals(lines(rendered), lines(await Deno.readTextFile(GOLDEN)));
});
