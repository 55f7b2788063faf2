import { assertEquals } from "../../tests/assert.ts";
import { PartitionOrder } from "./measure_group.ts";

type Offset = { topic: string; partition: number; offset: number };
/** The offsets in the order PartitionOrder gives. */
const ordered = (order: PartitionOrder, offsets: Offset[]) =>
  Array.from(order.of(offsets).subarray(0, offsets.length), (index) => offsets[index]);

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
  // One PartitionOrder for all cases, as for an iteration's groups: nothing left from the last.
  const order = new PartitionOrder();
  for (const [name, input, expected] of cases) {
    assertEquals(text(ordered(order, rows(input))), expected, name);
  }
});

Deno.test("large groups are ordered too, beyond the buffer's first size and insertion's limit", () => {
  const order = new PartitionOrder();
  const cases: Array<[string, number]> = [["65 partitions", 65], ["1,000 partitions", 1_000]];
  for (const [name, count] of cases) {
    // Two topics, b before a, each with its partitions in descending order.
    const input = ["b", "a"].flatMap((topic) =>
      Array.from(
        { length: count },
        (_, index) => ({ topic, partition: count - 1 - index, offset: 1 }),
      )
    );
    const expected = ["a", "b"].flatMap((topic) =>
      Array.from({ length: count }, (_, index) => `${topic}/${index}`)
    ).join(" ");
    assertEquals(text(ordered(order, input)), expected, name);
  }
  assertEquals(text(ordered(order, rows("b/1 a/0"))), "a/0 b/1", "small again after large");
});

Deno.test("any answer is ordered as a plain sort orders it (2,000 generated answers)", () => {
  let seed = 11;
  const random = (below: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor(seed / 2_147_483_648 * below);
  };
  const order = new PartitionOrder();
  for (let round = 0; round < 2_000; round++) {
    // Blocks of topics as OffsetFetch answers them (partitions in hash order or ascending), a
    // topic sometimes in two blocks, sometimes everything shuffled.
    const offsets: Offset[] = [];
    for (let topic = random(6); topic >= 0; topic--) {
      const name = ["t", "a", "b10", "b9", "é", "B"][random(6)];
      const partitions = Array.from(
        { length: 1 + random(round % 10 === 0 ? 90 : 9) },
        (_, partition) => partition,
      );
      if (random(2) === 0) partitions.sort((a, b) => ((a * 7) % 11) - ((b * 7) % 11));
      for (const partition of partitions) offsets.push({ topic: name, partition, offset: 1 });
    }
    if (random(4) === 0) {
      for (let index = offsets.length - 1; index > 0; index--) {
        const other = random(index + 1);
        [offsets[index], offsets[other]] = [offsets[other], offsets[index]];
      }
    }
    const expected = offsets.toSorted((a, b) =>
      a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1
    );
    assertEquals(text(ordered(order, offsets)), text(expected), `answer ${round}`);
  }
});
