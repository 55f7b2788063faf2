/**
 * On a real broker, what was proven only on the fake admin before: Go (RE2) group and topic
 * filters selecting what is exported; a group whose lag grows at every commit (WARN) with its
 * consumption and production rates; the same group catching up (OK, a finite time to catch up).
 */
import { assert, assertEquals } from "../assert.ts";
import { startKafka } from "../harness/kafka.ts";
import { startExporter } from "../harness/exporter.ts";
import { commitOffsets, createTopic, produce } from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { findSamples, type Sample } from "../harness/prom_text.ts";

const TREND_GROUP = "Trend-App-1";

Deno.test("filters, WARN, rates and time to catch up on a real broker", async (t) => {
  await using broker = await startKafka();
  const bootstrap = broker.bootstrap;
  for (const topic of ["events", "_internal-events", "audit"]) {
    await createTopic(bootstrap, topic, 1);
  }
  await produce(bootstrap, "events", [10]);
  await produce(bootstrap, "_internal-events", [10]);
  await produce(bootstrap, "audit", [10]);
  for (const group of ["trend-app-2", "payments", "Trend-App-x"]) {
    await commitOffsets(bootstrap, group, "events", [5]);
  }
  await commitOffsets(bootstrap, "trend-app-2", "_internal-events", [5]);
  await commitOffsets(bootstrap, "trend-app-2", "audit", [5]);
  await commitOffsets(bootstrap, TREND_GROUP, "events", [0]);
  await using exporter = await startExporter({
    kafka_clusters: [{
      name: "local",
      brokers: [bootstrap],
      // RE2 as kafka-lag-go wrote it: a case-insensitive group pattern ending at \z, and a topic
      // blacklist (a whitelist would win over it: here only the blacklist applies).
      consumer_groups: { whitelist: "(?i)^trend-app-\\d+\\z" },
      topics: { blacklist: ["^_", "audit$"] },
    }],
    app: { iteration_interval: "1s", status_window: "6s" },
  });

  await t.step("RE2 filters choose the groups and topics exported", async () => {
    const exported = await eventually(
      "the filtered groups",
      async () => {
        const samples = await exporter.scrape();
        const pairs = findSamples(samples, "kafka_consumer_group_topic_sum_lag_in_offsets", {})
          .map(({ labels }) => `${labels.group}/${labels.topic}`).sort();
        return pairs.includes(`${TREND_GROUP}/events`) ? pairs : undefined;
      },
      60_000,
      500,
    );
    // payments: not whitelisted; Trend-App-x: \d+ wants digits; _internal-events, audit: topics
    // blacklisted.
    assertEquals(exported, [`${TREND_GROUP}/events`, "trend-app-2/events"]);
  });

  // A consumer that commits 10 records a second while 20 a second arrive, then one that commits
  // 10 a second while 5 arrive: driven by hand, one step a second, until told to stop.
  const drive: { phase: "falling-behind" | "catching-up" | "done" } = { phase: "falling-behind" };
  let committed = 0;
  let produced = 10;
  // Catching up starts at least this far behind: on a loaded machine WARN may come after a
  // step or two, and a backlog gone in one step would leave no time to catch up to observe.
  const BACKLOG = 60;
  let toppedUp = false;
  const driver = (async () => {
    while (drive.phase !== "done") {
      let [produce_, commit] = drive.phase === "falling-behind" ? [20, 10] : [5, 10];
      if (drive.phase === "catching-up" && !toppedUp) {
        produce_ += Math.max(0, BACKLOG - (produced - committed));
        toppedUp = true;
      }
      await produce(bootstrap, "events", [produce_]);
      produced += produce_;
      committed = Math.min(produced, committed + commit);
      await commitOffsets(bootstrap, TREND_GROUP, "events", [committed]);
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // sleep-ok: the producer's pace
    }
  })();
  const seen = (samples: Sample[]) => {
    const value = (name: string) =>
      findSamples(samples, `kafka_lag_exporter_group_${name}`, { group: TREND_GROUP })[0]?.value;
    const [status] = findSamples(samples, "kafka_lag_exporter_group_status", {
      group: TREND_GROUP,
    });
    return {
      status: status?.labels.status,
      consumeRate: value("consume_rate"),
      produceRate: value("produce_rate"),
      catchUpSeconds: value("time_to_catch_up_seconds"),
    };
  };
  let last: unknown;
  const until = <T>(what: string, check: (state: ReturnType<typeof seen>) => T | undefined) =>
    eventually(
      what,
      async () => {
        const state = seen(await exporter.scrape());
        last = state;
        return check(state);
      },
      90_000,
      500,
    ).catch((error) => {
      throw new Error(`${error.message}; last seen ${JSON.stringify(last)}`);
    });

  try {
    await t.step("WARN: the offset moves, the lag grows at every commit", async () => {
      const state = await until(
        "WARN with both rates",
        (state) =>
          state.status === "WARN" && state.consumeRate && state.produceRate ? state : undefined,
      );
      // Rates per second over the window: generous bounds, the driver's pace is not exact.
      assert(state.consumeRate! > 3 && state.consumeRate! < 15, JSON.stringify(state));
      assert(state.produceRate! > state.consumeRate!, JSON.stringify(state));
      // Not gaining: no time to catch up.
      assertEquals(state.catchUpSeconds, undefined);
    });

    await t.step("catching up: OK, with a finite time to catch up", async () => {
      drive.phase = "catching-up";
      const state = await until(
        "OK and a time to catch up",
        (state) =>
          state.status === "OK" && state.catchUpSeconds !== undefined && state.catchUpSeconds > 0 &&
            state.consumeRate! > state.produceRate!
            ? state
            : undefined,
      );
      assert(Number.isFinite(state.catchUpSeconds), JSON.stringify(state));
    });
  } finally {
    drive.phase = "done";
    await driver;
  }
});
