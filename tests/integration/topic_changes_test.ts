/**
 * Topics change under a running exporter: a topic deleted and re-created again and again (so some
 * iterations see it in Metadata and find it gone at ListOffsets), and partitions added to a live
 * topic, on a 3-node cluster. No iteration may fail, and new partitions are measured.
 */
import { assertEquals } from "../assert.ts";
import { startExporter } from "../harness/exporter.ts";
import { startKafkaCluster } from "../harness/kafka_cluster.ts";
import {
  commitManyGroups,
  commitOffsets,
  createTopic,
  produce,
  withAdmin,
} from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { findSamples, sampleValue } from "../harness/prom_text.ts";

Deno.test({
  name: "topics deleted mid-iteration and partitions added: no failed iteration",
  fn: async (t) => {
    // Three nodes: leaders of the churning topics' partitions are spread over brokers, so one
    // iteration's ListOffsets goes to several leaders while topics come and go.
    await using cluster = await startKafkaCluster({ size: 3 });
    const bootstrap = cluster.brokers[0];
    await createTopic(bootstrap, "steady", 2);
    await produce(bootstrap, "steady", [10, 10]);
    await commitOffsets(bootstrap, "steady-reader", "steady", [3, 4]);
    await createTopic(bootstrap, "growing", 2);
    await produce(bootstrap, "growing", [10, 10]);
    await commitOffsets(bootstrap, "growing-reader", "growing", [5, 5]);
    await using exporter = await startExporter({
      kafka_clusters: [{ name: "main", brokers: cluster.brokers }],
      app: { iteration_interval: "1s" },
    });
    await eventually(
      "both groups exported",
      async () =>
        findSamples(await exporter.scrape(), "kafka_consumer_group_lag_in_offsets").length === 4 ||
        undefined,
    );
    const errors = async () =>
      sampleValue(await exporter.scrape(), "kafka_lag_exporter_cluster_iteration_errors_total", {
        clustername: "main",
      });

    await t.step("8 topics created, read and deleted while iterations run", async () => {
      for (let round = 0; round < 8; round++) {
        const topic = `churning-${round}`;
        await createTopic(bootstrap, topic, 8);
        await produce(bootstrap, topic, [5, 5, 5, 5, 5, 5, 5, 5]);
        await commitManyGroups(bootstrap, [{
          groupId: `churning-reader-${round}`,
          offsets: Array.from({ length: 8 }, (_, partition) => ({ topic, partition, offset: 1 })),
        }]);
        await withAdmin(bootstrap, (admin) => admin.deleteTopics({ topics: [topic] }));
      }
      // An iteration that started after the last deletion has succeeded (a failure would not
      // advance the last-success time; iterations take milliseconds, the interval is 1 s).
      const lastSuccess = async () =>
        sampleValue(
          await exporter.scrape(),
          "kafka_lag_exporter_cluster_last_success_timestamp_seconds",
          { clustername: "main" },
        ) ?? 0;
      const deletedAt = Date.now() / 1_000;
      await eventually(
        "two iterations after the last deletion",
        async () => (await lastSuccess()) >= deletedAt + 1 || undefined,
      );
      assertEquals(await errors(), 0);
      const samples = await exporter.scrape();
      assertEquals(
        sampleValue(samples, "kafka_lag_exporter_cluster_up", { clustername: "main" }),
        1,
      );
      assertEquals(
        sampleValue(samples, "kafka_consumer_group_sum_lag_in_offsets", { group: "steady-reader" }),
        13,
      );
    });

    await t.step("partitions added to a live topic are measured", async () => {
      await withAdmin(
        bootstrap,
        (admin) => admin.createPartitions({ topicPartitions: [{ topic: "growing", count: 4 }] }),
      );
      // Every broker must know the new partitions before the fixtures' producer and committer ask
      // one of them (Kafka 3.9 brokers learn them a moment later, and kafkajs then writes nothing
      // to them without an error).
      for (const node of cluster.brokers) {
        await eventually(
          `${node} knows growing's 4 partitions`,
          () =>
            withAdmin(node, async (admin) => {
              const { topics } = await admin.fetchTopicMetadata({ topics: ["growing"] });
              const partitions = topics[0]?.partitions ?? [];
              return partitions.length === 4 && partitions.every(({ leader }) => leader >= 0)
                ? true
                : undefined;
            }),
        );
      }
      await produce(bootstrap, "growing", [0, 0, 7, 9]);
      await commitOffsets(bootstrap, "growing-reader", "growing", [5, 5, 2, 3]);
      const samples = await eventually("the new partitions exported", async () => {
        const scraped = await exporter.scrape();
        return findSamples(scraped, "kafka_consumer_group_lag_in_offsets", {
            group: "growing-reader",
          }).length === 4
          ? scraped
          : undefined;
      });
      // Against the end offsets Kafka reports (a retried send may have written a record twice).
      const ends = await withAdmin(bootstrap, (admin) => admin.fetchTopicOffsets("growing"));
      const committed = [5, 5, 2, 3];
      assertEquals(
        findSamples(samples, "kafka_consumer_group_lag_in_offsets", { group: "growing-reader" })
          .map((sample) => [sample.labels.partition, sample.value])
          .sort(),
        ends.map(({ partition, high }) => [String(partition), Number(high) - committed[partition]])
          .sort(),
      );
      assertEquals(await errors(), 0);
    });
  },
});
