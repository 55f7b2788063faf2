import { assertEquals } from "../../tests/assert.ts";
import { parsePrometheusText } from "../../tests/harness/prom_text.ts";
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";
import { aggregateGroup } from "../lag/aggregate.ts";
import { lagSeriesValues, renderLagText } from "./lag_series.ts";

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
          latestOffset: 4,
          observedAtMs: 0,
          lagOffsets: 3,
          lagSeconds: 1.25,
        },
        {
          topic: "u",
          partition: 2,
          committedOffset: 5,
          latestOffset: 5,
          observedAtMs: 0,
          lagOffsets: 0,
          lagSeconds: 0,
        },
      ]),
      aggregateGroup("plain", [{
        topic: "t",
        partition: 1,
        committedOffset: 0,
        latestOffset: 9,
        observedAtMs: 0,
        lagOffsets: 9,
      }]),
    ],
  },
}];

Deno.test("renderLagText() and lagSeriesValues() give the same samples", async (t) => {
  for (const granularity of ["partition", "topic", "group"] as const) {
    await t.step(granularity, async () => {
      const options = { labels: { env: "x\ny" }, granularity };
      const fromText = parsePrometheusText(await renderLagText(statuses, options))
        .map((sample) =>
          JSON.stringify([{ __name__: sample.name, ...sample.labels }, sample.value])
        )
        .sort();
      const fromValues = lagSeriesValues(statuses, options)
        .map((series) =>
          JSON.stringify([Object.fromEntries(Object.entries(series.labels)), series.value])
        )
        .sort();
      assertEquals(fromText, fromValues);
    });
  }
});

Deno.test("renderLagText() escapes label values and keeps each metric's samples together", async () => {
  const text = await renderLagText(statuses, { labels: {}, granularity: "partition" });
  assertEquals(text.includes('group="odd \\"group\\"\\\\name"'), true);
  const names = text.split("\n").filter((line) => line && !line.startsWith("#")).map((line) =>
    line.split("{")[0]
  );
  const seen: string[] = [];
  for (const name of names) if (seen.at(-1) !== name) seen.push(name);
  assertEquals(new Set(seen).size, seen.length);
});
