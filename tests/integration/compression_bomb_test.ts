/**
 * Decompression bombs on a real broker. A producer with Write on one topic writes a gzip and a
 * zstd batch of 64 zero-filled records of 16 MiB each (1 GiB each once decompressed, about 1 MB
 * and 32 KB on the wire: Kafka accepts them within the topic's max.message.bytes), and groups
 * commit inside them while another partition carries a normal backlog. The exporter has no
 * history for either, so it reads the committed records: the bombs must be refused at the cap
 * (counted too_large, the estimate kept and flagged), its RSS must stay within 100 MB of its
 * level before, iterations must keep their interval, and the normal partition stays exact.
 */
import { Buffer } from "node:buffer";
import { CompressionCodecs, CompressionTypes } from "kafkajs";
import { assert, assertAlmostEquals, assertEquals } from "../assert.ts";
import { startExporter } from "../harness/exporter.ts";
import { startKafka } from "../harness/kafka.ts";
import { commitManyGroups, createTopic, produce, testKafka } from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { sampleValue } from "../harness/prom_text.ts";
import { gzipBomb, zstdBomb } from "../harness/record_batches.ts";

const MiB = 1024 * 1024;
const RECORDS_PER_BOMB = 64;
const TOPIC = "tenant-events";
const INTERVAL_S = 2;

/** Sends one batch of RECORDS_PER_BOMB records whose compressed section is `payload`. */
async function produceBomb(
  bootstrap: string,
  { codec, payload, timestampMs }: { codec: number; payload: Uint8Array; timestampMs: number },
): Promise<void> {
  // kafkajs writes the batch header (64 records, offset deltas 0…63, one timestamp) and asks the
  // codec for the compressed records: the codec answers with the bomb, records of the same shape.
  const codecs = CompressionCodecs as Record<number, unknown>;
  const original = codecs[codec];
  codecs[codec] = () => ({
    compress: () => Promise.resolve(Buffer.from(payload)),
    decompress: () => Promise.reject(new Error("not used")),
  });
  const producer = testKafka(bootstrap).producer();
  try {
    await producer.connect();
    await producer.send({
      topic: TOPIC,
      compression: codec,
      acks: -1,
      timeout: 60_000,
      messages: Array.from({ length: RECORDS_PER_BOMB }, () => ({
        partition: 0,
        value: "x",
        timestamp: String(timestampMs),
      })),
    });
  } finally {
    await producer.disconnect();
    codecs[codec] = original;
  }
}

/**
 * The exporter's resident and peak memory from /proc, in MB (read by `cat`: Deno lets only
 * --allow-all read /proc, and the suite runs with the permissions it needs).
 */
async function memoryMb(pid: number): Promise<{ rss: number; peak: number }> {
  const output = await new Deno.Command("cat", { args: [`/proc/${pid}/status`] }).output();
  const status = new TextDecoder().decode(output.stdout);
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

Deno.test({
  name: "compression bombs on a real broker: refused at the cap, memory and interval kept",
  fn: async () => {
    await using broker = await startKafka();
    const bootstrap = broker.bootstrap;
    await createTopic(bootstrap, TOPIC, 2, { "max.message.bytes": String(4 * MiB) });
    const bombTimeMs = Date.now() - 600_000;
    await produceBomb(bootstrap, {
      codec: CompressionTypes.GZIP,
      payload: gzipBomb(RECORDS_PER_BOMB, 16 * MiB),
      timestampMs: bombTimeMs,
    });
    await produceBomb(bootstrap, {
      codec: CompressionTypes.ZSTD,
      payload: zstdBomb(RECORDS_PER_BOMB, 16 * MiB),
      timestampMs: bombTimeMs,
    });
    // The normal backlog: 50 records written five minutes ago, one second apart.
    const backlogStartMs = Date.now() - 300_000;
    await produce(bootstrap, TOPIC, [0, 50], (_, index) => backlogStartMs + index * 1_000);
    await commitManyGroups(bootstrap, [{
      groupId: "normal",
      offsets: [{ topic: TOPIC, partition: 1, offset: 20 }],
    }]);

    await using exporter = await startExporter({
      kafka_clusters: [{ name: "local", brokers: [bootstrap] }],
      app: { iteration_interval: `${INTERVAL_S}s` },
    });
    const lastSuccess = async () =>
      sampleValue(
        await exporter.scrape(),
        "kafka_lag_exporter_cluster_last_success_timestamp_seconds",
        { clustername: "local" },
      );
    const first = await eventually("a first iteration", lastSuccess);
    await eventually("two more iterations", async () => {
      const later = await lastSuccess();
      return later !== undefined && later >= first + 2 * INTERVAL_S - 0.5 ? later : undefined;
    });
    const before = await memoryMb(exporter.pid);

    // Two groups commit inside the bombs: the exporter must read those records.
    await commitManyGroups(bootstrap, [
      { groupId: "victim-gzip", offsets: [{ topic: TOPIC, partition: 0, offset: 10 }] },
      { groupId: "victim-zstd", offsets: [{ topic: TOPIC, partition: 0, offset: 74 }] },
    ]);
    const refusedAt = await eventually("both bombs refused at the cap", async () => {
      const samples = await exporter.scrape();
      const tooLarge = sampleValue(samples, "kafka_lag_exporter_record_lookups", {
        clustername: "local",
        result: "too_large",
      });
      return tooLarge === 2 ? samples : undefined;
    }, 60_000);
    // Iterations keep their interval while and after the bombs are read.
    const successes: number[] = [];
    const watchUntil = Date.now() + 5 * INTERVAL_S * 1_000;
    while (Date.now() < watchUntil) {
      const value = await lastSuccess();
      if (value !== undefined && value !== successes.at(-1)) successes.push(value);
      // sleep-ok: sampling the last-success gauge a few times per interval
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const gaps = successes.slice(1).map((value, index) => value - successes[index]);
    assert(gaps.length >= 3, `iterations seen: ${successes}`);
    assert(Math.max(...gaps) <= INTERVAL_S + 1.5, `gaps between iterations: ${gaps}`);

    const after = await memoryMb(exporter.pid);
    assert(
      after.peak - before.rss <= 100,
      `RSS before ${before.rss.toFixed(0)} MB, peak after ${after.peak.toFixed(0)} MB`,
    );

    // The bomb partition: offsets lag exact, seconds from the estimate and flagged as one.
    for (const [group, committed] of [["victim-gzip", 10], ["victim-zstd", 74]] as const) {
      const labels = { group, topic: TOPIC, partition: "0" };
      assertEquals(
        sampleValue(refusedAt, "kafka_consumer_group_lag_in_offsets", labels),
        2 * RECORDS_PER_BOMB - committed,
      );
      const document = await (await fetch(
        exporter.metricsUrl.replace("/metrics", `/api/v1/clusters/local/groups/${group}`),
      )).json();
      const [partition] = document.partitions;
      assert(
        ["extrapolated", "lower-bound"].includes(partition.lag_seconds_method),
        JSON.stringify(partition),
      );
      assert(partition.lag_seconds >= 0, JSON.stringify(partition));
    }
    // The normal partition: the committed record's own timestamp.
    const samples = await exporter.scrape();
    const normalSeconds = sampleValue(samples, "kafka_consumer_group_lag_in_seconds", {
      group: "normal",
      topic: TOPIC,
      partition: "1",
    });
    const truth = (Date.now() - (backlogStartMs + 20 * 1_000)) / 1_000;
    assert(normalSeconds !== undefined, "no lag in seconds for the normal partition");
    assertAlmostEquals(normalSeconds, truth, INTERVAL_S + 1);
    assertEquals(
      sampleValue(samples, "kafka_consumer_group_lag_in_offsets", {
        group: "normal",
        topic: TOPIC,
        partition: "1",
      }),
      30,
    );
    const warnings = exporter.logs().split("\n").filter((line) =>
      line.includes("batch is unreadable")
    );
    assertEquals(warnings.length, 2, exporter.logs());
  },
});
