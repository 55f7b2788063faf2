/**
 * Clusters are isolated: with two real single-broker clusters and one that accepts TCP but never
 * answers, stopping one cluster mid-run neither delays nor breaks the other; the dead one is
 * marked down, its series disappear, one log line says so, and it is measured again once back.
 */
import { assert, assertEquals } from "../assert.ts";
import { startExporter } from "../harness/exporter.ts";
import { startKafka } from "../harness/kafka.ts";
import { commitOffsets, createTopic, produce } from "../harness/kafka_fixtures.ts";
import { eventually, freePort } from "../harness/processes.ts";
import { findSamples, sampleValue } from "../harness/prom_text.ts";

Deno.test({
  name: "multi-cluster isolation on real brokers",
  fn: async (t) => {
    const [stable, flaky] = await Promise.all([startKafka(), startKafka()]);
    // A "cluster" that accepts connections and never says a word.
    const hangingPort = freePort();
    const hanging = Deno.listen({ hostname: "127.0.0.1", port: hangingPort });
    const silentConnections: Deno.Conn[] = [];
    const accepting = (async () => {
      try {
        for await (const connection of hanging) silentConnections.push(connection);
      } catch {
        // closed
      }
    })();
    try {
      for (const broker of [stable, flaky]) {
        await createTopic(broker.bootstrap, "work", 1);
        await produce(broker.bootstrap, "work", [10]);
        await commitOffsets(broker.bootstrap, "worker", "work", [4]);
      }
      await using exporter = await startExporter({
        kafka_clusters: [
          { name: "stable", brokers: [stable.bootstrap] },
          {
            name: "flaky",
            brokers: [flaky.bootstrap],
            client_request_timeout: "2s",
            metadata_fetch_timeout: "1s",
          },
          {
            name: "hanging",
            brokers: [`127.0.0.1:${hangingPort}`],
            client_request_timeout: "2s",
            metadata_fetch_timeout: "1s",
          },
        ],
        app: { iteration_interval: "1s" },
      });
      const lastSuccess = async (clustername: string) =>
        sampleValue(
          await exporter.scrape(),
          "kafka_lag_exporter_cluster_last_success_timestamp_seconds",
          { clustername },
        );
      const keepsUpdating = async (what: string) => {
        const first = await lastSuccess("stable");
        // sleep-ok: the window over which the update rate is measured
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        const second = await lastSuccess("stable");
        assert(
          first !== undefined && second !== undefined && second - first >= 2,
          `${what}: stable advanced ${second! - first!} s in 3 s`,
        );
      };

      await t.step(
        "both real clusters are measured; the hanging one is down without delaying them",
        async () => {
          await eventually("both measured", async () => {
            const samples = await exporter.scrape();
            return ["stable", "flaky"].every((clustername) =>
                  sampleValue(samples, "kafka_consumer_group_lag_in_offsets", {
                    clustername,
                    group: "worker",
                  }) === 6
                ) &&
                sampleValue(samples, "kafka_lag_exporter_cluster_up", {
                    clustername: "hanging",
                  }) === 0 || undefined;
          });
          await keepsUpdating("with a hanging cluster");
          const duration = sampleValue(
            await exporter.scrape(),
            "kafka_lag_exporter_cluster_iteration_duration_seconds",
            { clustername: "stable" },
          )!;
          assert(duration < 0.5, `stable iteration took ${duration} s`);
        },
      );

      await t.step(
        "a cluster stopped mid-run is marked down, its series go, the other keeps updating",
        async () => {
          await flaky.kill();
          await eventually("flaky down", async () => {
            const samples = await exporter.scrape();
            return sampleValue(samples, "kafka_lag_exporter_cluster_up", {
                      clustername: "flaky",
                    }) === 0 &&
                findSamples(samples, "kafka_consumer_group_lag_in_offsets", {
                    clustername: "flaky",
                  }).length === 0 || undefined;
          }, 20_000);
          const health = await (await fetch(`${exporter.healthUrl}/healthz`)).json();
          assertEquals(health, { status: "OK", unhealthy_clusters: ["flaky", "hanging"] });
          await keepsUpdating("with a dead cluster");
        },
      );

      await t.step(
        "started again, it is measured again without restarting the exporter",
        async () => {
          await flaky.restart();
          await eventually("flaky back", async () => {
            const samples = await exporter.scrape();
            return sampleValue(samples, "kafka_consumer_group_lag_in_offsets", {
                  clustername: "flaky",
                  group: "worker",
                }) === 6 ||
              undefined;
          }, 40_000);
        },
      );

      await t.step("one log line per cluster per state change, not one per iteration", () => {
        const lines = exporter.logs().split("\n");
        const down = (cluster: string) =>
          lines.filter((line) =>
            line.includes("cannot read the cluster") && line.includes(`cluster=${cluster}`)
          ).length;
        assertEquals(down("flaky"), 1, exporter.logs());
        assertEquals(down("hanging"), 1, exporter.logs());
        assertEquals(
          lines.filter((line) => line.includes("reachable again") && line.includes("cluster=flaky"))
            .length,
          1,
        );
      });
    } finally {
      hanging.close();
      for (const connection of silentConnections) connection.close();
      await accepting;
      await Promise.all([stable.stop(), flaky.stop()]);
    }
  },
});
