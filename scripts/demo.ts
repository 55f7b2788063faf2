/**
 * Local demo: starts a real Kafka broker (from the test harness), a producer, a slow consumer group
 * that falls behind, a fast one that keeps up, and the exporter on the memory store. Prints where
 * to look, then a lag line every few seconds, until Ctrl-C (or --seconds N).
 */
import { parseArgs } from "node:util";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { installNonNegativeQueueTimer } from "../src/kafka/kafkajs/timer_patch.ts";
import { startKafka } from "../tests/harness/kafka.ts";
import { startExporter } from "../tests/harness/exporter.ts";
import { createTopic } from "../tests/harness/kafka_fixtures.ts";
import { sampleValue } from "../tests/harness/prom_text.ts";

// kafkajs would print a TimeoutNegativeWarning on every connection (see the patch).
installNonNegativeQueueTimer();

const { values } = parseArgs({ args: Deno.args, options: { seconds: { type: "string" } } });
const runForMs = values.seconds ? Number(values.seconds) * 1_000 : Infinity;
const TOPIC = "demo-orders";
const RECORDS_PER_SECOND = 20;
const SLOW_RECORDS_PER_SECOND = 12;

const stop = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => stop.abort());
}
const say = (line: string) => console.log(`[demo] ${line}`);

say("starting a local Kafka broker (KRaft) …");
await using broker = await startKafka();
say(`Kafka ${broker.version} is up on ${broker.bootstrap}`);
await createTopic(broker.bootstrap, TOPIC, 3);

const kafka = new Kafka({
  brokers: [broker.bootstrap],
  clientId: "demo",
  logLevel: logLevel.NOTHING,
});
const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await producer.connect();
const producing = (async () => {
  let sequence = 0;
  while (!stop.signal.aborted) {
    await producer.send({
      topic: TOPIC,
      messages: [{ key: String(sequence), value: `order ${sequence}` }],
    });
    sequence++;
    await new Promise((resolve) => setTimeout(resolve, 1_000 / RECORDS_PER_SECOND));
  }
})();

const slow = kafka.consumer({ groupId: "demo-slow-consumer" });
const fast = kafka.consumer({ groupId: "demo-fast-consumer" });
for (const consumer of [slow, fast]) {
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
}
await slow.run({
  eachMessage: () => new Promise((resolve) => setTimeout(resolve, 1_000 / SLOW_RECORDS_PER_SECOND)),
});
await fast.run({ eachMessage: () => Promise.resolve() });

await using exporter = await startExporter({
  prometheus_local: { labels: { env: "demo" } },
  kafka_clusters: [{ name: "demo", brokers: [broker.bootstrap] }],
  app: { iteration_interval: "5s" },
});
say(
  `producer: ${RECORDS_PER_SECOND} records/s to ${TOPIC}; demo-slow-consumer reads ${SLOW_RECORDS_PER_SECOND}/s, demo-fast-consumer keeps up`,
);
say(`metrics:  ${exporter.metricsUrl}`);
say(`health:   ${exporter.healthUrl}/healthz   (also /livez, /readyz)`);
say(`try:      curl -s ${exporter.metricsUrl} | grep -E '^kafka_consumer_group_(max_)?lag'`);
say("Ctrl-C stops everything.");

const startedMs = Date.now();
while (!stop.signal.aborted && Date.now() - startedMs < runForMs) {
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 5_000);
    stop.signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(undefined);
    }, { once: true });
  });
  if (stop.signal.aborted) break;
  try {
    const samples = await exporter.scrape();
    const line = ["demo-slow-consumer", "demo-fast-consumer"].map((group) => {
      const offsets = sampleValue(samples, "kafka_consumer_group_sum_lag_in_offsets", { group });
      const seconds = sampleValue(samples, "kafka_consumer_group_max_lag_in_seconds", { group });
      return `${group}: ${offsets ?? "-"} offsets behind, ${
        seconds === undefined ? "-" : seconds.toFixed(1)
      } s`;
    });
    say(line.join(" | "));
  } catch (error) {
    say(`scrape failed: ${error}`);
  }
}

say("stopping …");
stop.abort();
// Ctrl-C reaches the whole process group: the broker may already be gone, and kafkajs clients
// then retry their goodbyes for minutes. Give them a few seconds, then go anyway.
const clientsDone = (async () => {
  await producing.catch(() => {});
  await Promise.allSettled([slow.disconnect(), fast.disconnect(), producer.disconnect()]);
})();
await Promise.race([clientsDone, new Promise((resolve) => setTimeout(resolve, 5_000))]);
await exporter.stop("SIGTERM");
await broker.stop();
// A client that could not say goodbye still holds retry timers: leave without waiting for them.
Deno.exit(0);
