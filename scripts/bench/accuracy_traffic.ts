/** The traffic of bench:accuracy's scenarios: their producers, consumers and re-created topics. */
import type { Admin, Producer } from "kafkajs";
import { realKafkaAdmin } from "../../tests/harness/real_admin.ts";
import type { Scenario } from "./accuracy_scenarios.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One scenario as it runs: its topic and group, what was produced and committed. */
export interface ScenarioState {
  scenario: Scenario;
  topic: string;
  group: string;
  startMs: number;
  /** CreateTime per offset, per topic generation. */
  generations: number[][];
  committed: number;
  recreating: boolean;
}

/** The clients the traffic goes through, and when it stops. */
export interface TrafficDeps {
  producer: Producer;
  admin: Admin;
  signal: AbortSignal;
}

/** Kafka's own producer: large compressed batches, as production clients write them. */
export function javaProducerArgs(
  { topic, bootstrap }: { topic: string; bootstrap: string },
  { records, perSecond }: { records: number; perSecond: number },
): string[] {
  return [
    "--topic",
    topic,
    "--num-records",
    String(records),
    "--record-size",
    "200",
    "--throughput",
    String(perSecond),
    "--producer-props",
    `bootstrap.servers=${bootstrap}`,
    "compression.type=snappy",
    "linger.ms=1000",
    "batch.size=1048576",
    "acks=1",
  ];
}

/** Produces the scenario's records (kafkajs, known CreateTimes) until `signal` aborts. */
export async function produceLoop(state: ScenarioState, { producer, admin, signal }: TrafficDeps) {
  let lastMs = 0;
  while (!signal.aborted) {
    const elapsed = Date.now() - state.startMs;
    if (
      state.scenario.recreateAtMs !== undefined && elapsed >= state.scenario.recreateAtMs &&
      state.generations.length === 1
    ) {
      await recreate(state, admin);
      lastMs = Date.now() - state.startMs;
      continue;
    }
    const count = state.scenario.produce(lastMs, elapsed);
    lastMs = elapsed;
    if (count > 0) {
      const timestampMs = Date.now();
      const [result] = await producer.send({
        topic: state.topic,
        messages: Array.from(
          { length: count },
          (_, index) => ({ value: `r${index}`, timestamp: String(timestampMs) }),
        ),
      });
      const generation = state.generations.at(-1)!;
      const base = Number(result.baseOffset);
      for (let index = 0; index < count; index++) generation[base + index] = timestampMs;
    }
    await sleep(100);
  }
}

async function recreate(state: ScenarioState, admin: Admin) {
  state.recreating = true;
  await admin.deleteTopics({ topics: [state.topic] });
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await admin.createTopics({
        topics: [{ topic: state.topic, numPartitions: 1 }],
        waitForLeaders: true,
      });
      break;
    } catch {
      await sleep(200);
    }
  }
  state.generations.push([]);
  state.committed = 0;
  state.recreating = false;
}

/** Commits the offsets the scenario's consumer plan says, once a second, until `signal` aborts. */
export async function consumeLoop(state: ScenarioState, { admin, signal }: TrafficDeps) {
  while (!signal.aborted) {
    if (!state.recreating) {
      const generation = state.generations.at(-1)!;
      const createTimes = generation.slice(0, firstHole(generation));
      const generationStart = state.generations.length === 1
        ? state.startMs
        : state.startMs + state.scenario.recreateAtMs!;
      const elapsed = Date.now() - generationStart;
      const next = state.scenario.consume(elapsed, createTimes, generationStart, state.committed);
      if (next !== state.committed || createTimes.length === 0) {
        try {
          await admin.setOffsets({
            groupId: state.group,
            topic: state.topic,
            partitions: [{ partition: 0, offset: String(next) }],
          });
          state.committed = next;
        } catch {
          // the topic is being re-created
        }
      }
    }
    await sleep(1_000);
  }
}

function firstHole(array: number[]): number {
  let index = 0;
  while (index < array.length && array[index] !== undefined) index++;
  return index;
}

/**
 * The ground truth checked: a few records of each kafkajs scenario read back from Kafka, whose
 * CreateTime must be what the producer set.
 */
export async function checkCreateTimes(
  states: readonly ScenarioState[],
  bootstrap: string,
): Promise<{ checked: number; matched: number }> {
  const { admin: checker } = realKafkaAdmin(bootstrap);
  await checker.fetchEndOffsets(() => true);
  let checked = 0;
  let matched = 0;
  for (const state of states) {
    const generation = state.generations.at(-1)!;
    const offsets = [
      ...new Set([
        0,
        Math.floor(generation.length / 3),
        Math.floor(generation.length * 2 / 3),
        generation.length - 1,
      ]),
    ]
      .filter((offset) => offset >= 0 && generation[offset] !== undefined);
    for (const offset of offsets) {
      const times = await checker.fetchRecordTimes([{ topic: state.topic, partition: 0, offset }]);
      const found = [...times.values()][0];
      checked++;
      if (found && "timestampMs" in found && found.timestampMs === generation[offset]) matched++;
    }
  }
  await checker.close();
  return { checked, matched };
}
