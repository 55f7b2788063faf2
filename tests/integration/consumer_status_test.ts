/**
 * The consumer status of a real group driven through every case: a consumer keeping up (OK),
 * paused while records arrive but still in the group (STALL), gone (STOP), its offsets reset
 * backwards (REWIND), and a new consumer reading everything (OK again).
 */
import { assertEquals } from "../assert.ts";
import { startKafka } from "../harness/kafka.ts";
import { startExporter } from "../harness/exporter.ts";
import { createTopic, produce, testKafka } from "../harness/kafka_fixtures.ts";
import { eventually } from "../harness/processes.ts";
import { findSamples, type Sample } from "../harness/prom_text.ts";

const GROUP = "status-app";

interface Seen {
  status?: string;
  members?: number;
  lag?: number;
  retentionRatio?: number;
  catchUpSeconds?: number;
}

function statusOf(samples: Sample[]): Seen {
  const value = (name: string) => findSamples(samples, name, { group: GROUP })[0]?.value;
  const [status] = findSamples(samples, "kafka_lag_exporter_group_status", { group: GROUP });
  const [members] = findSamples(samples, "kafka_lag_exporter_group_members", { group: GROUP });
  const [lag] = findSamples(samples, "kafka_consumer_group_sum_lag_in_offsets", { group: GROUP });
  return {
    status: status?.labels.status,
    members: members?.value,
    lag: lag?.value,
    retentionRatio: value("kafka_lag_exporter_group_retention_ratio"),
    catchUpSeconds: value("kafka_lag_exporter_group_time_to_catch_up_seconds"),
  };
}

Deno.test("consumer status of a real group: OK → STALL → STOP → REWIND → OK", async (t) => {
  await using broker = await startKafka();
  const bootstrap = broker.bootstrap;
  await createTopic(bootstrap, "orders", 1);
  await produce(bootstrap, "orders", [20]);
  await using exporter = await startExporter({
    kafka_clusters: [{ name: "local", brokers: [bootstrap] }],
    app: { iteration_interval: "1s", status_window: "4s" },
  });
  let last: unknown;
  const reached = (expected: { status: string; members?: number }) =>
    eventually(
      `status ${JSON.stringify(expected)}`,
      async () => {
        const seen = statusOf(await exporter.scrape());
        last = seen;
        const membersMatch = expected.members === undefined || seen.members === expected.members;
        return seen.status === expected.status && membersMatch ? seen : undefined;
      },
      60_000,
      500,
    ).catch((error) => {
      throw new Error(
        `${error.message}; last seen ${JSON.stringify(last)}; log:\n${exporter.logs()}`,
      );
    });

  const consumer = testKafka(bootstrap).consumer({
    groupId: GROUP,
    sessionTimeout: 10_000,
    heartbeatInterval: 500,
  });
  let consumed = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: "orders", fromBeginning: true });
    await consumer.run({
      autoCommitInterval: 200,
      eachMessage: () => {
        consumed++;
        return Promise.resolve();
      },
    });

    await t.step("OK: the consumer keeps up", async () => {
      const seen = await reached({ status: "OK", members: 1 });
      assertEquals([seen.lag, seen.retentionRatio, seen.catchUpSeconds], [0, 0, 0]);
    });

    await t.step("STALL: in the group, not committing, records waiting", async () => {
      consumer.pause([{ topic: "orders" }]);
      await produce(bootstrap, "orders", [15]);
      // OK while the window still holds the time it was caught up.
      const seen = await reached({ status: "STALL", members: 1 });
      assertEquals(seen.lag, 15);
    });
  } finally {
    await consumer.disconnect();
  }

  await t.step("STOP: the consumer left, records still waiting", async () => {
    const seen = await reached({ status: "STOP", members: 0 });
    // 15 of the 35 records kept are unread; not consuming, so no time to catch up.
    assertEquals([seen.lag, seen.retentionRatio, seen.catchUpSeconds], [15, 15 / 35, undefined]);
  });

  await t.step("REWIND: offsets reset backwards", async () => {
    // As an operator would: kafka-consumer-groups --reset-offsets on the empty group. Watched
    // from before the reset: REWIND lasts one window, and the tool's JVM takes a while to exit.
    const rewound = reached({ status: "REWIND", members: 0 });
    rewound.catch(() => {}); // awaited below; a failed reset must not leave it unhandled
    const reset = await broker.runTool(
      "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
      [
        ...["--bootstrap-server", bootstrap, "--group", GROUP, "--topic", "orders"],
        ...["--reset-offsets", "--to-offset", "5", "--execute"],
      ],
    );
    assertEquals(reset.code, 0, reset.stderr);
    const seen = await rewound;
    assertEquals([seen.lag, seen.retentionRatio], [30, 30 / 35]);
  });

  await t.step("OK: a new consumer reads everything", async () => {
    const reader = testKafka(bootstrap).consumer({ groupId: GROUP, heartbeatInterval: 500 });
    try {
      await reader.connect();
      await reader.subscribe({ topic: "orders", fromBeginning: true });
      await reader.run({ autoCommitInterval: 200, eachMessage: () => Promise.resolve() });
      const seen = await reached({ status: "OK", members: 1 });
      assertEquals([seen.lag, seen.retentionRatio, seen.catchUpSeconds], [0, 0, 0]);
    } finally {
      await reader.disconnect();
    }
  });
  assertEquals(consumed >= 20, true, `the first consumer read ${consumed} records`);
});
