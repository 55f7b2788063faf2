/**
 * Lag in seconds of a backlog written BEFORE the exporter started, by Kafka's own Java producer in
 * large batches (linger and batch.size raised), with every compression codec. The exporter has no
 * offset history for such records: only their timestamps in Kafka can date them. Ground truth is
 * each record's CreateTime as Kafka's DumpLogSegments prints it from the broker's log files.
 */
import { assert, assertEquals } from "../assert.ts";
import { type KafkaBroker, startKafka } from "../harness/kafka.ts";
import { startExporter } from "../harness/exporter.ts";
import { commitManyGroups, createTopic, type GroupCommit } from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { findSamples, type Sample, sampleValue } from "../harness/prom_text.ts";

const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
/** One partition per topic (the sticky partitioner fills one at a time); the five topics share a
 * leader, so the exporter's Fetch requests still carry several partitions. */
const PARTITIONS = 1;
/** The exporter reads 4 KiB per partition at first; these batches are ~100× larger. */
const RECORDS_PER_TOPIC = 12_000;

interface Batch {
  baseOffset: number;
  lastOffset: number;
  sizeBytes: number;
  codec: string;
}

interface PartitionLog {
  batches: Batch[];
  createTimeByOffset: Map<number, number>;
}

/** Batches and record CreateTimes of one partition, read by Kafka's DumpLogSegments. */
async function dumpPartition(
  broker: KafkaBroker,
  topic: string,
  partition: number,
): Promise<PartitionLog> {
  const segment = `${broker.dataDir}/${topic}-${partition}/00000000000000000000.log`;
  const dumped = await broker.runTool("kafka.tools.DumpLogSegments", [
    "--deep-iteration",
    "--files",
    segment,
  ]);
  assertEquals(dumped.code, 0, dumped.stderr);
  const log: PartitionLog = { batches: [], createTimeByOffset: new Map() };
  for (const line of dumped.stdout.split("\n")) {
    const batch = /^baseOffset: (\d+) lastOffset: (\d+) .* size: (\d+) .*compresscodec: (\w+)/
      .exec(line);
    if (batch) {
      log.batches.push({
        baseOffset: Number(batch[1]),
        lastOffset: Number(batch[2]),
        sizeBytes: Number(batch[3]),
        codec: batch[4].toLowerCase(),
      });
      continue;
    }
    const record = /^\| offset: (\d+) CreateTime: (\d+)/.exec(line);
    if (record) log.createTimeByOffset.set(Number(record[1]), Number(record[2]));
  }
  return log;
}

/** Committed offsets worth testing: mid-batch (first and second batch) and a batch's base offset. */
function interestingOffsets(log: PartitionLog): Record<string, number> {
  const [first, second] = log.batches;
  return {
    "mid-first": Math.floor((first.baseOffset + first.lastOffset) / 2),
    "mid-second": Math.floor((second.baseOffset + second.lastOffset) / 2),
    "base-second": second.baseOffset,
    "last-second": second.lastOffset,
  };
}

Deno.test({
  name: "lag in seconds of a backlog older than the exporter, Java producer batches, every codec",
  fn: async (t) => {
    await using broker = await startKafka();
    const bootstrap = broker.bootstrap;
    await Promise.all(
      CODECS.map((codec) => createTopic(bootstrap, `backlog-${codec}`, PARTITIONS)),
    );
    // Written at 4,000 records/s with a 1 s linger and 1 MB batches: each batch spans up to a
    // second of CreateTimes, so a record's time cannot be guessed from its batch's header.
    await Promise.all(CODECS.map(async (codec) => {
      const produced = await broker.runTool("org.apache.kafka.tools.ProducerPerformance", [
        "--topic",
        `backlog-${codec}`,
        "--num-records",
        String(RECORDS_PER_TOPIC),
        "--record-size",
        "200",
        "--throughput",
        "4000",
        "--producer-props",
        `bootstrap.servers=${bootstrap}`,
        "linger.ms=1000",
        "batch.size=1048576",
        `compression.type=${codec}`,
        "acks=1",
      ]);
      assertEquals(produced.code, 0, produced.stderr);
    }));

    // Groups commit in the middle of batches, as a consumer that stopped part-way does.
    const expected: Array<{ group: string; topic: string; partition: number; createTime: number }> =
      [];
    const batchSizes: string[] = [];
    const commits: GroupCommit[] = [];
    const dumps = await Promise.all(CODECS.map((codec) =>
      Promise.all(
        Array.from(
          { length: PARTITIONS },
          (_, partition) => dumpPartition(broker, `backlog-${codec}`, partition),
        ),
      )
    ));
    CODECS.forEach((codec, codecIndex) => {
      const topic = `backlog-${codec}`;
      const logs = dumps[codecIndex];
      const sizes = logs.flatMap((log) => log.batches.map((batch) => batch.sizeBytes));
      batchSizes.push(
        `${codec} ${sizes.length} batches of ${Math.min(...sizes)}-${Math.max(...sizes)} B`,
      );
      logs.forEach((log, partition) => {
        assert(log.batches.length >= 2, `${topic}-${partition}: ${log.batches.length} batches`);
        assert(
          log.batches.every((batch) => batch.codec === codec),
          `${topic}-${partition}: codecs ${log.batches.map((batch) => batch.codec)}`,
        );
        assert(
          log.batches[1].sizeBytes > 16 * 1024,
          `${topic}-${partition}: second batch only ${log.batches[1].sizeBytes} bytes`,
        );
        for (const [position, offset] of Object.entries(interestingOffsets(log))) {
          const groupId = `backlog-${codec}-${position}`;
          commits.push({ groupId, offsets: [{ topic, partition, offset }] });
          expected.push({
            group: groupId,
            topic,
            partition,
            createTime: log.createTimeByOffset.get(offset)!,
          });
        }
      });
    });
    await commitManyGroups(bootstrap, commits);
    console.log(`  ${expected.length} group-partitions; ${batchSizes.join("; ")}`);

    const assertExact = (samples: Sample[], label: string) => {
      const found = sampleValue(samples, "kafka_lag_exporter_record_lookups", { result: "found" });
      const missing = sampleValue(samples, "kafka_lag_exporter_record_lookups", {
        result: "missing",
      });
      const observedAt: number[] = [];
      const withoutValue: string[] = [];
      for (const entry of expected) {
        const seconds = sampleValue(samples, "kafka_consumer_group_lag_in_seconds", {
          group: entry.group,
          partition: String(entry.partition),
        });
        if (seconds === undefined) withoutValue.push(entry.group);
        else observedAt.push(seconds * 1_000 + entry.createTime);
      }
      const sorted = observedAt.sort((a, b) => a - b);
      const spreadMs = sorted.length ? sorted.at(-1)! - sorted[0] : NaN;
      console.log(
        `  ${label}: record lookups found ${found}, missing ${missing}; ${observedAt.length} of ` +
          `${expected.length} values, spread of observedAt ${spreadMs} ms`,
      );
      assertEquals(withoutValue, [], `${label}: no lag in seconds`);
      // Every value must be `observedAt − CreateTime` for one observation time shared by the
      // iteration (one broker answers ListOffsets once): so value + CreateTime is the same for all.
      assert(
        spreadMs <= 2,
        `${label}: values disagree with the record timestamps by ${spreadMs} ms`,
      );
      assertEquals(missing, 0);
      assertEquals(found, expected.length);
    };

    const firstScrapeWithValues = async (exact: boolean) => {
      await using exporter = await startExporter({
        kafka_clusters: [{
          name: "local",
          brokers: [bootstrap],
          exact_lag_seconds: { enabled: exact },
        }],
        app: { iteration_interval: "2s" },
      });
      return await eventually("a scrape with lag in seconds", async () => {
        const scraped = await exporter.scrape();
        return findSamples(scraped, "kafka_consumer_group_lag_in_seconds").length > 0
          ? scraped
          : undefined;
      });
    };

    await t.step("exact mode: every committed record's CreateTime, first iteration", async () => {
      assertExact(await firstScrapeWithValues(true), "exact mode");
    });

    await t.step("default mode: the same values on the first scrape, no history", async () => {
      assertExact(await firstScrapeWithValues(false), "default mode");
    });
  },
});
