/**
 * The exporter's own CPU per iteration at 10,000 groups, without a broker: collectCluster() and
 * the consumer progress over bench:scale's groups (200 topics × 8 partitions, each group reading
 * 1–5 topics at offsets below 20, every committed record dated by its timestamp) served, in the
 * order a real coordinator answers, by the
 * unit tests' in-memory admin, so nothing is decoded or sent. What it times is the part of an
 * iteration that is ours alone (measuring, lag in seconds, record-time cache, aggregation,
 * progress); bench:scale and bench:compare time the whole iteration against a real broker.
 * Usage: deno task bench:iteration-cpu [--groups 10000] [--rounds 40]
 */
import { parseArgs } from "node:util";
import { FakeKafkaAdmin } from "../../tests/fakes/fake_kafka_admin.ts";
import { clusterConfig, setup } from "../../tests/fakes/collect_cluster_setup.ts";
import { collectCluster } from "../../src/collect/collect_cluster.ts";
import { ConsumerProgress } from "../../src/collect/consumer_progress.ts";
import { groupCommits } from "./scale_fixture.ts";
import { percentile } from "./scale_probes.ts";

const { values } = parseArgs({
  options: {
    groups: { type: "string", default: "10000" },
    rounds: { type: "string", default: "40" },
  },
});
const groupCount = Number(values.groups);
const rounds = Number(values.rounds);
const WARM_UP_ROUNDS = 5;
/** The order a Kafka 4.1 coordinator lists a topic's 8 partitions in an OffsetFetch answer. */
const KAFKA_PARTITION_ORDER = [5, 0, 2, 7, 4, 1, 6, 3];

const admin = new FakeKafkaAdmin();
const topicNames = Array.from({ length: 200 }, (_, index) => `scale-topic-${index}`);
const producedFromMs = Date.now() - 3_600_000;
for (const topic of topicNames) {
  for (let partition = 0; partition < 8; partition++) {
    admin.setEnd(topic, partition, 20);
    for (let offset = 0; offset < 20; offset++) {
      admin.recordTimes.set(`${topic}/${partition}/${offset}`, producedFromMs + offset * 1_000);
    }
  }
}
const commitsOf = groupCommits({ topicNames, partitions: 8 });
let groupPartitions = 0;
for (let index = 0; index < groupCount; index++) {
  const { groupId, offsets } = commitsOf(index);
  // In the order Kafka 4.1 answers (bench:scale's broker): each topic's partitions together, in
  // its hash order rather than ascending.
  const answered = offsets.map((_, at) => offsets[at - (at % 8) + KAFKA_PARTITION_ORDER[at % 8]]);
  admin.setGroup(groupId, answered);
  groupPartitions += offsets.length;
}
// Every answer built afresh, as decoding an OffsetFetch answer builds it in each iteration (the
// in-memory admin hands out the same objects every time).
const answerOf = admin.fetchCommittedOffsets.bind(admin);
admin.fetchCommittedOffsets = (groupIds, concurrency, options) =>
  answerOf(groupIds, concurrency, {
    onOffsets: ({ groupId, offsets }) =>
      options?.onOffsets?.({
        groupId,
        offsets: offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
      }),
  });
admin.clock = Date.now();
const deps = setup(admin);
deps.concurrency = 10;
deps.consumerProgress = new ConsumerProgress({ windowMs: 600_000, iterationIntervalMs: 1_000 });
const config = clusterConfig();

const timings: number[] = [];
for (let round = 0; round < WARM_UP_ROUNDS + rounds; round++) {
  admin.clock += 1_000;
  const startedMs = performance.now();
  await collectCluster(config, deps);
  if (round >= WARM_UP_ROUNDS) timings.push(performance.now() - startedMs);
}
const at = (share: number) => percentile(timings, share)!.toFixed(1);
console.log(
  `${groupCount} groups, ${groupPartitions} group-partitions, ${rounds} iterations after ` +
    `${WARM_UP_ROUNDS} to warm up: median ${at(0.5)} ms (25th–75th ${at(0.25)}–${at(0.75)} ms, ` +
    `fastest ${at(0)} ms)`,
);
