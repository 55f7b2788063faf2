/** collectCluster() on the fake admin: filters, ownership, partial failures, carry-over. */
import { assertEquals, assertRejects, assertStringIncludes } from "../../tests/assert.ts";
import { KafkaAuthorizationError } from "../kafka/kafka_admin.ts";
import { FakeKafkaAdmin } from "../../tests/fakes/fake_kafka_admin.ts";
import { clusterConfig, setup, T0 } from "../../tests/fakes/collect_cluster_setup.ts";
import { compileNameFilter } from "../config/schema/name_filter.ts";
import type { ClusterSnapshot } from "./cluster_snapshot.ts";
import { GROUP_CARRY_OVER_MS, LastSeenGroups } from "./last_seen_groups.ts";
import { collectCluster } from "./collect_cluster.ts";

Deno.test("collectCluster()", async (t) => {
  await t.step("offsets lag per partition, aggregates per topic and group", async () => {
    const admin = new FakeKafkaAdmin()
      .setEnd("orders", 0, 100).setEnd("orders", 1, 50).setEnd("audit", 0, 9)
      .setGroup("g", [
        { topic: "orders", partition: 0, offset: 90 },
        { topic: "orders", partition: 1, offset: 50 },
        { topic: "audit", partition: 0, offset: 4 },
      ]);
    const snapshot = await collectCluster(clusterConfig(), setup(admin));
    const [group] = snapshot.groups;
    assertEquals(group.partitions.toArray().map((p) => [p.topic, p.partition, p.lagOffsets]), [
      ["audit", 0, 5],
      ["orders", 0, 10],
      ["orders", 1, 0],
    ]);
    assertEquals(group.total?.sumLagOffsets, 15);
    assertEquals(group.topics.find((topic) => topic.topic === "orders")?.maxLagOffsets, 10);
    assertEquals(snapshot.groupsChecked, 1);
  });

  await t.step("end offsets and committed offsets are asked for once for all groups", async () => {
    const admin = new FakeKafkaAdmin().setEnd("t", 0, 10);
    for (const groupId of ["a", "b", "c", "d", "e"]) {
      admin.setGroup(groupId, [{ topic: "t", partition: 0, offset: 1 }]);
    }
    await collectCluster(clusterConfig(), setup(admin));
    assertEquals(admin.calls.fetchEndOffsets, 1);
    assertEquals(admin.calls.fetchCommittedOffsets, 1);
  });

  await t.step("groups are measured whether or not the admin announces each answer", async () => {
    const admin = new FakeKafkaAdmin().setEnd("t", 0, 10);
    for (const groupId of ["c", "a", "b"]) {
      admin.setGroup(groupId, [{ topic: "t", partition: 0, offset: 4 }]);
    }
    const silent = Object.create(admin) as FakeKafkaAdmin;
    silent.fetchCommittedOffsets = (groupIds, concurrency) =>
      admin.fetchCommittedOffsets(groupIds, concurrency);
    for (const asked of [admin, silent]) {
      const snapshot = await collectCluster(clusterConfig(), setup(asked));
      assertEquals(
        snapshot.groups.map((group) => [group.groupId, group.total?.sumLagOffsets]),
        [["a", 6], ["b", 6], ["c", 6]],
      );
    }
  });

  await t.step("partitions without a commit and deleted topics give no series", async () => {
    const admin = new FakeKafkaAdmin().setEnd("t", 0, 10).setGroup("g", [
      { topic: "t", partition: 0, offset: -1 },
      { topic: "gone", partition: 0, offset: 3 },
    ]);
    const snapshot = await collectCluster(clusterConfig(), setup(admin));
    assertEquals(snapshot.groups, []);
    assertEquals(snapshot.groupsChecked, 1);
  });

  await t.step("whitelist wins over blacklist; topic filter applies", async () => {
    const admin = new FakeKafkaAdmin().setEnd("keep", 0, 5).setEnd("drop", 0, 5);
    for (const groupId of ["app-1", "app-test", "other"]) {
      admin.setGroup(groupId, [{ topic: "keep", partition: 0, offset: 1 }, {
        topic: "drop",
        partition: 0,
        offset: 1,
      }]);
    }
    const snapshot = await collectCluster(
      clusterConfig({
        groupFilter: compileNameFilter("^app-", "test"),
        topicFilter: compileNameFilter(undefined, ["^drop$"]),
      }),
      setup(admin),
    );
    assertEquals(snapshot.groups.map((group) => group.groupId), ["app-1", "app-test"]);
    assertEquals(snapshot.groups[0].partitions.toArray().map((p) => p.topic), ["keep"]);
  });

  await t.step(
    "a snapshot keeps its groups in id order, whatever order they answer in",
    async () => {
      const admin = new FakeKafkaAdmin().setEnd("t", 0, 5);
      for (const groupId of ["zeta", "alpha", "Mid", "beta"]) {
        admin.setGroup(groupId, [{ topic: "t", partition: 0, offset: 1 }]);
      }
      const snapshot = await collectCluster(clusterConfig(), setup(admin));
      // Code-unit order, as the JSON API's pages and binary search assume.
      assertEquals(snapshot.groups.map((group) => group.groupId), ["Mid", "alpha", "beta", "zeta"]);
    },
  );

  await t.step("groups matching the filters count before sharing among instances", async () => {
    const admin = new FakeKafkaAdmin().setEnd("t", 0, 5);
    for (const groupId of ["a", "b", "c", "skip-me"]) {
      admin.setGroup(groupId, [{ topic: "t", partition: 0, offset: 1 }]);
    }
    const snapshot = await collectCluster(
      clusterConfig({ groupFilter: compileNameFilter(undefined, "^skip-") }),
      {
        ...setup(admin),
        // Another instance owns "b" and "c".
        selectOwnedGroups: (_cluster, groupIds) =>
          Promise.resolve(groupIds.filter((groupId) => groupId === "a")),
      },
    );
    assertEquals(snapshot.groupsMatchingFilters, 3);
    assertEquals(snapshot.groupsChecked, 1);
  });

  await t.step("blacklist alone skips matching groups", async () => {
    const admin = new FakeKafkaAdmin().setEnd("t", 0, 5);
    for (const groupId of ["a", "test-a"]) {
      admin.setGroup(groupId, [{ topic: "t", partition: 0, offset: 1 }]);
    }
    const snapshot = await collectCluster(
      clusterConfig({ groupFilter: compileNameFilter(undefined, "^test-") }),
      setup(admin),
    );
    assertEquals(snapshot.groups.map((group) => group.groupId), ["a"]);
    assertEquals(snapshot.groupsMatchingFilters, 1);
  });

  await t.step("a group that cannot be read is skipped, the others are measured", async () => {
    const admin = new FakeKafkaAdmin().setEnd("t", 0, 5);
    for (const groupId of ["a", "b"]) {
      admin.setGroup(groupId, [{ topic: "t", partition: 0, offset: 1 }]);
    }
    admin.failGroups.set("a", new Error("NOT_COORDINATOR"));
    const snapshot = await collectCluster(clusterConfig(), setup(admin));
    assertEquals(snapshot.groups.map((group) => group.groupId), ["b"]);
    // Reported in the snapshot (metric, one log line per change), not warned per iteration.
    assertEquals(snapshot.unreadGroups, [{ groupId: "a", detail: "NOT_COORDINATOR" }]);
  });

  await t.step(
    "a group the principal may not describe is left out, never the cluster",
    async () => {
      const admin = new FakeKafkaAdmin().setEnd("t", 0, 5);
      for (const groupId of ["a", "b"]) {
        admin.setGroup(groupId, [{ topic: "t", partition: 0, offset: 1 }]);
      }
      admin.failGroups.set("b", new KafkaAuthorizationError("Describe on the consumer groups"));
      const snapshot = await collectCluster(clusterConfig(), setup(admin));
      assertEquals(snapshot.groups.map((group) => group.groupId), ["a"]);
      assertEquals(snapshot.unreadGroups?.map((group) => group.groupId), ["b"]);
      assertStringIncludes(snapshot.unreadGroups![0].detail, "Describe on the consumer groups");
    },
  );

  await t.step("no group readable at all is a missing ACL: the cluster fails", async () => {
    const admin = new FakeKafkaAdmin().setEnd("t", 0, 5);
    for (const groupId of ["a", "b"]) {
      admin.setGroup(groupId, [{ topic: "t", partition: 0, offset: 1 }]);
      admin.failGroups.set(groupId, new KafkaAuthorizationError("Describe on the consumer groups"));
    }
    const error = await assertRejects(
      () => collectCluster(clusterConfig(), setup(admin)),
      KafkaAuthorizationError,
    );
    assertStringIncludes(error.message, "Describe on the consumer groups");
  });

  await t.step(
    "a group whose coordinator cannot answer keeps its last committed offsets for a bounded time",
    async () => {
      const admin = new FakeKafkaAdmin().setEnd("t", 0, 10)
        .setGroup("a", [{ topic: "t", partition: 0, offset: 4 }])
        .setGroup("b", [{ topic: "t", partition: 0, offset: 6 }]);
      const deps = { ...setup(admin), lastSeenGroups: new LastSeenGroups() };
      admin.clock = T0;
      await collectCluster(clusterConfig(), deps);
      // The coordinator of "a" moves: its offsets cannot be read, the end offset moves on.
      admin.failGroups.set("a", new Error("COORDINATOR_LOAD_IN_PROGRESS"));
      admin.setEnd("t", 0, 15);
      const lags = (snapshot: ClusterSnapshot) =>
        snapshot.groups.map((group) => [group.groupId, group.partitions.lagOffsets(0)]);
      admin.clock = T0 + 1_000;
      let snapshot = await collectCluster(clusterConfig(), deps);
      assertEquals(lags(snapshot), [["a", 11], ["b", 9]]);
      assertEquals(snapshot.carriedGroups, [
        { groupId: "a", sinceMs: T0 + 1_000, detail: "COORDINATOR_LOAD_IN_PROGRESS" },
      ]);
      assertEquals(snapshot.unreadGroups, []);
      admin.clock = T0 + 1_000 + GROUP_CARRY_OVER_MS;
      snapshot = await collectCluster(clusterConfig(), deps);
      assertEquals(lags(snapshot), [["a", 11], ["b", 9]]);
      // Past the bound: no series, reported as not measured.
      admin.clock = T0 + 1_001 + GROUP_CARRY_OVER_MS;
      snapshot = await collectCluster(clusterConfig(), deps);
      assertEquals(lags(snapshot), [["b", 9]]);
      assertEquals(snapshot.unreadGroups?.map((group) => group.groupId), ["a"]);
      // Read again: measured as usual, and a later failure starts a new bound.
      admin.failGroups.delete("a");
      admin.clock = T0 + 2_000 + GROUP_CARRY_OVER_MS;
      snapshot = await collectCluster(clusterConfig(), deps);
      assertEquals(lags(snapshot), [["a", 11], ["b", 9]]);
      assertEquals(snapshot.carriedGroups, []);
    },
  );

  await t.step(
    "a partition whose leader cannot be read has no series; the others are measured",
    async () => {
      const admin = new FakeKafkaAdmin().setEnd("t", 0, 10).setEnd("t", 1, 10)
        .setGroup("g", [{ topic: "t", partition: 0, offset: 5 }, {
          topic: "t",
          partition: 1,
          offset: 5,
        }]);
      admin.unavailable.set("t/1", "leader-unreachable");
      const snapshot = await collectCluster(clusterConfig(), setup(admin));
      assertEquals(snapshot.groups[0].partitions.toArray().map((p) => p.partition), [0]);
      assertEquals(snapshot.unavailablePartitions?.map((p) => [p.partition, p.reason]), [
        [1, "leader-unreachable"],
      ]);
    },
  );

  await t.step(
    "a group missing from ListGroups (its coordinator moving) is measured for a bounded time",
    async () => {
      const admin = new FakeKafkaAdmin().setEnd("t", 0, 10)
        .setGroup("a", [{ topic: "t", partition: 0, offset: 5 }])
        .setGroup("b", [{ topic: "t", partition: 0, offset: 7 }]);
      const deps = { ...setup(admin), lastSeenGroups: new LastSeenGroups() };
      admin.clock = T0;
      await collectCluster(clusterConfig(), deps);
      admin.unlistedGroups.add("b");
      admin.clock = T0 + GROUP_CARRY_OVER_MS;
      let snapshot = await collectCluster(clusterConfig(), deps);
      assertEquals(snapshot.groups.map((group) => group.groupId), ["a", "b"]);
      assertEquals(snapshot.groupsChecked, 2);
      assertEquals(snapshot.unlistedBrokers?.length, 1);
      admin.clock = T0 + GROUP_CARRY_OVER_MS + 1;
      snapshot = await collectCluster(clusterConfig(), deps);
      assertEquals(snapshot.groups.map((group) => group.groupId), ["a"]);
    },
  );

  await t.step(
    "a deleted group is asked for again but has no series and is not counted",
    async () => {
      const admin = new FakeKafkaAdmin().setEnd("t", 0, 10)
        .setGroup("a", [{ topic: "t", partition: 0, offset: 5 }])
        .setGroup("gone", [{ topic: "t", partition: 0, offset: 7 }]);
      const deps = { ...setup(admin), lastSeenGroups: new LastSeenGroups() };
      admin.clock = T0;
      await collectCluster(clusterConfig(), deps);
      admin.groups.delete("gone");
      admin.clock = T0 + 1_000;
      const snapshot = await collectCluster(clusterConfig(), deps);
      assertEquals(snapshot.groups.map((group) => group.groupId), ["a"]);
      assertEquals(snapshot.groupsChecked, 1);
    },
  );

  await t.step("a cluster that cannot list groups fails the iteration", async () => {
    const admin = new FakeKafkaAdmin();
    admin.failListGroups = new Error("connection refused");
    let failed = false;
    await collectCluster(clusterConfig(), setup(admin)).catch(() => failed = true);
    assertEquals(failed, true);
  });
});
