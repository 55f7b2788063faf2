/**
 * The status page at scale: one broker, 200 topics × 8 partitions, N member-less groups (default
 * 10,000) each committed on 3 topics at varied offsets; the exporter measures them, then headless
 * Chromium opens /ui and the script times what a person does: the first table, sorting by lag,
 * filtering, one group's view. Screenshots go to .test-artifacts/status-page-<N>/.
 *
 *   deno task bench:status-page [--groups 10000]
 */
import { parseArgs } from "node:util";
import { startKafka } from "../../tests/harness/kafka.ts";
import { startExporter } from "../../tests/harness/exporter.ts";
import { commitManyGroups, produce, withAdmin } from "../../tests/harness/kafka_fixtures.ts";
import { eventually } from "../../tests/harness/processes.ts";
import { startChromium } from "../../tests/harness/chromium.ts";

const { values } = parseArgs({ options: { groups: { type: "string", default: "10000" } } });
const GROUPS = Number(values.groups);
const TOPICS = 200;
const PARTITIONS = 8;
const say = (line: string) => console.log(`[status-page] ${line}`);
const artifacts = new URL(`../../.test-artifacts/status-page-${GROUPS}`, import.meta.url).pathname;
await Deno.mkdir(artifacts, { recursive: true });

await using broker = await startKafka({ maxHeap: "2g" });
const topics = Array.from({ length: TOPICS }, (_, index) => `page-${index}`);
await withAdmin(broker.bootstrap, async (admin) => {
  await admin.createTopics({
    topics: topics.map((topic) => ({ topic, numPartitions: PARTITIONS })),
    waitForLeaders: true,
  });
});
for (const topic of topics) await produce(broker.bootstrap, topic, Array(PARTITIONS).fill(100));
await commitManyGroups(
  broker.bootstrap,
  Array.from({ length: GROUPS }, (_, group) => ({
    groupId: `group-${String(group).padStart(6, "0")}`,
    offsets: [0, 1, 2].flatMap((step) =>
      Array.from({ length: PARTITIONS }, (_, partition) => ({
        topic: topics[(group + step * 67) % TOPICS],
        partition,
        offset: 100 - ((group * 7 + partition) % 100),
      }))
    ),
  })),
);
say(`${GROUPS} groups committed on ${TOPICS} topics × ${PARTITIONS} partitions`);

await using exporter = await startExporter({
  kafka_clusters: [{ name: "main", brokers: [broker.bootstrap] }],
  app: { iteration_interval: "30s" },
});
const base = exporter.metricsUrl.replace(/\/metrics$/, "");
await eventually(
  "all groups measured",
  async () => {
    const answer = await (await fetch(`${base}/api/v1/clusters/main`)).json();
    return answer.groups_measured === GROUPS ? answer : undefined;
  },
  600_000,
  1_000,
);
const timed = async (path: string) => {
  const started = performance.now();
  const body = await (await fetch(`${base}${path}`)).text();
  return `${Math.round(performance.now() - started)} ms, ${Math.round(body.length / 1024)} KiB`;
};
say(
  `API: first page by lag in seconds ${await timed(
    "/api/v1/clusters/main/groups?sort=lag_seconds&limit=100",
  )}`,
);
say(`API: filtered ${await timed("/api/v1/clusters/main/groups?q=group-0099&limit=100")}`);

await using browser = await startChromium();
const { page } = browser;
const renders = () => page.evaluate<number>("Number(document.body.dataset.loaded || 0)");
const until = async (what: string, after: number) => {
  const started = performance.now();
  await eventually(what, async () => (await renders()) > after ? true : undefined, 60_000, 20);
  return Math.round(performance.now() - started);
};
let started = performance.now();
await page.open(`${base}/ui`);
await until("the first render", 0);
say(
  `page load to a table of 100 of ${GROUPS} groups: ${Math.round(performance.now() - started)} ms`,
);
await page.screenshot(`${artifacts}/1-overview.png`);
say(`range shown: ${await page.evaluate(`document.getElementById("range").textContent`)}`);

let count = await renders();
await page.evaluate(`document.querySelector("th[data-sort=lag] button").click()`);
say(`sort by lag in offsets: ${await until("sorted", count)} ms`);
await page.screenshot(`${artifacts}/2-sorted-by-lag.png`);

count = await renders();
started = performance.now();
await page.evaluate(`document.getElementById("filter").focus()`);
await page.type("group-00999");
await eventually(
  "filtered",
  async () => {
    const rows = await page.evaluate<number>(
      `document.querySelectorAll("#groups tbody tr").length`,
    );
    return rows <= 10 && (await renders()) > count ? true : undefined;
  },
  60_000,
  20,
);
say(`filter (typed, 200 ms debounce included): ${Math.round(performance.now() - started)} ms`);
await page.screenshot(`${artifacts}/3-filtered.png`);

count = await renders();
await page.evaluate(`document.querySelector("#groups tbody a").click()`);
say(`one group's view: ${await until("group view", count)} ms`);
await page.screenshot(`${artifacts}/4-group-view.png`);
const errors = browser.pageErrors();
say(errors.length === 0 ? "no page errors" : `page errors: ${errors.join("; ")}`);
say(`screenshots in ${artifacts}`);
