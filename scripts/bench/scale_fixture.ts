/** The cluster bench:scale measures: topics with records, and groups committed on them. */
import { Partitioners } from "kafkajs";
import { type GroupCommit, testKafka, withAdmin } from "../../tests/harness/kafka_fixtures.ts";
import { eventually } from "../../tests/harness/processes.ts";

/** Records written to each partition of the benchmark's topics. */
export const RECORDS_PER_PARTITION = 20;

/** `topics` topics of `partitions` partitions, 20 records in each partition; their names. */
export async function createScaleTopics(
  bootstrap: string,
  { topics, partitions }: { topics: number; partitions: number },
): Promise<string[]> {
  const topicNames = Array.from(
    { length: topics },
    (_, index) => `scale-${String(index).padStart(4, "0")}`,
  );
  await withAdmin(bootstrap, async (admin) => {
    for (let start = 0; start < topicNames.length; start += 100) {
      await admin.createTopics({
        topics: topicNames.slice(start, start + 100).map((topic) => ({
          topic,
          numPartitions: partitions,
        })),
        waitForLeaders: false,
      });
    }
    // Leaders come a moment later; metadata for a fresh topic may answer "not hosted" meanwhile.
    await eventually(
      "leaders for every partition",
      async () => {
        const { topics } = await admin.fetchTopicMetadata({ topics: topicNames });
        return topics.every((topic) =>
          topic.partitions.length === partitions && topic.partitions.every((p) => p.leader >= 0)
        ) ||
          undefined;
      },
      120_000,
      500,
    );
  });
  const producer = testKafka(bootstrap).producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  for (const topic of topicNames) {
    await producer.send({
      topic,
      messages: Array.from(
        { length: partitions * RECORDS_PER_PARTITION },
        (_, index) => ({ partition: index % partitions, value: "x" }),
      ),
    });
  }
  await producer.disconnect();
  return topicNames;
}

/**
 * Group number → its commits: each group reads 1–5 of the topics (every partition), at offsets
 * from a fixed pseudo-random sequence, so every run builds the same groups.
 */
export function groupCommits(
  { topicNames, partitions }: { topicNames: readonly string[]; partitions: number },
): (index: number) => GroupCommit {
  let seed = 7;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  return (index) => {
    const topicCount = 1 + Math.floor(random() * 5);
    const chosen = new Set<string>();
    while (chosen.size < topicCount) {
      chosen.add(topicNames[Math.floor(random() * topicNames.length)]);
    }
    return {
      groupId: `scale-group-${index}`,
      offsets: [...chosen].flatMap((topic) =>
        Array.from(
          { length: partitions },
          (_, partition) => ({ topic, partition, offset: Math.floor(random() * 20) }),
        )
      ),
    };
  };
}
