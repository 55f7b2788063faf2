/** The long-running service without Kafka: ports, probes, signals and log format. */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { runCli, startExporter, writeConfig } from "./harness/exporter.ts";
import { eventually, freePort } from "./harness/processes.ts";

const unreachable = () => ({
  name: "nowhere",
  brokers: [`127.0.0.1:${freePort()}`],
  client_request_timeout: "1s",
  metadata_fetch_timeout: "500ms",
});

Deno.test({
  name: "service without a reachable cluster",
  fn: async (t) => {
    await t.step("one port serves every route when both ports are equal", async () => {
      await using exporter = await startExporter({
        kafka_clusters: [unreachable()],
        app: { iteration_interval: "1s" },
      }, {
        samePort: true,
      });
      assertEquals(new URL(exporter.metricsUrl).port, String(exporter.healthPort));
      const metrics = await fetch(exporter.metricsUrl);
      assertStringIncludes(await metrics.text(), "kafka_lag_exporter_build_info");
      const live = await fetch(`${exporter.healthUrl}/livez`);
      assertEquals([live.status, await live.text()], [200, "ok\n"]);
      const health = await eventually("cluster marked down", async () => {
        const body = await (await fetch(`${exporter.healthUrl}/healthz`)).json();
        return body.unhealthy_clusters.length > 0 ? body : undefined;
      });
      assertEquals(health, { status: "Unhealthy", unhealthy_clusters: ["nowhere"] });
      const ready = await fetch(`${exporter.healthUrl}/readyz`);
      await ready.body?.cancel();
      assertEquals(ready.status, 503);
    });

    await t.step("SIGINT stops it with exit code 0", async () => {
      const exporter = await startExporter({ kafka_clusters: [unreachable()] });
      assertEquals(await exporter.stop("SIGINT"), 0);
    });

    await t.step("log_format json writes one JSON object per line, no stack traces", async () => {
      const exporter = await startExporter({
        kafka_clusters: [unreachable()],
        app: { iteration_interval: "1s", log_format: "json" },
      });
      await eventually(
        "an error line",
        () => exporter.logs().includes('"level":"error"') || undefined,
      );
      await exporter.stop();
      const lines = exporter.logs().trim().split("\n");
      for (const line of lines) {
        const entry = JSON.parse(line);
        assert(typeof entry.time === "string" && typeof entry.msg === "string", line);
      }
      const error = lines.map((line) => JSON.parse(line)).find((entry) => entry.level === "error");
      assertEquals(error.cluster, "nowhere");
      assert(!/\n\s+at /.test(error.error), error.error);
    });

    await t.step("a port already in use is one clear error, exit 1", async () => {
      const listener = Deno.listen({ hostname: "0.0.0.0", port: 0 });
      const port = (listener.addr as Deno.NetAddr).port;
      try {
        const path = await writeConfig({
          kafka_clusters: [unreachable()],
          prometheus_local: { metrics_port: port },
          app: { health_check_port: freePort() },
        });
        const result = await runCli(["-c", path]);
        assertEquals(result.code, 1, result.stderr);
        assertStringIncludes(result.stderr, `a port is already in use (metrics ${port}`);
        assert(!/\n\s+at /.test(result.stderr), result.stderr);
        await Deno.remove(path);
      } finally {
        listener.close();
      }
    });
  },
});
