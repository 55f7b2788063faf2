/**
 * SIGTERM while the broker hangs (SIGSTOP: sockets open, nothing answers) and an iteration is
 * stuck inside a Kafka request: the exporter exits within 5 s, and its last remote-write push
 * still reaches Prometheus. And with the remote-write endpoint silent too: still within 5 s
 * (app.shutdown_timeout), the last push abandoned.
 */
import { assert, assertEquals } from "../assert.ts";
import { type ExporterProcess, startExporter } from "../harness/exporter.ts";
import { startKafka } from "../harness/kafka.ts";
import { commitOffsets, createTopic, produce } from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { findSamples } from "../harness/prom_text.ts";
import { startPrometheus } from "../harness/prometheus.ts";

/** Sends SIGTERM, asserts exit 0 within 5 s, and returns when the signal was sent. */
async function sigtermExitsWithin5s(exporter: ExporterProcess): Promise<number> {
  const signalledMs = Date.now();
  const code = await exporter.stop("SIGTERM");
  const exitSeconds = (Date.now() - signalledMs) / 1_000;
  console.log(`  exit ${code} ${exitSeconds.toFixed(2)} s after SIGTERM`);
  assertEquals(code, 0, exporter.logs());
  assert(exitSeconds <= 5, `exited ${exitSeconds} s after SIGTERM`);
  return signalledMs;
}

Deno.test({
  name: "SIGTERM with a hung broker: exit within 5 s, final remote-write push delivered",
  fn: async () => {
    await using broker = await startKafka();
    await createTopic(broker.bootstrap, "stalled", 1);
    await produce(broker.bootstrap, "stalled", [10]);
    await commitOffsets(broker.bootstrap, "stalled-reader", "stalled", [4]);
    await using prometheus = await startPrometheus();
    await using exporter = await startExporter({
      prometheus_remote_write: { enabled: true, url: `${prometheus.url}/api/v1/write` },
      // The default 30 s request timeout: an iteration against the hung broker waits that long.
      kafka_clusters: [{ name: "main", brokers: [broker.bootstrap] }],
      app: { iteration_interval: "1s" },
    });
    await eventually(
      "lag series",
      async () =>
        findSamples(await exporter.scrape(), "kafka_consumer_group_lag_in_offsets").length > 0 ||
        undefined,
    );

    broker.hang();
    try {
      // Two iteration starts later, one is surely waiting on the hung broker.
      // sleep-ok: lets an iteration start against the hung broker; the exit time after SIGTERM is measured
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const signalledMs = await sigtermExitsWithin5s(exporter);

      // The push made on shutdown carries samples stamped after the signal.
      const [latest] = await prometheus.query("timestamp(kafka_lag_exporter_build_info)");
      const pushedAtMs = Number(latest?.value[1]) * 1_000;
      console.log(
        `  last sample in Prometheus stamped ${pushedAtMs - signalledMs} ms after SIGTERM`,
      );
      assert(pushedAtMs >= signalledMs, `last push ${pushedAtMs}, SIGTERM ${signalledMs}`);
    } finally {
      broker.resume();
    }
  },
});

/** A TCP server that accepts connections and never answers: a hung broker or endpoint. */
function silentServer(): { port: number; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  (async () => {
    try {
      for await (const connection of listener) held.push(connection);
    } catch {
      // closed
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    close: () => {
      listener.close();
      for (const connection of held) connection.close();
    },
  };
}

Deno.test({
  name: "SIGTERM with a hung broker AND a hung remote-write endpoint: exit within 5 s",
  fn: async () => {
    const broker = silentServer();
    const remoteWrite = silentServer();
    try {
      await using exporter = await startExporter({
        prometheus_remote_write: {
          enabled: true,
          url: `http://127.0.0.1:${remoteWrite.port}/api/v1/write`,
        },
        kafka_clusters: [{ name: "hung", brokers: [`127.0.0.1:${broker.port}`] }],
        app: { iteration_interval: "1s" },
      });
      // Let a push and an iteration start against the silent servers.
      // sleep-ok: lets both requests hang before the signal; the exit time after SIGTERM is measured
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      await sigtermExitsWithin5s(exporter);
    } finally {
      broker.close();
      remoteWrite.close();
    }
  },
});
