/**
 * How long decoding the OffsetFetch answers of 10,000 groups takes: the answers the exporter reads
 * every iteration (20 answers of 500 groups, 3 topics of 8 partitions each = 240,000 committed
 * offsets), built once, then decoded 40 times after a warm-up; prints the median and the spread.
 * `--module PATH` decodes with another module exporting decodeOffsetFetchV8 (an older tree's
 * decoder, to compare before and after).
 * Usage: deno task bench:protocol [--groups 10000] [--module path/to/offset_fetch.ts]
 */
import { parseArgs } from "node:util";
import { WireWriter } from "../../src/kafka/protocol/wire.ts";

const { values } = parseArgs({
  options: {
    groups: { type: "string", default: "10000" },
    module: { type: "string" },
    rounds: { type: "string", default: "40" },
  },
});
const groupCount = Number(values.groups);
const modulePath = values.module
  ? new URL(values.module, `file://${Deno.cwd()}/`).href
  : new URL("../../src/kafka/protocol/offset_fetch.ts", import.meta.url).href;
const { decodeOffsetFetchV8 } = await import(modulePath) as {
  decodeOffsetFetchV8(payload: Uint8Array): Array<{ offsets: unknown[] }>;
};

const GROUPS_PER_ANSWER = 500;
const TOPICS_PER_GROUP = 3;
const PARTITIONS_PER_TOPIC = 8;

/** One OffsetFetch v8 answer (after the correlation id) for groups [first, first + count). */
function answer(first: number, count: number): Uint8Array {
  const writer = new WireWriter().noTaggedFields().int32(0).compactArrayLength(count);
  for (let group = first; group < first + count; group++) {
    writer.compactString(`bench-group-${group}`).compactArrayLength(TOPICS_PER_GROUP);
    for (let topic = 0; topic < TOPICS_PER_GROUP; topic++) {
      writer.compactString(`bench-topic-${(group * 7 + topic) % 300}`);
      writer.compactArrayLength(PARTITIONS_PER_TOPIC);
      for (let partition = 0; partition < PARTITIONS_PER_TOPIC; partition++) {
        writer.int32(partition).int64(1_000_000 + group * 31 + partition).int32(-1)
          .compactString("").int16(0).noTaggedFields();
      }
      writer.noTaggedFields();
    }
    writer.int16(0).noTaggedFields();
  }
  return writer.noTaggedFields().toBytes();
}

const answers: Uint8Array[] = [];
for (let first = 0; first < groupCount; first += GROUPS_PER_ANSWER) {
  answers.push(answer(first, Math.min(GROUPS_PER_ANSWER, groupCount - first)));
}
const decodeAll = (): number => {
  let offsets = 0;
  for (const payload of answers) {
    for (const group of decodeOffsetFetchV8(payload)) offsets += group.offsets.length;
  }
  return offsets;
};
for (let warmUp = 0; warmUp < 5; warmUp++) decodeAll();
const timings: number[] = [];
let offsets = 0;
for (let round = 0; round < Number(values.rounds); round++) {
  const start = performance.now();
  offsets = decodeAll();
  timings.push(performance.now() - start);
}
timings.sort((a, b) => a - b);
const at = (share: number) => timings[Math.floor(share * (timings.length - 1))].toFixed(1);
console.log(
  `${groupCount} groups, ${offsets} committed offsets in ${answers.length} answers ` +
    `(${answers.reduce((sum, bytes) => sum + bytes.byteLength, 0)} bytes): ` +
    `median ${at(0.5)} ms (min ${at(0)}, p90 ${at(0.9)}) per iteration's decoding`,
);
