/**
 * Listen addresses and the API switch on a real process: the metrics port on IPv6 loopback only,
 * the health port on IPv4, and /api/v1 switched off while /metrics answers.
 */
import { assert, assertEquals } from "../assert.ts";
import { startExporter } from "../harness/exporter.ts";
import { freePort } from "../harness/processes.ts";

Deno.test("each port listens where it is told; the API can be switched off", async () => {
  await using exporter = await startExporter({
    // No broker needed: /metrics answers (the cluster is down) and the API would too.
    kafka_clusters: [{ name: "nowhere", brokers: [`127.0.0.1:${freePort()}`] }],
    prometheus_local: { listen_address: "[::1]", api_enabled: false },
    app: { health_check_address: "127.0.0.1" },
  });
  const port = new URL(exporter.metricsUrl).port;
  const metrics = await fetch(`http://[::1]:${port}/metrics`);
  assertEquals(metrics.status, 200);
  assert((await metrics.text()).includes("kafka_lag_exporter_cluster_up"));
  const api = await fetch(`http://[::1]:${port}/api/v1/clusters`);
  await api.body?.cancel();
  assertEquals(api.status, 404);
  const overIpv4 = await fetch(`http://127.0.0.1:${port}/metrics`).then(
    async (response) => {
      await response.body?.cancel();
      return "answered";
    },
    () => "refused",
  );
  assertEquals(overIpv4, "refused");
  const health = await fetch(`${exporter.healthUrl}/livez`);
  await health.body?.cancel();
  assertEquals(health.status, 200);
});
