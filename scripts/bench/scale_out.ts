/**
 * Scale-out figures (not part of the test run): `deno task bench:scale-out`.
 * 1. Groups that move when an instance joins or leaves, for 1,000 groups (the real assignment code).
 * 2. Redis commands and bytes per iteration of real exporter processes on a local Kafka with
 *    1,000 groups over a 50-partition topic, with 1 and with 3 instances.
 */
import { groupKey, rendezvousOwner } from "../../src/scale_out/rendezvous.ts";
import { startKafka } from "../../tests/harness/kafka.ts";
import { type ExporterProcess, startExporter } from "../../tests/harness/exporter.ts";
import { commitOffsets, createTopic, produce } from "../../tests/harness/kafka_fixtures.ts";
import { mapConcurrent } from "../../src/util/map_concurrent.ts";
import { eventually } from "../../tests/harness/processes.ts";
import { findSamples } from "../../tests/harness/prom_text.ts";
import { type RedisStats, startRedis } from "../../tests/harness/redis.ts";

const GROUPS = Array.from({ length: 1_000 }, (_, index) => `group-${index}`);
const say = (line: string) => console.log(line);

say("## Groups moved (1,000 groups, rendezvous hashing)\n");
const owners = (nodes: string[]) =>
  GROUPS.map((group) => rendezvousOwner(groupKey("prod", group), nodes));
const moved = (before: string[], after: string[]) => {
  const a = owners(before);
  const b = owners(after);
  return a.filter((owner, index) => owner !== b[index]).length;
};
for (
  const [label, before, after] of [
    ["join 3 → 4", ["a", "b", "c"], ["a", "b", "c", "d"]],
    ["leave 4 → 3", ["a", "b", "c", "d"], ["a", "b", "d"]],
    ["join 9 → 10", "abcdefghi".split(""), "abcdefghij".split("")],
    ["leave 10 → 9", "abcdefghij".split(""), "abcdefghj".split("")],
  ] as const
) {
  const count = moved([...before], [...after]);
  const ideal = label.startsWith("join") ? 1 / after.length : 1 / before.length;
  say(
    `- ${label}: ${count} moved (${(count / 10).toFixed(1)} %; ideal ${
      (ideal * 100).toFixed(1)
    } %)`,
  );
}

say("\n## Redis cost per iteration (1,000 groups, 50 partitions, iteration 2 s)\n");
await using broker = await startKafka();
await using redis = await startRedis();
await createTopic(broker.bootstrap, "traffic", 50);
await produce(broker.bootstrap, "traffic", new Array(50).fill(20));
// One admin client per commit: concurrent setOffsets calls on one kafkajs admin stall on its
// internal target-topics lock.
const setupStarted = Date.now();
await mapConcurrent(
  { items: GROUPS, concurrency: 20 },
  (groupId) => commitOffsets(broker.bootstrap, groupId, "traffic", new Array(50).fill(10)),
);
console.error(`committed offsets of ${GROUPS.length} groups in ${Date.now() - setupStarted} ms`);

for (const instances of [1, 3]) {
  const exporters: ExporterProcess[] = [];
  for (let index = 0; index < instances; index++) {
    exporters.push(
      await startExporter({
        kafka_clusters: [{ name: "bench", brokers: [broker.bootstrap] }],
        storage: {
          type: "redis",
          redis: { address: redis.host, port: redis.port, key_prefix: `bench${instances}` },
        },
        app: { iteration_interval: "2s", node_id: `node-${index}`, num_workers: 20 },
      }),
    );
  }
  await eventually("all groups exported", async () => {
    let total = 0;
    for (const exporter of exporters) {
      total +=
        findSamples(await exporter.scrape(), "kafka_consumer_group_sum_lag_in_offsets").length;
    }
    return total === GROUPS.length || undefined;
  }, 60_000);
  const before = await redis.stats();
  const seconds = 20;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1_000));
  const after = await redis.stats();
  const iterations = instances * seconds / 2;
  const per = (key: keyof RedisStats) => (after[key] - before[key]) / iterations;
  say(
    `- ${instances} instance(s): per instance-iteration ${per("commands").toFixed(1)} commands ` +
      `(${per("evalsha").toFixed(1)} EVALSHA), ${
        (per("inputBytes") / 1024).toFixed(1)
      } KiB sent to Redis, ` +
      `${(per("outputBytes") / 1024).toFixed(1)} KiB received`,
  );
  await Promise.all(exporters.map((exporter) => exporter.stop()));
}
Deno.exit(0);
