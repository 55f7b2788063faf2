/**
 * Captures the fuzz corpus (tests/fuzz/corpus.json): the raw answers a real Kafka broker gives to
 * every request the exporter decodes itself — Metadata, ListGroups, DescribeGroups,
 * ConsumerGroupDescribe, FindCoordinator, OffsetFetch, ListOffsets and Fetch of record batches of
 * every codec — taken off the wire under the exporter's own admin while it does an iteration's
 * work on a broker with topics of every codec, committed groups, a classic group of live kafkajs
 * consumers and (Kafka 4) a KIP-848 group of Java consumers.
 *
 *   deno run --allow-all scripts/fuzz/capture_corpus.ts   (about a minute; needs Java 17)
 */
import { Buffer } from "node:buffer";
import { Kafka, logLevel } from "kafkajs";
import ConnectionPool from "kafkajs/src/network/connectionPool.js";
import { startKafka } from "../../tests/harness/kafka.ts";
import { commitManyGroups, createTopic } from "../../tests/harness/kafka_fixtures.ts";
import { eventually } from "../../tests/harness/processes.ts";
import { realKafkaAdmin } from "../../tests/harness/real_admin.ts";

const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
const OUTPUT = new URL("../../tests/fuzz/corpus.json", import.meta.url);
/** Answers kept per API and version: enough variety, a small file. */
const PER_API = 6;
/** The answers the exporter decodes itself (the test consumers' traffic is left out). */
const DECODED = new Set([
  "Metadata v6",
  "ListGroups v5",
  "DescribeGroups v4",
  "ConsumerGroupDescribe v0",
  "FindCoordinator v4",
  "OffsetFetch v8",
  "ListOffsets v4",
  "Fetch v4",
]);

const captured = new Map<string, string[]>();
const send = ConnectionPool.prototype.send;
ConnectionPool.prototype.send = function (
  this: unknown,
  protocolRequest: {
    request: { apiName: string; apiVersion: number };
    response: { decode(payload: Buffer): Promise<unknown> };
  },
) {
  const { request, response } = protocolRequest;
  const key = `${request.apiName} v${request.apiVersion}`;
  const decode = response.decode.bind(response);
  return send.call(this, {
    ...protocolRequest,
    response: {
      ...response,
      decode: (payload: Buffer) => {
        const kept = captured.get(key) ?? [];
        if (DECODED.has(key) && kept.length < PER_API) {
          kept.push(Buffer.from(payload).toString("base64"));
          captured.set(key, kept);
        }
        return decode(payload);
      },
    },
  });
};

await using broker = await startKafka();
const bootstrap = broker.bootstrap;
await Promise.all(CODECS.map((codec) => createTopic(bootstrap, `fuzz-${codec}`, 2)));
await Promise.all(CODECS.map(async (codec) => {
  const produced = await broker.runTool("org.apache.kafka.tools.ProducerPerformance", [
    ...["--topic", `fuzz-${codec}`, "--num-records", "600", "--record-size", "120"],
    ...["--throughput", "2000", "--producer-props", `bootstrap.servers=${bootstrap}`],
    ...["linger.ms=50", "batch.size=4096", `compression.type=${codec}`, "acks=1"],
  ]);
  if (produced.code !== 0) throw new Error(produced.stderr);
}));
await commitManyGroups(
  bootstrap,
  CODECS.map((codec) => ({
    groupId: `fuzz-committed-${codec}`,
    offsets: [0, 1].map((partition) => ({ topic: `fuzz-${codec}`, partition, offset: 37 })),
  })),
);
const consumers = ["classic-a", "classic-b"].map((clientId) =>
  new Kafka({ brokers: [bootstrap], clientId, logLevel: logLevel.NOTHING }).consumer({
    groupId: "fuzz-classic",
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
  })
);
for (const consumer of consumers) {
  await consumer.connect();
  await consumer.subscribe({ topics: CODECS.map((codec) => `fuzz-${codec}`) });
  await consumer.run({ eachMessage: async () => {} });
}
const kip848 = Number(broker.version.split(".")[0]) >= 4;
const javaConsumers = kip848
  ? ["kip848-a", "kip848-b"].map((clientId) =>
    broker.spawnTool("org.apache.kafka.tools.consumer.ConsoleConsumer", [
      ...["--bootstrap-server", bootstrap, "--topic", "fuzz-gzip", "--group", "fuzz-kip848"],
      ...["--consumer-property", "group.protocol=consumer"],
      ...["--consumer-property", `client.id=${clientId}`],
    ])
  )
  : [];
const { admin } = realKafkaAdmin(bootstrap);
try {
  await eventually("both live groups stable with members", async () => {
    const listed = (await admin.listGroups()).groups;
    const live = listed.filter((group) => group.groupId !== undefined && group.state === "Stable");
    return live.length >= (kip848 ? 2 : 1) || undefined;
  }, 60_000);
  const listed = (await admin.listGroups()).groups;
  await admin.describeGroups(listed, 2);
  await admin.fetchCommittedOffsets(listed.map((group) => group.groupId), 2);
  await admin.fetchEndOffsets(() => true);
  // Mid-batch offsets of every codec: answers that hold whole (compressed) batches.
  await admin.fetchRecordTimes(
    CODECS.flatMap((codec) =>
      [0, 1].flatMap((partition) =>
        [37, 150, 400].map((offset) => ({ topic: `fuzz-${codec}`, partition, offset }))
      )
    ),
  );
} finally {
  await admin.close();
  for (const consumer of consumers) await consumer.disconnect();
  for (const consumer of javaConsumers) await consumer[Symbol.asyncDispose]();
}
const corpus = Object.fromEntries([...captured].sort(([a], [b]) => a.localeCompare(b)));
await Deno.writeTextFile(
  OUTPUT,
  JSON.stringify({ kafka: broker.version, answers: corpus }, null, 1),
);
console.log(
  Object.entries(corpus).map(([api, answers]) => `${api}: ${answers.length}`).join("\n"),
);
