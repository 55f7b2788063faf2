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
    // Timestamps that are not production times: no timestamp (-1) and a clock set to 1999.
    await createTopic(bootstrap, "bad-clocks", 2);
    for (const [partition, timestamp] of [[0, "-1"], [1, String(Date.UTC(1999, 5, 1))]] as const) {
      await producer.send({
        topic: "bad-clocks",
        messages: [0, 1, 2].map((index) => ({ partition, value: `bad-${index}`, timestamp })),
      });
    }
    await commitOffsets(bootstrap, "reader-bad-clocks", "bad-clocks", [1, 1]);
    // LogAppendTime: the broker stamps every record; the producer's CreateTime is ignored.
    await createTopic(bootstrap, "appended", 1, { "message.timestamp.type": "LogAppendTime" });
    const appendedAfterMs = Date.now();
    await producer.send({
      topic: "appended",
      messages: [0, 1, 2].map((index) => ({ value: `a-${index}`, timestamp: String(hourAgoMs) })),
    });
    const appendedBeforeMs = Date.now();
    await commitOffsets(bootstrap, "reader-appended", "appended", [1]);
    await producer.disconnect();
    // Record 4 was produced at hourAgoMs + 4 s.
    const trueLagSeconds = () => (Date.now() - (hourAgoMs + 4_000)) / 1_000;

    const cluster = { name: "local", brokers: [bootstrap], exact_lag_seconds: { enabled: true } };

    await t.step("/metrics reports the age of the committed record", async () => {
      await using exporter = await startExporter({
        kafka_clusters: [cluster],
        app: { iteration_interval: "1s" },
      });
      const samples = await eventually("values from the three readable records", async () => {
        const scraped = await exporter.scrape();
        return ["reader-archive", "reader-archive-gzip", "reader-appended"].every((group) =>
            sampleValue(scraped, "kafka_consumer_group_lag_in_seconds", { group }) !== undefined
          )
          ? scraped
          : undefined;
      });
      // LogAppendTime: aged from the broker's append, not from the hour-old CreateTime.
      const appended = sampleValue(samples, "kafka_consumer_group_lag_in_seconds", {
        group: "reader-appended",
      })!;
      const scrapedMs = Date.now();
      assert(
        appended >= (scrapedMs - appendedBeforeMs) / 1_000 - 2.5 &&
          appended <= (scrapedMs - appendedAfterMs) / 1_000 + 0.5,
        `LogAppendTime: exported ${appended} s`,
      );
      // -1 and 1999 are not trusted: the values (if any yet) are the history's lower bounds,
      // never an age of decades, and the group is flagged as estimated.
      const badClocks = findSamples(samples, "kafka_consumer_group_lag_in_seconds", {
        group: "reader-bad-clocks",
      });
      assert(badClocks.every((sample) => sample.value < 60), JSON.stringify(badClocks));
      assertEquals(
        sampleValue(samples, "kafka_lag_exporter_group_lag_seconds_estimated_partitions", {
          group: "reader-bad-clocks",
        }),
        badClocks.length === 0 ? undefined : badClocks.length,
      );
      assertEquals(
        sampleValue(samples, "kafka_lag_exporter_record_lookups", { result: "untrusted" }),
        2,
      );
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
        3,
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
      const groups = JSON.parse(result.stdout).clusters[0].groups.filter((
        group: { group: string },
      ) => group.group.startsWith("reader-archive"));
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
