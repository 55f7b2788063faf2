/** Topics, records and consumer groups with known offsets on a test broker, through kafkajs. */
import { type Admin, Kafka, logLevel, Partitioners } from "kafkajs";
import { installNonNegativeQueueTimer } from "../../src/kafka/kafkajs/timer_patch.ts";
import { eventually } from "./processes.ts";

// kafkajs would print a TimeoutNegativeWarning on every connection (see the patch).
installNonNegativeQueueTimer();

/** A kafkajs client for test set-up (not the exporter's). */
export function testKafka(bootstrap: string): Kafka {
  return new Kafka({ brokers: [bootstrap], clientId: "test-fixtures", logLevel: logLevel.NOTHING });
}

/** A client of a multi-node cluster that rides out node restarts (retries up to 1 s apart). */
export function clusterKafka(brokers: string[]): Kafka {
  return new Kafka({
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1_000 },
  });
}

/** Runs `use` with a connected admin client. */
export async function withAdmin<T>(
  bootstrap: string,
  use: (admin: Admin) => Promise<T>,
): Promise<T> {
  const admin = testKafka(bootstrap).admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Creates a topic (with topic-level `configs`) and waits until its partitions have leaders. */
export async function createTopic(
  bootstrap: string,
  topic: string,
  partitions: number,
  configs: Record<string, string> = {},
): Promise<void> {
  await withAdmin(bootstrap, async (admin) => {
    await admin.createTopics({
      topics: [{
        topic,
        numPartitions: partitions,
        configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })),
      }],
      waitForLeaders: false,
    });
    // kafkajs' waitForLeaders gives up when the broker it asks has not heard of the topic yet
    // (UNKNOWN_TOPIC_OR_PARTITION, seen with three Kafka 3.9 nodes): ask until every partition
    // has a leader.
    await eventually(
      `leaders for every partition of ${topic}`,
      async () => {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const described = topics[0]?.partitions ?? [];
        return described.length === partitions && described.every(({ leader }) => leader >= 0)
          ? true
          : undefined;
      },
      30_000,
      100,
    );
  });
}

/**
 * Produces `counts[p]` records to partition p, with CreateTime `timestampMs(p, i)` when given.
 */
export async function produce(
  bootstrap: string,
  topic: string,
  counts: number[],
  timestampMs?: (partition: number, index: number) => number,
): Promise<void> {
  const messages = counts.flatMap((count, partition) =>
    Array.from({ length: count }, (_, index) => ({
      partition,
      value: `record-${partition}-${index}`,
      timestamp: timestampMs ? String(timestampMs(partition, index)) : undefined,
    }))
  );
  // Idempotent where the broker lets kafkajs be (not Kafka 2.8): a send retried after a slow
  // answer on a loaded CI machine must not write its records twice (seen: 10 records doubled on
  // one partition, every expected lag off).
  for (const idempotent of [true, false]) {
    const producer = testKafka(bootstrap).producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent,
    });
    try {
      await producer.connect();
      for (let start = 0; start < messages.length; start += 500) {
        await producer.send({ topic, messages: messages.slice(start, start + 500) });
      }
      return;
    } catch (error) {
      const unsupported = String(error).includes("does not support the requested API version");
      if (!idempotent || !unsupported) throw error;
    } finally {
      await producer.disconnect();
    }
  }
}

/**
 * Commits exact offsets for a group with no members, with kafkajs' setOffsets: unlike
 * `kafka-consumer-groups --reset-offsets`, a consumer joins the group for a few seconds to commit.
 */
export async function commitOffsets(
  bootstrap: string,
  groupId: string,
  topic: string,
  offsets: number[],
): Promise<void> {
  await withAdmin(bootstrap, async (admin) => {
    // setOffsets commits through a consumer whose metadata can lag behind partitions just added
    // to the topic, and then leaves them out without an error (seen on Kafka 3.9 after topics
    // were deleted): read the offsets back, and commit again until they are all there.
    await eventually(
      `${groupId}'s offsets on ${topic} committed`,
      async () => {
        await admin.setOffsets({
          groupId,
          topic,
          partitions: offsets.map((offset, partition) => ({ partition, offset: String(offset) })),
        });
        const [read] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const committed = new Map(
          read.partitions.map(({ partition, offset }) => [partition, Number(offset)]),
        );
        return offsets.every((offset, partition) => committed.get(partition) === offset)
          ? true
          : undefined;
      },
      30_000,
      500,
    );
  });
}

/**
 * Runs a real consumer group member that reads `topic` from the beginning until it has consumed
 * `expected` records, commits, and leaves the group (which stays, Empty, with its offsets).
 */
export async function consumeAll(
  bootstrap: string,
  groupId: string,
  topic: string,
  expected: number,
): Promise<void> {
  const consumer = testKafka(bootstrap).consumer({
    groupId,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let consumed = 0;
    const done = Promise.withResolvers<void>();
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        await consumer.commitOffsets([{
          topic,
          partition,
          offset: String(Number(message.offset) + 1),
        }]);
        consumed++;
        if (consumed >= expected) done.resolve();
      },
    });
    const timer = setTimeout(
      () => done.reject(new Error(`consumed ${consumed}/${expected} of ${topic}`)),
      60_000,
    );
    try {
      await done.promise;
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
  }
}

/** Deletes consumer groups. */
export async function deleteGroups(bootstrap: string, groupIds: string[]): Promise<void> {
  await withAdmin(bootstrap, (admin) => admin.deleteGroups(groupIds).then(() => {}));
}

/** One group's committed offsets, for bulk set-up. */
export interface GroupCommit {
  groupId: string;
  offsets: Array<{ topic: string; partition: number; offset: number }>;
}

/**
 * Commits offsets for many member-less groups fast (benchmarks need tens of thousands): raw
 * OffsetCommit requests to each group's coordinator through kafkajs' internal cluster, many in
 * flight, instead of admin.setOffsets (which describes the group and reads topic offsets first).
 */
export async function commitManyGroups(
  bootstrap: string,
  commits: readonly GroupCommit[],
  concurrency = 64,
): Promise<void> {
  const kafka = testKafka(bootstrap);
  const factory = Object.getOwnPropertySymbols(kafka).find((symbol) =>
    symbol.description === "private:Kafka:createCluster"
  )!;
  // deno-lint-ignore no-explicit-any
  const cluster = (kafka as any)[factory]({ allowAutoTopicCreation: false });
  await cluster.connect();
  await cluster.refreshMetadata();
  let next = 0;
  const worker = async () => {
    while (next < commits.length) {
      const { groupId, offsets } = commits[next++];
      const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
      for (const { topic, partition, offset } of offsets) {
        byTopic.set(topic, [...(byTopic.get(topic) ?? []), { partition, offset: String(offset) }]);
      }
      // A topic just created may not be known to every broker yet (Kafka 3.9 on 3 nodes: the
      // coordinator answered UNKNOWN_TOPIC_OR_PARTITION): retry for a few seconds.
      for (let attempt = 1;; attempt++) {
        try {
          const coordinator = await cluster.findGroupCoordinator({ groupId });
          await coordinator.offsetCommit({
            groupId,
            groupGenerationId: -1,
            memberId: "",
            retentionTime: -1,
            topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
          });
          break;
        } catch (error) {
          if (attempt >= 20 || (error as { retriable?: boolean }).retriable !== true) throw error;
          // sleep-ok: poll interval of a retry loop
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    await cluster.disconnect();
  }
}

/** The node id of each group's coordinator (FindCoordinator through kafkajs' internal cluster). */
export async function groupCoordinators(
  brokers: string[],
  groupIds: readonly string[],
): Promise<Map<string, number>> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const factory = Object.getOwnPropertySymbols(kafka).find((symbol) =>
    symbol.description === "private:Kafka:createCluster"
  )!;
  // deno-lint-ignore no-explicit-any
  const cluster = (kafka as any)[factory]({ allowAutoTopicCreation: false });
  await cluster.connect();
  try {
    const coordinators = new Map<string, number>();
    for (const groupId of groupIds) {
      const coordinator = await cluster.findGroupCoordinator({ groupId });
      coordinators.set(groupId, coordinator.nodeId);
    }
    return coordinators;
  } finally {
    await cluster.disconnect();
  }
}

/** The leader node id of each partition of `topic`. */
export async function partitionLeaders(brokers: string[], topic: string): Promise<number[]> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const leaders: number[] = [];
    for (const partition of metadata.topics[0].partitions) {
      leaders[partition.partitionId] = partition.leader;
    }
    return leaders;
  } finally {
    await admin.disconnect();
  }
}
