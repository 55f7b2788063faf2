import { assertEquals } from "../../tests/assert.ts";
import { PartitionTable } from "./partition_table.ts";
import type { PartitionLag } from "./lag_values.ts";

const rows: PartitionLag[] = [
  { topic: "orders", partition: 0, committedOffset: 5, endOffset: 9, lagOffsets: 4 },
  {
    topic: "orders",
    partition: 1,
    committedOffset: 2 ** 40,
    endOffset: 2 ** 40 + 3,
    lagOffsets: 3,
    lagSeconds: 1.25,
    lagSecondsMethod: "interpolated",
  },
  {
    topic: "audit",
    partition: 7,
    committedOffset: 10,
    endOffset: 10,
    lagOffsets: 0,
    lagSeconds: 0,
    lagSecondsMethod: "caught-up",
  },
  {
    topic: "audit",
    partition: 8,
    committedOffset: 12, // committed past the end offset we read: lag 0, never negative
    endOffset: 11,
    lagOffsets: 0,
    lagSeconds: 600,
    lagSecondsMethod: "lower-bound",
  },
];

Deno.test("a partition table gives back what it stores, in order", () => {
  const table = PartitionTable.from(rows);
  assertEquals(table.length, 4);
  assertEquals(table.toArray(), rows);
  assertEquals([...table], rows);
  assertEquals(table.at(2), rows[2]);
});

Deno.test("index accessors read without building objects", () => {
  const table = PartitionTable.from(rows);
  const cases: Array<[number, string, number, number, number | undefined]> = [
    [0, "orders", 0, 4, undefined],
    [1, "orders", 1, 3, 1.25],
    [2, "audit", 7, 0, 0],
    [3, "audit", 8, 0, 600],
  ];
  for (const [index, topic, partition, lagOffsets, lagSeconds] of cases) {
    assertEquals(
      [
        table.topic(index),
        table.partition(index),
        table.lagOffsets(index),
        table.lagSeconds(index),
      ],
      [topic, partition, lagOffsets, lagSeconds],
      `row ${index}`,
    );
  }
  assertEquals(table.lagSecondsMethod(0), undefined);
  assertEquals(table.lagSecondsMethod(3), "lower-bound");
});

Deno.test("exact mode can replace one partition's lag in seconds", () => {
  const table = PartitionTable.from(rows);
  table.setLagSeconds(0, { seconds: 42.5, method: "record-timestamp" });
  assertEquals(table.at(0), { ...rows[0], lagSeconds: 42.5, lagSecondsMethod: "record-timestamp" });
  assertEquals(table.at(1), rows[1]);
});

Deno.test("an empty table", () => {
  const table = PartitionTable.from([]);
  assertEquals([table.length, table.toArray()], [0, []]);
});

Deno.test("topic, partition and method share one number without losing any of them", () => {
  const methods = [undefined, "caught-up", "interpolated", "record-timestamp"] as const;
  const largest = 2 ** 31 - 1; // the largest partition number Kafka can have
  // Many topics in one group: the topic number grows with each.
  const many: PartitionLag[] = Array.from({ length: 300 }, (_, index) => {
    const method = methods[index % methods.length];
    return {
      topic: `topic-${String(index).padStart(3, "0")}`,
      partition: index % 2 === 0 ? largest - index : index,
      committedOffset: 2 ** 52 + index,
      endOffset: 2 ** 52 + index,
      lagOffsets: 0,
      ...(method === undefined ? {} : { lagSeconds: index / 4, lagSecondsMethod: method }),
    };
  });
  const table = PartitionTable.from(many);
  assertEquals(table.toArray(), many);
  assertEquals(table.topicNumber(299), 299);
  // Replacing the method keeps topic and partition.
  table.setLagSeconds(298, { seconds: 7, method: "lower-bound" });
  assertEquals(table.at(298), {
    ...many[298],
    lagSeconds: 7,
    lagSecondsMethod: "lower-bound",
  });
  assertEquals(table.at(297), many[297]);
});
