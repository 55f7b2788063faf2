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
