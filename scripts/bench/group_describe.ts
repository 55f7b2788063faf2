/**
 * What reading group states and members costs (not part of the test run):
 * `deno task bench:describe [--groups 10000] [--live 20] [--runs 4]`.
 *
 * bench:scale's groups have no members, so the exporter describes none of them (Empty groups
 * cost no request). Here, on a local Kafka with `--groups` member-less groups plus `--live` groups
 * of two kafkajs consumers each, the exporter's admin (a) lists every group with its state, (b)
 * describes the live ones as an iteration does, and (c) describes every group, forced by leaving
 * out the listed state: the worst case, as if every group had members.
 */
import { parseArgs } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { startKafka } from "../../tests/harness/kafka.ts";
import { commitManyGroups, createTopic } from "../../tests/harness/kafka_fixtures.ts";
import { realKafkaAdmin } from "../../tests/harness/real_admin.ts";
import { eventually } from "../../tests/harness/processes.ts";

const { values } = parseArgs({
  options: {
    groups: { type: "string", default: "10000" },
    live: { type: "string", default: "20" },
    runs: { type: "string", default: "4" },
  },
});
const groupCount = Number(values.groups);
const liveCount = Number(values.live);
const runs = Number(values.runs);

await using broker = await startKafka({ maxHeap: "1g" });
console.log(`[bench] Kafka ${broker.version}; ${groupCount} member-less groups, ${liveCount} live`);
for (let topic = 0; topic < 20; topic++) await createTopic(broker.bootstrap, `t${topic}`, 8);
await commitManyGroups(
  broker.bootstrap,
  Array.from({ length: groupCount }, (_, group) => ({
    groupId: `idle-${group}`,
    offsets: Array.from({ length: 24 }, (_, index) => ({
      topic: `t${(group + index) % 20}`,
      partition: index % 8,
      offset: 0,
    })),
  })),
);
const consumers = [];
for (let group = 0; group < liveCount; group++) {
  for (const member of ["a", "b"]) {
    const consumer = new Kafka({
      brokers: [broker.bootstrap],
      clientId: `live-${group}-${member}`,
      logLevel: logLevel.NOTHING,
    }).consumer({ groupId: `live-${group}`, heartbeatInterval: 1_000 });
    await consumer.connect();
    await consumer.subscribe({ topic: `t${group % 20}` });
    await consumer.run({ eachMessage: () => Promise.resolve() });
    consumers.push(consumer);
  }
}
const { admin, requests } = realKafkaAdmin(broker.bootstrap);
try {
  await eventually(
    "every live group Stable",
    async () => {
      const { groups } = await admin.listGroups();
      const stable = groups.filter((group) => group.state === "Stable").length;
      return stable === liveCount ? true : undefined;
    },
    120_000,
    1_000,
  );
  const rows: string[] = [];
  for (let run = 1; run <= runs; run++) {
    for (const key of Object.keys(requests)) delete requests[key];
    let startedMs = performance.now();
    const { groups } = await admin.listGroups();
    const listMs = performance.now() - startedMs;
    const listRequests = requests.ListGroups ?? 0;
    startedMs = performance.now();
    const asIterating = await admin.describeGroups(groups, 10);
    const iterationMs = performance.now() - startedMs;
    const iterationRequests = requests.DescribeGroups ?? 0;
    const members = asIterating.reduce((sum, group) => sum + (group.members?.length ?? 0), 0);
    startedMs = performance.now();
    const forced = await admin.describeGroups(groups.map(({ groupId }) => ({ groupId })), 10);
    const forcedMs = performance.now() - startedMs;
    const errors = [...asIterating, ...forced].filter((group) => group.error).length;
    rows.push(
      `| ${run} | ${groups.length} | ${listMs.toFixed(0)} ms, ${listRequests} request | ` +
        `${iterationMs.toFixed(0)} ms, ${iterationRequests} DescribeGroups, ${members} members | ` +
        `${forcedMs.toFixed(0)} ms, ${
          (requests.DescribeGroups ?? 0) - iterationRequests
        } DescribeGroups | ${errors} |`,
    );
  }
  console.log(
    "\n| run | groups listed | ListGroups (with states) | describe as an iteration does | describe every group (forced) | errors |",
  );
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const row of rows) console.log(row);
  console.log("\nRun 1 includes finding the coordinators (FindCoordinator, batched).");
} finally {
  await admin.close();
  for (const consumer of consumers) await consumer.disconnect();
}
