/**
 * Exact mode on a real broker: records produced an hour "ago" (CreateTime set by the producer),
 * so the offset history alone could not know their age; the record timestamps can.
 */
import { CompressionTypes, Partitioners } from "kafkajs";
import { assert, assertEquals } from "../assert.ts";
import { startKafka } from "../harness/kafka.ts";
import { runCli, startExporter, writeConfig } from "../harness/exporter.ts";
import { commitOffsets, createTopic, testKafka } from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { findSamples, sampleValue } from "../harness/prom_text.ts";

Deno.test({
  name: "exact lag in seconds from record timestamps on a real Kafka broker",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async (t) => {
    await using broker = await startKafka();
    const bootstrap = broker.bootstrap;
    const hourAgoMs = Date.now() - 3_600_000;
    const producer = testKafka(bootstrap).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    for (
      const [topic, compression] of [["archive", CompressionTypes.None], [
        "archive-gzip",
        CompressionTypes.GZIP,
      ]] as const
    ) {
      await createTopic(bootstrap, topic, 1);
      // One batch of ten records, one second apart in CreateTime.
      await producer.send({
        topic,
        compression,
        messages: Array.from({ length: 10 }, (_, index) => ({
          value: `old-${index}`,
          timestamp: String(hourAgoMs + index * 1_000),
        })),
      });
      await commitOffsets(bootstrap, `reader-${topic}`, topic, [4]);
    }
    await producer.disconnect();
    // Record 4 was produced at hourAgoMs + 4 s.
    const trueLagSeconds = () => (Date.now() - (hourAgoMs + 4_000)) / 1_000;

    const cluster = { name: "local", brokers: [bootstrap], exact_lag_seconds: { enabled: true } };

    await t.step("/metrics reports the age of the committed record", async () => {
      await using exporter = await startExporter({
        kafka_clusters: [cluster],
        app: { iteration_interval: "1s" },
      });
      const samples = await eventually("two exact values", async () => {
        const scraped = await exporter.scrape();
        return findSamples(scraped, "kafka_consumer_group_lag_in_seconds", { clustername: "local" })
            .length === 2
          ? scraped
          : undefined;
      });
      for (const topic of ["archive", "archive-gzip"]) {
        const exported = sampleValue(samples, "kafka_consumer_group_lag_in_seconds", {
          group: `reader-${topic}`,
        })!;
        const truth = trueLagSeconds();
        // The value belongs to the last iteration, at most about one interval before the scrape.
        assert(
          exported <= truth + 0.5 && exported >= truth - 2.5,
          `${topic}: exported ${exported} s, truth ${truth} s`,
        );
      }
      assertEquals(
        sampleValue(samples, "kafka_lag_exporter_record_lookups", { result: "found" }),
        2,
      );
      assertEquals(
        sampleValue(samples, "kafka_lag_exporter_record_lookups", { result: "missing" }),
        0,
      );
    });

    await t.step("--once reports it too, though it has no offset history", async () => {
      const configPath = await writeConfig({
        kafka_clusters: [{ name: "local", brokers: [bootstrap] }],
      });
      const result = await runCli(["--once", "--format", "json", "-c", configPath]);
      assertEquals(result.code, 0, result.stderr);
      const groups = JSON.parse(result.stdout).clusters[0].groups;
      for (const group of groups) {
        const [partition] = group.partitions;
        assert(
          Math.abs(partition.lag_seconds - trueLagSeconds()) < 3,
          `${group.group}: ${partition.lag_seconds}`,
        );
      }
      assertEquals(groups.length, 2);
      await Deno.remove(configPath);
    });
  },
});
