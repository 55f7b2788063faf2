import { groupActivity } from "../lag/group_report.ts";
import { assert, assertEquals } from "../../tests/assert.ts";
import { parsePrometheusText } from "../../tests/harness/prom_text.ts";
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";
import { aggregateGroup } from "../lag/aggregate.ts";
import { LAG_METRICS, type LagSeriesOptions, nativeFamilies } from "./lag_series.ts";
import {
  familySeriesValues,
  familyTextChunks,
  type Granularity,
  type ScrapeState,
} from "./metric_family.ts";

type Options = LagSeriesOptions & { labels: Record<string, string>; granularity: Granularity };
const stateOf = (statuses: ClusterStatus[]): ScrapeState => ({
  statuses,
  liveInstances: 1,
  memory: { rss: 0, heapUsed: 0 },
});
/** The native families walked into text, as /metrics writes them. */
const lagTextChunks = (statuses: ClusterStatus[], options: Options) =>
  familyTextChunks(nativeFamilies(options), { ...options, state: stateOf(statuses) });
/** The same walked into values, as remote write sends them. */
const lagSeriesValues = (statuses: ClusterStatus[], options: Options) =>
  familySeriesValues(nativeFamilies(options), { ...options, state: stateOf(statuses) });
import { encodeUtf8, textStream } from "./text_stream.ts";

const statuses: ClusterStatus[] = [{
  clusterName: "k",
  up: true,
  iterationErrorsTotal: 0,
  snapshot: {
    clusterName: "k",
    groupsChecked: 2,
    startedAtMs: 0,
    completedAtMs: 0,
    groups: [
      aggregateGroup('odd "group"\\name', [
        {
          topic: "t",
          partition: 0,
          committedOffset: 1,
          endOffset: 4,
          lagOffsets: 3,
          lagSeconds: 1.25,
        },
        {
          topic: "u",
          partition: 2,
          committedOffset: 5,
          endOffset: 5,
          lagOffsets: 0,
          lagSeconds: 0,
        },
      ]),
      {
        ...aggregateGroup("plain", [{
          topic: "t",
          partition: 1,
          committedOffset: 0,
          endOffset: 9,
          lagOffsets: 9,
        }]),
        activity: groupActivity({
          state: "Stable",
          protocol: "consumer",
          members: [{
            memberId: "m-1",
            clientId: "app-1",
            host: "/10.0.0.7",
            assignment: [{ topic: "t", partition: 1 }],
          }],
        }),
      },
    ],
  },
}];

Deno.test("lagTextChunks() and lagSeriesValues() give the same samples", async (t) => {
  for (const granularity of ["partition", "topic", "group"] as const) {
    await t.step(granularity, () => {
      const options = { labels: { env: "x\ny" }, granularity, memberLabels: true };
      const fromText = parsePrometheusText([...lagTextChunks(statuses, options)].join(""))
        .map((sample) =>
          JSON.stringify([{ __name__: sample.name, ...sample.labels }, sample.value])
        )
        .sort();
      const fromValues = [...lagSeriesValues(statuses, options)]
        .map((series) =>
          JSON.stringify([Object.fromEntries(Object.entries(series.labels)), series.value])
        )
        .sort();
      assertEquals(fromText, fromValues);
    });
  }
});

Deno.test("lagTextChunks() escapes label values and keeps each metric's samples together", () => {
  const text = [...lagTextChunks(statuses, { labels: {}, granularity: "partition" })].join("");
  assertEquals(text.includes('group="odd \\"group\\"\\\\name"'), true);
  const names = text.split("\n").filter((line) => line && !line.startsWith("#")).map((line) =>
    line.split("{")[0]
  );
  const seen: string[] = [];
  for (const name of names) if (seen.at(-1) !== name) seen.push(name);
  assertEquals(new Set(seen).size, seen.length);
});

Deno.test("group state and member count: one series per described group", () => {
  const samples = parsePrometheusText(
    [...lagTextChunks(statuses, { labels: {}, granularity: "group" })].join(""),
  ).filter((sample) => sample.name.startsWith("kafka_lag_exporter_group_"));
  // The first group could not be described: no state series rather than a guess.
  assertEquals(samples, [
    {
      name: "kafka_lag_exporter_group_state",
      labels: { clustername: "k", group: "plain", state: "Stable", protocol: "consumer" },
      value: 1,
    },
    {
      name: "kafka_lag_exporter_group_members",
      labels: { clustername: "k", group: "plain" },
      value: 1,
    },
  ]);
});

Deno.test("without the seed's series (compat names only) the group activity series remain", () => {
  const options = { labels: {}, granularity: "partition" as const, native: false };
  const names = new Set(
    parsePrometheusText([...lagTextChunks(statuses, options)].join("")).map((sample) =>
      sample.name
    ),
  );
  assertEquals([...names].sort(), [
    "kafka_lag_exporter_group_members",
    "kafka_lag_exporter_group_state",
  ]);
  assertEquals(
    new Set([...lagSeriesValues(statuses, options)].map((series) => series.labels.__name__)),
    names,
  );
});

Deno.test("member labels: only when asked, on partition series, absent where nobody owns", () => {
  const partitionSeries = (memberLabels?: boolean) =>
    parsePrometheusText(
      [...lagTextChunks(statuses, { labels: {}, granularity: "partition", memberLabels })].join(
        "",
      ),
    ).filter((sample) => sample.name === "kafka_consumer_group_lag_in_offsets");
  for (const sample of partitionSeries()) assertEquals("consumer_id" in sample.labels, false);
  assertEquals(partitionSeries(true).map((sample) => sample.labels), [
    { clustername: "k", group: 'odd "group"\\name', topic: "t", partition: "0" },
    { clustername: "k", group: 'odd "group"\\name', topic: "u", partition: "2" },
    {
      clustername: "k",
      group: "plain",
      topic: "t",
      partition: "1",
      consumer_id: "m-1",
      client_id: "app-1",
      member_host: "/10.0.0.7",
    },
  ]);
});

Deno.test("a large exposition comes in pieces, and the stream makes them only as it is read", async () => {
  const manyGroups: ClusterStatus[] = [{
    ...statuses[0],
    snapshot: {
      ...statuses[0].snapshot!,
      groups: Array.from({ length: 3_000 }, (_, index) => ({
        ...aggregateGroup(`group-${index}`, [{
          topic: "t",
          partition: 0,
          committedOffset: 0,
          endOffset: index,
          lagOffsets: index,
          lagSeconds: index / 10,
        }]),
        activity: groupActivity({ state: "Empty", protocol: "classic", members: [] }),
        status: "OK" as const,
        rates: { consumeRate: 1, produceRate: 0.5, catchUpSeconds: 0 },
        retentionRatio: 0,
      })),
    },
  }];
  const options = { labels: {}, granularity: "partition" as const };
  const pieces = [...lagTextChunks(manyGroups, options)];
  assert(pieces.length > 3, `expected several pieces, got ${pieces.length}`);
  assert(pieces.every((piece) => piece.length < 80 * 1024), "pieces stay near 64 KiB");
  const samples = parsePrometheusText(pieces.join(""));
  assertEquals(samples.length, 3_000 * LAG_METRICS.length); // one partition: one sample each

  let produced = 0;
  const counted = (function* () {
    for (const piece of pieces) {
      produced++;
      yield piece;
    }
  })();
  const reader = textStream(counted).getReader();
  const first = await reader.read();
  assertEquals(new TextDecoder().decode(first.value), pieces[0]);
  assert(produced <= 2, `read one piece, produced ${produced}`);
  await reader.cancel();
});

Deno.test("encodeUtf8() gives the same bytes as TextEncoder for ASCII and wider text", () => {
  const cases = [
    "",
    'kafka_consumer_group_lag_in_offsets{group="orders",topic="t"} 12\n',
    'group="commandes-été"',
    'group="注文"',
    'group="🚀-launch"',
    "é",
    "\u{10FFFF}",
  ];
  for (const text of cases) {
    const bytes = encodeUtf8(text);
    assertEquals([...bytes], [...new TextEncoder().encode(text)], JSON.stringify(text));
    assertEquals(new TextDecoder().decode(bytes), text);
  }
});
