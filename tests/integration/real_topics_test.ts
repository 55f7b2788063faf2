/**
 * Topics as real clusters have them, on a real broker, with ground truth from Kafka itself:
 * - records deleted before a group read them (retention; here DeleteRecords, which moves the
 *   log-start offset the same way): lag in offsets is still end − committed, the loss is exported,
 *   and lag in seconds is the age of the oldest record left, flagged as a lower bound;
 * - transactional topics, whose logs hold commit/abort markers and aborted records;
 * - compacted topics, where the committed record may have been cleaned away.
 * Lag in seconds is checked against each record's CreateTime as Kafka's DumpLogSegments prints it.
 */
import { assert, assertEquals } from "../assert.ts";
import { type KafkaBroker, startKafka } from "../harness/kafka.ts";
import { startExporter } from "../harness/exporter.ts";
import {
  commitManyGroups,
  createTopic,
  produce,
  testKafka,
  withAdmin,
} from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { findSamples, type Sample, sampleValue } from "../harness/prom_text.ts";

/** CreateTime of every record still in the partition's log files, by offset. */
async function createTimes(
  broker: KafkaBroker,
  topic: string,
): Promise<Map<number, number>> {
  const folder = `${broker.dataDir}/${topic}-0`;
  const files: string[] = [];
  for await (const entry of Deno.readDir(folder)) {
    if (entry.name.endsWith(".log")) files.push(`${folder}/${entry.name}`);
  }
  const dumped = await broker.runTool("kafka.tools.DumpLogSegments", [
    "--deep-iteration",
    "--files",
    files.sort().join(","),
  ]);
  assertEquals(dumped.code, 0, dumped.stderr);
  const times = new Map<number, number>();
  for (const line of dumped.stdout.split("\n")) {
    const record = /^\| offset: (\d+) CreateTime: (\d+)/.exec(line);
    if (record) times.set(Number(record[1]), Number(record[2]));
  }
  return times;
}

/**
 * Asserts a lag-in-seconds sample equals `scrapedAtMs − createTimeMs`, within what one iteration
 * (1 s) and the scrape add: the exporter measures at its last iteration, before the scrape.
 */
function assertAge(
  samples: Sample[],
  group: string,
  createTimeMs: number | undefined,
  scrapedAtMs: number,
): void {
  assert(createTimeMs !== undefined, `no CreateTime for ${group}'s record`);
  const value = sampleValue(samples, "kafka_consumer_group_lag_in_seconds", { group });
  assert(value !== undefined, `no lag in seconds for ${group}`);
  const expected = (scrapedAtMs - createTimeMs) / 1_000;
  assert(
    value <= expected + 0.1 && value >= expected - 3,
    `${group}: ${value} s, expected ${expected.toFixed(3)} s (−3 s)`,
  );
}

Deno.test({
  name: "retention, transactions and compaction on a real broker",
  fn: async (t) => {
    await using broker = await startKafka();
    const bootstrap = broker.bootstrap;
    const writtenAt = Date.now();
    // Record i of `retained` is 100 − i seconds old.
    await createTopic(bootstrap, "retained", 1);
    await produce(bootstrap, "retained", [100], (_, index) => writtenAt - (100 - index) * 1_000);
    await withAdmin(bootstrap, async (admin) => {
      await admin.fetchTopicMetadata({ topics: ["retained"] });
      await admin.deleteTopicRecords({
        topic: "retained",
        partitions: [{ partition: 0, offset: "50" }],
      });
    });

    // Offsets 0–4 committed, 5 commit marker, 6–8 aborted, 9 abort marker, 10–11, 12 marker.
    await createTopic(bootstrap, "transactional", 1);
    const producer = testKafka(bootstrap).producer({
      transactionalId: "real-topics-test",
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    for (
      const [count, ageSeconds, outcome] of [[5, 100, "commit"], [3, 50, "abort"], [
        2,
        20,
        "commit",
      ]] as const
    ) {
      const transaction = await producer.transaction();
      await transaction.send({
        topic: "transactional",
        messages: Array.from({ length: count }, (_, index) => ({
          partition: 0,
          value: `${outcome}-${index}`,
          timestamp: String(writtenAt - ageSeconds * 1_000),
        })),
      });
      await (outcome === "commit" ? transaction.commit() : transaction.abort());
    }
    await producer.disconnect();

    // Three rounds of the same 10 keys, a minute apart in CreateTime, in separate segments; a
    // last record rolls the third round's segment so the cleaner may compact it.
    await createTopic(bootstrap, "compacted", 1, {
      "cleanup.policy": "compact",
      "segment.ms": "100",
      "min.cleanable.dirty.ratio": "0.01",
      "min.compaction.lag.ms": "0",
    });
    const keyed = testKafka(bootstrap).producer();
    await keyed.connect();
    for (const [round, ageSeconds] of [[0, 180], [1, 120], [2, 60], [3, 30]]) {
      await keyed.send({
        topic: "compacted",
        messages: Array.from({ length: round === 3 ? 1 : 10 }, (_, key) => ({
          partition: 0,
          key: round === 3 ? "roll" : `key-${key}`,
          value: `round-${round}`,
          timestamp: String(writtenAt - ageSeconds * 1_000),
        })),
      });
      // sleep-ok: rounds must land in separate segments (segment.ms 100)
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await keyed.disconnect();

    await commitManyGroups(
      bootstrap,
      [
        ["retained-behind", "retained", 10],
        ["retained-ahead", "retained", 60],
        ["retained-done", "retained", 100],
        ["transactional-done", "transactional", 13],
        ["transactional-at-marker", "transactional", 5],
        ["transactional-at-aborted", "transactional", 7],
        ["compacted-early", "compacted", 5],
        ["compacted-done", "compacted", 31],
      ].map(([groupId, topic, offset]) => ({
        groupId: String(groupId),
        offsets: [{ topic: String(topic), partition: 0, offset: Number(offset) }],
      })),
    );

    await using exporter = await startExporter({
      kafka_clusters: [{ name: "main", brokers: [bootstrap] }],
      app: { iteration_interval: "1s" },
    });
    const scrapeWhen = (what: string, ready: (samples: Sample[]) => boolean) =>
      eventually(what, async () => {
        const scrapedAtMs = Date.now();
        const samples = await exporter.scrape();
        return ready(samples) ? { samples, scrapedAtMs } : undefined;
      }, 60_000);
    const offsetsLag = (samples: Sample[], group: string) =>
      sampleValue(samples, "kafka_consumer_group_lag_in_offsets", { group });

    await t.step("records deleted before the group read them", async () => {
      const { samples, scrapedAtMs } = await scrapeWhen(
        "lag in seconds of the retained topic",
        (samples) =>
          findSamples(samples, "kafka_consumer_group_lag_in_seconds", { topic: "retained" })
            .length === 3,
      );
      // DeleteRecords moves the log start at once; the files are trimmed later.
      const ends = await withAdmin(bootstrap, (admin) => admin.fetchTopicOffsets("retained"));
      assertEquals([Number(ends[0].low), Number(ends[0].high)], [50, 100]);
      const times = await createTimes(broker, "retained");
      assertEquals(offsetsLag(samples, "retained-behind"), 90);
      assertEquals(offsetsLag(samples, "retained-ahead"), 40);
      assertEquals(offsetsLag(samples, "retained-done"), 0);
      assertEquals(
        findSamples(samples, "kafka_lag_exporter_group_records_lost_to_retention")
          .map((sample) => [sample.labels.group, sample.value]),
        [["retained-behind", 40]],
      );
      // Record 10 is gone: the oldest left (50) is a lower bound, flagged as an estimate.
      assertAge(samples, "retained-behind", times.get(50), scrapedAtMs);
      assertEquals(
        sampleValue(samples, "kafka_lag_exporter_group_lag_seconds_estimated_partitions", {
          group: "retained-behind",
        }),
        1,
      );
      assertAge(samples, "retained-ahead", times.get(60), scrapedAtMs);
      assertEquals(
        sampleValue(samples, "kafka_consumer_group_lag_in_seconds", { group: "retained-done" }),
        0,
      );
    });

    await t.step("a transactional topic: markers and aborted records", async () => {
      const ends = await withAdmin(bootstrap, (admin) => admin.fetchTopicOffsets("transactional"));
      assertEquals(Number(ends[0].high), 13);
      const { samples, scrapedAtMs } = await scrapeWhen(
        "lag in seconds of the transactional topic",
        (samples) =>
          findSamples(samples, "kafka_consumer_group_lag_in_seconds", { topic: "transactional" })
            .length === 3,
      );
      const times = await createTimes(broker, "transactional");
      assertEquals(offsetsLag(samples, "transactional-done"), 0);
      assertEquals(
        sampleValue(samples, "kafka_consumer_group_lag_in_seconds", {
          group: "transactional-done",
        }),
        0,
      );
      // Offsets as kafka-consumer-groups reports them (against the high watermark).
      assertEquals(offsetsLag(samples, "transactional-at-marker"), 8);
      assertEquals(offsetsLag(samples, "transactional-at-aborted"), 6);
      // A marker is not a record a consumer reads: the first record after it dates the lag.
      assertAge(samples, "transactional-at-marker", times.get(6), scrapedAtMs);
      assertAge(samples, "transactional-at-aborted", times.get(7), scrapedAtMs);
      assertEquals(
        findSamples(samples, "kafka_lag_exporter_group_records_lost_to_retention").length,
        1,
      );
    });

    await t.step("a compacted topic whose committed record was cleaned away", async () => {
      // The broker's cleaner runs every 500 ms here (the harness sets log.cleaner.backoff.ms).
      const times = await eventually(
        "the first two rounds compacted away",
        async () => {
          const times = await createTimes(broker, "compacted");
          return Math.min(...times.keys()) >= 20 ? times : undefined;
        },
        60_000,
        1_000,
      );
      const firstLeft = Math.min(...times.keys());
      assertEquals(firstLeft, 20);
      // A fresh exporter, so that the record is read now rather than remembered from before.
      await using fresh = await startExporter({
        kafka_clusters: [{ name: "main", brokers: [bootstrap] }],
        app: { iteration_interval: "1s" },
      });
      const { samples, scrapedAtMs } = await eventually("compacted lag in seconds", async () => {
        const scrapedAtMs = Date.now();
        const samples = await fresh.scrape();
        return findSamples(samples, "kafka_consumer_group_lag_in_seconds", { topic: "compacted" })
            .length === 2
          ? { samples, scrapedAtMs }
          : undefined;
      }, 60_000);
      assertEquals(
        sampleValue(samples, "kafka_consumer_group_lag_in_offsets", {
          group: "compacted-early",
        }),
        31 - 5,
      );
      assertEquals(offsetsLag(samples, "compacted-done"), 0);
      // Offset 5 is gone: the consumer's next record is the first one left after it.
      assertAge(samples, "compacted-early", times.get(firstLeft), scrapedAtMs);
    });
  },
});
