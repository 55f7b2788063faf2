/**
 * collectCluster() on the fake admin: lag in seconds (history, exact mode, record reads, retention)
 * and group members.
 */
import { assertEquals } from "../../tests/assert.ts";
import { FakeKafkaAdmin } from "../../tests/fakes/fake_kafka_admin.ts";
import {
  clusterConfig,
  exactMode,
  lookups,
  methodsOf,
  setup,
  T0,
} from "../../tests/fakes/collect_cluster_setup.ts";
import { createLogger } from "../log/logger.ts";
import type { OffsetHistoryStore } from "../store/offset_history_store.ts";
import { collectCluster, type CollectClusterDeps } from "./collect_cluster.ts";
import { MISSING_RETRY_MS } from "./record_timestamps.ts";

Deno.test("collectCluster(): lag in seconds", async (t) => {
  await t.step("lag in seconds appears from the second iteration, 0 when caught up", async () => {
    const admin = new FakeKafkaAdmin().setEnd("t", 0, 100).setEnd("t", 1, 7)
      .setGroup("g", [{ topic: "t", partition: 0, offset: 100 }, {
        topic: "t",
        partition: 1,
        offset: 2,
      }]);
    const deps = setup(admin);
    admin.clock = 1_000;
    let snapshot = await collectCluster(clusterConfig(), deps);
    assertEquals(snapshot.groups[0].partitions.toArray().map((p) => p.lagSeconds), [0, undefined]);
    admin.clock = 11_000;
    admin.setEnd("t", 1, 17);
    snapshot = await collectCluster(clusterConfig(), deps);
    // offset 2 predates the history (7 at 1 s, 17 at 11 s): 1 offset/s backwards from 1 s for
    // 4.5 records (the middle of record 2) → produced at −3.5 s.
    assertEquals(snapshot.groups[0].partitions.toArray().map((p) => p.lagSeconds), [0, 14.5]);
  });

  await t.step("a failing store drops lag in seconds but keeps offsets lag", async () => {
    const failing: OffsetHistoryStore = {
      recordAndRead: () => Promise.reject(new Error("store down")),
      close: () => Promise.resolve(),
    };
    const admin = new FakeKafkaAdmin().setEnd("t", 0, 10).setEnd("t", 1, 5).setGroup("g", [
      { topic: "t", partition: 0, offset: 4 },
      { topic: "t", partition: 1, offset: 5 },
    ]);
    const errors: unknown[] = [];
    const snapshot = await collectCluster(clusterConfig(), {
      ...setup(admin, failing),
      onStoreError: (error) => errors.push(error),
    });
    assertEquals(snapshot.groups[0].partitions.toArray().map((p) => [p.lagOffsets, p.lagSeconds]), [
      [
        6,
        undefined,
      ],
      [0, 0],
    ]);
    assertEquals(errors.length, 1);
  });

  await t.step(
    "exact mode: now minus the committed record's timestamp for lagging partitions",
    async () => {
      const admin = new FakeKafkaAdmin().setEnd("t", 0, 100).setEnd("t", 1, 50).setEnd("t", 2, 9)
        .setGroup("g", [
          { topic: "t", partition: 0, offset: 40 },
          { topic: "t", partition: 1, offset: 50 },
          { topic: "t", partition: 2, offset: 3 },
        ]);
      admin.clock = T0;
      admin.recordTimes.set("t/0/40", T0 - 30_000);
      admin.recordTimes.set("t/2/3", T0 + 20_000); // a producer clock ahead of ours, within skew
      const snapshot = await collectCluster(exactMode(10), setup(admin));
      assertEquals(
        snapshot.groups[0].partitions.toArray().map((p) => [p.lagSeconds, p.lagSecondsMethod]),
        [[30, "record-timestamp"], [0, "caught-up"], [0, "record-timestamp"]],
      );
      assertEquals(snapshot.recordLookups, lookups({ fetched: 2, found: 2 }));
      assertEquals(snapshot.groups[0].total?.maxLagSeconds, 30);
    },
  );

  await t.step(
    "exact mode looks up the most lagging partitions first, up to the limit",
    async () => {
      const admin = new FakeKafkaAdmin();
      for (let partition = 0; partition < 5; partition++) admin.setEnd("t", partition, 100);
      admin.setGroup(
        "g",
        [0, 1, 2, 3, 4].map((partition) => ({
          topic: "t",
          partition,
          offset: 90 - partition * 10,
        })),
      );
      for (let partition = 0; partition < 5; partition++) {
        admin.recordTimes.set(`t/${partition}/${90 - partition * 10}`, T0 - 5_000);
      }
      admin.clock = T0;
      const snapshot = await collectCluster(exactMode(2), setup(admin));
      const exact = snapshot.groups[0].partitions.toArray().filter((p) =>
        p.lagSecondsMethod === "record-timestamp"
      );
      assertEquals(exact.map((p) => p.partition), [3, 4]);
      assertEquals(snapshot.recordLookups, lookups({ fetched: 2, found: 2, deferred: 3 }));
    },
  );

  await t.step("exact mode falls back to the estimate when the lookup fails", async () => {
    const admin = new FakeKafkaAdmin().setEnd("t", 0, 10).setGroup("g", [{
      topic: "t",
      partition: 0,
      offset: 5,
    }]);
    const deps = setup(admin);
    admin.clock = T0;
    admin.failRecordTimes = new Error("fetch failed");
    await collectCluster(exactMode(10), deps);
    admin.clock = T0 + 1_000;
    admin.setEnd("t", 0, 20);
    const snapshot = await collectCluster(exactMode(10), deps);
    const [partition] = snapshot.groups[0].partitions;
    assertEquals(partition.lagSecondsMethod, "extrapolated");
    assertEquals(snapshot.recordLookups, lookups({ fetched: 1, missing: 1 }));
    assertEquals(snapshot.groupsWithEstimates, [{ groupId: "g", partitions: 1 }]);
  });

  await t.step(
    "default mode: a backlog older than the history is dated by its record, from the first " +
      "iteration; interpolated values are left alone",
    async () => {
      const admin = new FakeKafkaAdmin().setEnd("t", 0, 1_000).setEnd("t", 1, 10)
        .setGroup("old-backlog", [{ topic: "t", partition: 0, offset: 200 }])
        .setGroup("recent", [{ topic: "t", partition: 1, offset: 12 }]);
      admin.recordTimes.set("t/0/200", T0 - 3_600_000);
      const deps = setup(admin);
      admin.clock = T0;
      let snapshot = await collectCluster(clusterConfig(), deps);
      assertEquals(methodsOf(snapshot), {
        "old-backlog": [[3_600, "record-timestamp"]],
        recent: [[0, "caught-up"]],
      });
      // Record 12 and 13 arrive after the first observation: interpolation can date them.
      admin.clock = T0 + 10_000;
      admin.setEnd("t", 1, 14);
      admin.setEnd("t", 0, 1_010);
      snapshot = await collectCluster(clusterConfig(), deps);
      assertEquals(methodsOf(snapshot), {
        "old-backlog": [[3_610, "record-timestamp"]],
        recent: [[3.75, "interpolated"]],
      });
      // The stuck consumer's record came from the cache; nothing was read again.
      assertEquals(snapshot.recordLookups, lookups({ fetched: 0, found: 1 }));
      assertEquals(admin.calls.fetchRecordTimes, 1);
      assertEquals(snapshot.lagSecondsMethods, { "record-timestamp": 1, interpolated: 1 });
      assertEquals(snapshot.groupsWithEstimates, []);
    },
  );

  await t.step("a record that cannot be read is tried again after a minute", async () => {
    const admin = new FakeKafkaAdmin().setEnd("t", 0, 100)
      .setGroup("g", [{ topic: "t", partition: 0, offset: 10 }]);
    const deps = setup(admin);
    admin.clock = T0;
    let snapshot = await collectCluster(clusterConfig(), deps);
    assertEquals(snapshot.recordLookups, lookups({ fetched: 1, missing: 1 }));
    assertEquals(snapshot.lagSecondsMethods, { none: 1 });
    admin.clock = T0 + 30_000;
    snapshot = await collectCluster(clusterConfig(), deps);
    assertEquals(snapshot.recordLookups, lookups({ fetched: 0, missing: 1 }));
    admin.recordTimes.set("t/0/10", T0 - 1_000);
    admin.clock = T0 + MISSING_RETRY_MS;
    snapshot = await collectCluster(clusterConfig(), deps);
    assertEquals(snapshot.recordLookups, lookups({ fetched: 1, found: 1 }));
    assertEquals(methodsOf(snapshot), { g: [[61, "record-timestamp"]] });
  });

  await t.step("timestamps that cannot be production times are not trusted", async (t) => {
    const cases: Array<[string, number]> = [
      ["no timestamp (-1)", -1],
      ["before 2000", Date.UTC(1999, 11, 31)],
      ["further in the future than max_future_skew", T0 + 60_001],
    ];
    for (const [name, timestampMs] of cases) {
      await t.step(name, async () => {
        const admin = new FakeKafkaAdmin().setEnd("t", 0, 100)
          .setGroup("g", [{ topic: "t", partition: 0, offset: 10 }]);
        admin.recordTimes.set("t/0/10", timestampMs);
        admin.clock = T0;
        const snapshot = await collectCluster(exactMode(10), setup(admin));
        assertEquals(snapshot.recordLookups, lookups({ fetched: 1, untrusted: 1 }));
        assertEquals(snapshot.groups[0].partitions.lagSeconds(0), undefined);
      });
    }
  });

  await t.step(
    "records deleted before a group read them: offsets lag as usual, the loss reported, the oldest record's age as a lower bound",
    async () => {
      const admin = new FakeKafkaAdmin().setEnd("t", 0, 100).setEnd("t", 1, 100)
        .setGroup("behind", [{ topic: "t", partition: 0, offset: 10 }])
        .setGroup("ahead", [{ topic: "t", partition: 0, offset: 60 }, {
          topic: "t",
          partition: 1,
          offset: 5,
        }]);
      admin.logStarts.set("t/0", 50);
      admin.recordTimes.set("t/0/50", T0 - 35_000);
      admin.recordTimes.set("t/0/60", T0 - 30_000);
      admin.recordTimes.set("t/1/5", T0 - 40_000);
      admin.clock = T0;
      const deps = setup(admin);
      const snapshot = await collectCluster(exactMode(10), deps);
      const lags = Object.fromEntries(
        snapshot.groups.map((group) => [
          group.groupId,
          group.partitions.toArray().map((p) => [p.partition, p.lagOffsets, p.lagSeconds]),
        ]),
      );
      assertEquals(lags, {
        ahead: [[0, 40, 30], [1, 95, 40]],
        // The committed record is gone; the oldest one left (offset 50) is 35 s old.
        behind: [[0, 90, 35]],
      });
      assertEquals(methodsOf(snapshot).behind, [[35, "lower-bound"]]);
      assertEquals(snapshot.groupsWithEstimates, [{ groupId: "behind", partitions: 1 }]);
      assertEquals(snapshot.recordsLostToRetention, [
        { groupId: "behind", topic: "t", partition: 0, records: 40 },
      ]);
      // Each group's worst share of a retained log not read yet: t/1 for "ahead" (95 of 100).
      assertEquals(
        snapshot.groups.map((group) => [group.groupId, group.retentionRatio]),
        [["ahead", 0.95], ["behind", 1]],
      );
      // The deleted record is not asked for.
      assertEquals(snapshot.recordLookups, lookups({ fetched: 3, found: 3 }));
      // Next iteration: from the cache, still a lower bound.
      admin.clock = T0 + 1_000;
      const next = await collectCluster(exactMode(10), deps);
      assertEquals(methodsOf(next).behind, [[36, "lower-bound"]]);
    },
  );
});

Deno.test("a member with a malformed assignment is reported; its group is measured", async () => {
  const admin = new FakeKafkaAdmin().setEnd("t", 0, 5).setEnd("t", 1, 5);
  admin.setGroup("g", [{ topic: "t", partition: 0, offset: 1 }, {
    topic: "t",
    partition: 1,
    offset: 2,
  }]);
  const member = { instanceId: undefined, clientId: "c", host: "/h" };
  admin.descriptions.set("g", {
    state: "Stable",
    type: "classic",
    members: [
      { ...member, memberId: "ok", assignment: [{ topic: "t", partition: 0 }] },
      { ...member, memberId: "bad", assignment: [], assignmentError: "malformed assignment" },
    ],
  });
  const snapshot = await collectCluster(clusterConfig(), setup(admin));
  assertEquals(snapshot.groups.map((group) => group.groupId), ["g"]);
  assertEquals(snapshot.groups[0].activity?.state, "Stable");
  assertEquals(snapshot.groups[0].activity?.members.length, 2);
  assertEquals(snapshot.malformedAssignments, [
    { groupId: "g", memberId: "bad", detail: "malformed assignment" },
  ]);
});

Deno.test("unreadable committed records: estimate kept, counted, cached, logged once", async (t) => {
  const lines: string[] = [];
  const recording = createLogger({
    level: "info",
    format: "text",
    write: (line) => lines.push(line),
  });
  const iterate = async (admin: FakeKafkaAdmin, deps: CollectClusterDeps) => {
    admin.clock += 1_000;
    admin.setEnd("t", 0, 20 + admin.clock / 1_000);
    return await collectCluster(exactMode(10), deps);
  };
  await t.step("a bomb (too_large) or a malformed batch dates nothing, read once", async () => {
    const admin = new FakeKafkaAdmin().setEnd("t", 0, 20)
      .setGroup("bomb", [{ topic: "t", partition: 0, offset: 5 }])
      .setGroup("broken", [{ topic: "t", partition: 0, offset: 7 }]);
    admin.unreadableRecords.set("t/0/5", "too_large").set("t/0/7", "malformed");
    const deps = { ...setup(admin), logger: recording };
    admin.clock = T0;
    await iterate(admin, deps);
    let snapshot = await iterate(admin, deps);
    for (const group of snapshot.groups) {
      assertEquals(group.partitions.toArray()[0].lagSecondsMethod, "extrapolated");
    }
    snapshot = await iterate(admin, deps);
    assertEquals(snapshot.recordLookups, lookups({ tooLarge: 1, malformed: 1 }));
    assertEquals(admin.calls.fetchRecordTimes, 1);
    const warnings = lines.filter((line) => line.includes("batch is unreadable"));
    assertEquals(warnings.length, 2);
  });
  await t.step("a read failing as a whole warns once, and says when it works again", async () => {
    lines.length = 0;
    const admin = new FakeKafkaAdmin().setEnd("t", 0, 20)
      .setGroup("g", [{ topic: "t", partition: 0, offset: 5 }]);
    admin.failRecordTimes = new Error("fetch failed");
    const deps = { ...setup(admin), logger: recording };
    admin.clock = T0;
    for (let iteration = 0; iteration < 3; iteration++) await iterate(admin, deps);
    admin.failRecordTimes = undefined;
    admin.recordTimes.set("t/0/5", T0 - 60_000);
    await iterate(admin, deps);
    assertEquals(lines.filter((line) => line.includes("cannot read record timestamps")).length, 1);
    assertEquals(lines.filter((line) => line.includes("read again")).length, 1);
  });
});
