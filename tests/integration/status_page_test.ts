/**
 * The status page (/ui) in a real headless Chromium against a real exporter on a real broker: a
 * lagging group, a caught-up one and enough others for two pages. The table shows both with the
 * right values; sorting by keyboard, filtering, paging and the group view (partitions, members,
 * chart) work; the page raises no script error and no content-security-policy violation.
 * Screenshots are kept in $TEST_ARTIFACTS_DIR (default .test-artifacts/) as the run's artefacts.
 */
import { assert, assertEquals } from "../assert.ts";
import { startKafka } from "../harness/kafka.ts";
import { startExporter } from "../harness/exporter.ts";
import {
  commitManyGroups,
  commitOffsets,
  createTopic,
  produce,
} from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { startChromium } from "../harness/chromium.ts";

const ARTIFACTS = `${
  Deno.env.get("TEST_ARTIFACTS_DIR") ?? new URL("../../.test-artifacts", import.meta.url).pathname
}/status-page`;
const BULK_GROUPS = 110;

/** The groups table as the user sees it: [group, status, lag in offsets] per row. */
const TABLE_ROWS = `[...document.querySelectorAll("#groups tbody tr")].map((row) =>
  [...row.cells].slice(0, 4).map((cell) => cell.textContent))`;

Deno.test("status page in headless Chromium: clusters, groups, sorting, filter, group view", async () => {
  await Deno.mkdir(ARTIFACTS, { recursive: true });
  await using broker = await startKafka();
  const bootstrap = broker.bootstrap;
  await createTopic(bootstrap, "orders", 2);
  // The first half of each partition written an hour ago: the lagging group is an hour behind.
  const hourAgo = Date.now() - 3_600_000;
  await produce(bootstrap, "orders", [50, 50], (_, index) => index < 25 ? hourAgo : Date.now());
  await commitOffsets(bootstrap, "lagging-app", "orders", [10, 20]);
  await commitOffsets(bootstrap, "caught-up-app", "orders", [50, 50]);
  await commitManyGroups(
    bootstrap,
    Array.from({ length: BULK_GROUPS }, (_, index) => ({
      groupId: `bulk-${String(index).padStart(3, "0")}`,
      offsets: [{ topic: "orders", partition: 0, offset: 50 - (index % 5) }],
    })),
  );
  await using exporter = await startExporter({
    kafka_clusters: [{ name: "local", brokers: [bootstrap] }],
    app: { iteration_interval: "2s", status_window: "30s" },
  });
  const base = exporter.metricsUrl.replace(/\/metrics$/, "");
  await eventually("all groups measured", async () => {
    const answer = await (await fetch(`${base}/api/v1/clusters/local`)).json();
    return answer.groups_measured === BULK_GROUPS + 2 ? true : undefined;
  }, 60_000);

  await using browser = await startChromium();
  const { page } = browser;
  const started = performance.now();
  await page.open(`${base}/ui`);
  const loaded = async (after = 0) => {
    await eventually(
      "the page to render",
      async () =>
        (await page.evaluate<number>("Number(document.body.dataset.loaded || 0)")) > after
          ? true
          : undefined,
      20_000,
      50,
    );
    return page.evaluate<number>("Number(document.body.dataset.loaded)");
  };
  let renders = await loaded();
  console.log(
    `status page rendered ${BULK_GROUPS + 2} groups in ${
      Math.round(performance.now() - started)
    } ms`,
  );

  await t("clusters", async () => {
    const cells = await page.evaluate<string[]>(
      `[...document.querySelectorAll("#clusters tbody tr:first-child td")].map((c) => c.textContent)`,
    );
    assertEquals([cells[0], cells[1], cells[5]], ["local", "up", String(BULK_GROUPS + 2)]);
  });
  await page.screenshot(`${ARTIFACTS}/1-overview.png`);

  await t("default order: lag in seconds, largest first; both groups with their lag", async () => {
    const rows = await page.evaluate<string[][]>(TABLE_ROWS);
    assertEquals(rows.length, 100, "a page of 100 rows");
    assertEquals(rows[0].slice(0, 3), ["lagging-app", "OK", "70"]);
    assert(/^(59 min|1 h 0 min)/.test(rows[0][3]), `an hour behind: ${rows[0][3]}`);
    const range = await page.evaluate<string>(`document.getElementById("range").textContent`);
    assertEquals(range, `1\u2013100 of ${BULK_GROUPS + 2}`);
  });

  await t("paging: the next page holds the rest", async () => {
    await page.evaluate(`document.getElementById("next").click()`);
    renders = await loaded(renders);
    const rows = await page.evaluate<string[][]>(TABLE_ROWS);
    assertEquals(rows.length, BULK_GROUPS + 2 - 100);
    // Ties (no lag) in id order: the caught-up group is last.
    assertEquals(rows.at(-1), ["caught-up-app", "OK", "0", "0 s"]);
    await page.evaluate(`document.getElementById("previous").click()`);
    renders = await loaded(renders);
  });

  await t("sorting by keyboard: lag in offsets, then the other way", async () => {
    await page.evaluate(`document.querySelector("th[data-sort=lag] button").focus()`);
    await page.press("Enter");
    renders = await loaded(renders);
    let rows = await page.evaluate<string[][]>(TABLE_ROWS);
    assertEquals(rows[0].slice(0, 3), ["lagging-app", "OK", "70"]);
    assertEquals(
      await page.evaluate(`document.querySelector("th[data-sort=lag]").getAttribute("aria-sort")`),
      "descending",
    );
    await page.press("Enter");
    renders = await loaded(renders);
    rows = await page.evaluate<string[][]>(TABLE_ROWS);
    assertEquals(rows[0][2], "0");
    assert(rows.every((row) => row[0] !== "lagging-app"), "the largest lag is not on page one");
    assertEquals(
      await page.evaluate(`document.querySelector("th[data-sort=lag]").getAttribute("aria-sort")`),
      "ascending",
    );
    await page.screenshot(`${ARTIFACTS}/2-sorted-by-lag-ascending.png`);
  });

  await t("filter box", async () => {
    await page.evaluate(`document.getElementById("filter").focus()`);
    await page.type("APP");
    await eventually(
      "the filtered table",
      async () => {
        const rows = await page.evaluate<string[][]>(TABLE_ROWS);
        return rows.length === 2 ? rows : undefined;
      },
      10_000,
      100,
    );
    const rows = await page.evaluate<string[][]>(TABLE_ROWS);
    assertEquals(rows.map((row) => row[0]), ["caught-up-app", "lagging-app"]);
    await page.screenshot(`${ARTIFACTS}/3-filtered.png`);
  });

  await t("group view: partitions, members, chart", async () => {
    await page.evaluate(`document.querySelector("#groups a[href$='/g/lagging-app']").click()`);
    // Enough iterations for a line in the chart.
    await eventually(
      "the group view with a chart of at least 3 samples",
      async () => {
        const points = await page.evaluate<number>(`(() => {
        if (document.getElementById("detail").hidden) return 0;
        const line = document.querySelector("#chart polyline");
        return line ? line.getAttribute("points").split(" ").length : 0;
      })()`);
        return points >= 3 ? points : undefined;
      },
      30_000,
      200,
    );
    const partitions = await page.evaluate<string[][]>(
      `[...document.querySelectorAll("#partitions tbody tr")].map((row) =>
        [...row.cells].map((cell) => cell.textContent))`,
    );
    assertEquals(partitions.map((row) => row.slice(0, 5)), [
      ["orders", "0", "10", "50", "40"],
      ["orders", "1", "20", "50", "30"],
    ]);
    assert(/\d/.test(partitions[0][5]), `lag in seconds shown: ${partitions[0][5]}`);
    const title = await page.evaluate<string>(
      `document.getElementById("detail-title").textContent`,
    );
    assertEquals(title, "Group lagging-app on local");
    const facts = await page.evaluate<string>(
      `document.getElementById("detail-facts").textContent`,
    );
    assert(facts.includes("Empty"), `the group's state: ${facts}`);
    await page.screenshot(`${ARTIFACTS}/4-group-view.png`);
  });

  assertEquals(browser.pageErrors(), [], "no script error, no CSP violation");
  for (const name of ["1-overview", "2-sorted-by-lag-ascending", "3-filtered", "4-group-view"]) {
    const { size } = await Deno.stat(`${ARTIFACTS}/${name}.png`);
    assert(size > 10_000, `${name}.png has ${size} bytes`);
  }
  console.log(`screenshots in ${ARTIFACTS}`);
});

/** A named part of the test, failing with its name. */
async function t(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    throw new Error(`${name}: ${(error as Error).message}`, { cause: error });
  }
}
