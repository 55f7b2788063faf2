import { assertEquals } from "../../tests/assert.ts";
import { aggregateGroup } from "./aggregate.ts";
import type { PartitionLag } from "./lag_values.ts";

const partition = (
  topic: string,
  index: number,
  lagOffsets: number,
  lagSeconds?: number,
): PartitionLag => ({
  topic,
  partition: index,
  committedOffset: 0,
  endOffset: lagOffsets,
  lagOffsets,
  lagSeconds,
});

/** A group's total: max and sum over its partitions. */
const aggregateLags = (partitions: Parameters<typeof aggregateGroup>[1]) =>
  aggregateGroup("g", partitions).total;

Deno.test("a group's total aggregate", async (t) => {
  await t.step("max and sum over partitions", () => {
    assertEquals(aggregateLags([partition("a", 0, 5, 1.5), partition("a", 1, 7, 0.5)]), {
      maxLagOffsets: 7,
      sumLagOffsets: 12,
      maxLagSeconds: 1.5,
      sumLagSeconds: 2,
    });
  });
  await t.step("seconds aggregate only over partitions that have a value", () => {
    assertEquals(aggregateLags([partition("a", 0, 5), partition("a", 1, 7, 3)]), {
      maxLagOffsets: 7,
      sumLagOffsets: 12,
      maxLagSeconds: 3,
      sumLagSeconds: 3,
    });
  });
  await t.step("no seconds aggregate when no partition has seconds", () => {
    const aggregate = aggregateLags([partition("a", 0, 5)]);
    assertEquals(aggregate?.maxLagSeconds, undefined);
    assertEquals(aggregate?.sumLagSeconds, undefined);
  });
  await t.step("no aggregate at all without partitions", () => {
    assertEquals(aggregateLags([]), undefined);
  });
});

Deno.test("aggregateGroup() splits by topic", () => {
  const group = aggregateGroup("g", [
    partition("a", 0, 1, 1),
    partition("b", 0, 10),
    partition("a", 1, 2, 4),
  ]);
  assertEquals(
    group.topics.map((topic) => [topic.topic, topic.sumLagOffsets, topic.maxLagSeconds]),
    [
      ["a", 3, 4],
      ["b", 10, undefined],
    ],
  );
  assertEquals(group.total?.sumLagOffsets, 13);
  assertEquals(group.total?.sumLagSeconds, 5);
});

Deno.test("aggregates of a table written out of topic order merge each topic's runs", () => {
  const group = aggregateGroup("g", [
    { topic: "b", partition: 0, committedOffset: 0, endOffset: 5, lagOffsets: 5, lagSeconds: 3 },
    { topic: "a", partition: 0, committedOffset: 0, endOffset: 2, lagOffsets: 2 },
    { topic: "b", partition: 1, committedOffset: 0, endOffset: 7, lagOffsets: 7, lagSeconds: 9 },
  ]);
  assertEquals(group.topics, [
    { topic: "b", maxLagOffsets: 7, sumLagOffsets: 12, maxLagSeconds: 9, sumLagSeconds: 12 },
    {
      topic: "a",
      maxLagOffsets: 2,
      sumLagOffsets: 2,
      maxLagSeconds: undefined,
      sumLagSeconds: undefined,
    },
  ]);
  assertEquals(group.total, {
    maxLagOffsets: 7,
    sumLagOffsets: 14,
    maxLagSeconds: 9,
    sumLagSeconds: 12,
  });
});
