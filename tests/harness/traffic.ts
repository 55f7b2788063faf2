/** Traffic on a topic throughout a test: a producer writing to every partition, a live group. */
import type { Kafka } from "kafkajs";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the producer (one record per partition every 200 ms) and a consumer group reading. */
export async function startTraffic(
  kafka: Kafka,
  { topic, partitions, groupId }: { topic: string; partitions: number; groupId: string },
): Promise<{ stop(): Promise<void> }> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const stopping = new AbortController();
  const producing = (async () => {
    let sequence = 0;
    while (!stopping.signal.aborted) {
      await producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: partitions }, (_, partition) => ({
          partition,
          value: `m-${sequence++}`,
        })),
      }).catch(() => {}); // a node restarting: the next send goes to the new leader
      // sleep-ok: paces the producer
      await sleep(200);
    }
  })();
  const consumer = kafka.consumer({ groupId, retry: { retries: 20 } });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ autoCommitInterval: 500, eachMessage: async () => {} });
  return {
    async stop() {
      stopping.abort();
      await producing;
      await consumer.disconnect().catch(() => {});
      await producer.disconnect().catch(() => {});
    },
  };
}
