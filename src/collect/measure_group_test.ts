import { assertEquals } from "../../tests/assert.ts";
import { sortedByTopicAndPartition } from "./measure_group.ts";

const rows = (text: string) =>
  text.split(" ").filter(Boolean).map((cell) => {
    const [topic, partition] = cell.split("/");
    return { topic, partition: Number(partition), offset: 1 };
  });
const text = (offsets: ReadonlyArray<{ topic: string; partition: number }>) =>
  offsets.map(({ topic, partition }) => `${topic}/${partition}`).join(" ");

Deno.test("committed offsets sorted by topic, then partition, whatever the answer's order", () => {
  const cases: Array<[string, string, string]> = [
    ["empty", "", ""],
    ["already sorted", "a/0 a/1 b/0", "a/0 a/1 b/0"],
    ["topics out of order", "b/0 b/1 a/0 c/2", "a/0 b/0 b/1 c/2"],
    ["partitions out of order", "a/2 a/0 a/1", "a/0 a/1 a/2"],
    ["both", "c/1 c/0 a/3 a/1", "a/1 a/3 c/0 c/1"],
    ["a topic in two places", "a/1 b/0 a/0", "a/0 a/1 b/0"],
    ["a topic in two places, already ordered around it", "a/0 b/0 a/1", "a/0 a/1 b/0"],
    ["a partition twice", "a/1 a/1 a/0", "a/0 a/1 a/1"],
    ["names compared by code unit, as before", "b/0 B/0 é/0 e/0", "B/0 b/0 e/0 é/0"],
  ];
  for (const [name, input, expected] of cases) {
    assertEquals(text(sortedByTopicAndPartition(rows(input))), expected, name);
  }
});

Deno.test("an answer already in order is used as it is (no copy)", () => {
  const answer = rows("a/0 a/1 b/0");
  assertEquals(sortedByTopicAndPartition(answer) === answer, true);
});
