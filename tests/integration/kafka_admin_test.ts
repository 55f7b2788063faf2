/**
 * The Kafka admin against a real broker: committed offsets of many groups with batched
 * FindCoordinator v4 / OffsetFetch v8 requests, the same answers from the per-group kafkajs path,
 * and that path chosen by itself on a Kafka 2.8 broker (OffsetFetch v8 came with 3.0).
 */
import { assert, assertEquals } from "../assert.ts";
import { startKafka } from "../harness/kafka.ts";
import { runCli, writeConfig } from "../harness/exporter.ts";
import {
  commitManyGroups,
  createTopic,
  type GroupCommit,
  produce,
  withAdmin,
} from "../harness/kafka_fixtures.ts";
import { CONTRACT_SCENARIO, runKafkaAdminContract } from "../contracts/kafka_admin_contract.ts";
import { realKafkaAdmin } from "../harness/real_admin.ts";
import type { GroupOffsets } from "../../src/kafka/kafka_admin.ts";

/** A TCP relay listening on [::1] that forwards every connection to `target` (host:port). */
function relayFromIpv6(target: string) {
  const [hostname, port] = target.split(":");
  const listener = Deno.listen({ hostname: "::1", port: 0 });
  const open = new Set<Deno.Conn>();
  let accepted = 0;
  (async () => {
    for await (const inbound of listener) {
      accepted++;
      const outbound = await Deno.connect({ hostname, port: Number(port) });
      open.add(inbound).add(outbound);
      inbound.readable.pipeTo(outbound.writable).catch(() => {});
      outbound.readable.pipeTo(inbound.writable).catch(() => {});
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    connections: () => accepted,
    [Symbol.asyncDispose]: () => {
      listener.close();
      for (const conn of open) {
        try {
          conn.close();
        } catch { /* already closed by its peer */ }
      }
      return Promise.resolve();
    },
  };
}

// The same contract as the fake's, on a real broker seeded with the same scenario.
runKafkaAdminContract("kafkajs on a real broker", async () => {
  const broker = await startKafka();
  const bootstrap = broker.bootstrap;
  for (const [topic, counts] of Object.entries(CONTRACT_SCENARIO.records)) {
    await createTopic(bootstrap, topic, counts.length);
    await produce(bootstrap, topic, counts, (_, index) => CONTRACT_SCENARIO.timestampMs(index));
  }
  await commitManyGroups(
    bootstrap,
    Object.entries(CONTRACT_SCENARIO.groups).map(([groupId, offsets]) => ({ groupId, offsets })),
  );
  await withAdmin(bootstrap, async (kafkaAdmin) => {
    await kafkaAdmin.fetchTopicMetadata({ topics: ["audit"] });
    await kafkaAdmin.deleteTopicRecords({
      topic: "audit",
      partitions: [{ partition: 0, offset: String(CONTRACT_SCENARIO.auditLogStart) }],
    });
  });
  const { admin } = realKafkaAdmin(bootstrap);
  return {
    admin,
    close: async () => {
      await admin.close();
      await broker[Symbol.asyncDispose]();
    },
  };
});

const sortedOffsets = (answer: GroupOffsets) =>
  (answer.offsets ?? []).toSorted((a, b) =>
    a.topic.localeCompare(b.topic) || a.partition - b.partition
  );

const GROUPS = 1_201; // three OffsetFetch v8 requests of up to 500 groups, two FindCoordinator

Deno.test({
  name: "committed offsets of many groups from a real broker",
  fn: async (t) => {
    await using broker = await startKafka();
    await createTopic(broker.bootstrap, "alpha", 3);
    await createTopic(broker.bootstrap, "beta", 2);
    const commits: GroupCommit[] = Array.from({ length: GROUPS }, (_, index) => ({
      groupId: `group-${index}`,
      offsets: [
        { topic: "alpha", partition: index % 3, offset: index },
        ...(index % 2 === 0 ? [{ topic: "beta", partition: 1, offset: index * 2 }] : []),
      ],
    }));
    await commitManyGroups(broker.bootstrap, commits);
    const asked = [...commits.map((commit) => commit.groupId), "never-committed"];
    const expected = new Map(commits.map((commit) => [commit.groupId, commit.offsets]));
    expected.set("never-committed", []);

    const adminWith = (groupBatching: boolean) =>
      realKafkaAdmin(broker.bootstrap, { groupBatching });
    const checkAnswers = (answers: GroupOffsets[]) => {
      assertEquals(answers.map((answer) => answer.groupId), asked);
      for (const answer of answers) {
        assertEquals(answer.error, undefined, `${answer.groupId}: ${answer.error}`);
        assertEquals(sortedOffsets(answer), expected.get(answer.groupId), answer.groupId);
      }
    };

    await t.step("batched: a few requests for all groups, coordinators remembered", async () => {
      const { admin, requests } = adminWith(true);
      try {
        checkAnswers(await admin.fetchCommittedOffsets(asked, 4));
        assertEquals([requests.FindCoordinator, requests.OffsetFetch], [2, 3]);
        checkAnswers(await admin.fetchCommittedOffsets(asked, 4));
        assertEquals([requests.FindCoordinator, requests.OffsetFetch], [2, 6]);
      } finally {
        await admin.close();
      }
    });

    await t.step("per group (brokers before 3.0): the same answers", async () => {
      const { admin, requests } = adminWith(false);
      try {
        checkAnswers(await admin.fetchCommittedOffsets(asked, 16));
        assertEquals([requests.FindCoordinator, requests.OffsetFetch], [GROUPS + 1, GROUPS + 1]);
      } finally {
        await admin.close();
      }
    });

    await t.step("an IPv6 seed broker ([::1]:port) bootstraps the client", async () => {
      // kafkajs splits seeds at the first ':'; the seed reaches the broker through a relay on
      // [::1], and the broker's metadata (127.0.0.1) is used from then on.
      await using relay = relayFromIpv6(broker.bootstrap);
      const { admin } = realKafkaAdmin(`[::1]:${relay.port}`);
      try {
        checkAnswers(await admin.fetchCommittedOffsets(asked, 4));
        assert(relay.connections() > 0, "the seed connection went through [::1]");
      } finally {
        await admin.close();
      }
    });
  },
});

Deno.test({
  name: "a Kafka 2.8 broker gets one OffsetFetch per group, and --once measures it",
  fn: async () => {
    await using broker = await startKafka({ version: "2.8.2" });
    await createTopic(broker.bootstrap, "legacy", 2);
    await produce(broker.bootstrap, "legacy", [8, 5]);
    const commits: GroupCommit[] = Array.from({ length: 40 }, (_, index) => ({
      groupId: `old-${index}`,
      offsets: [{ topic: "legacy", partition: index % 2, offset: index % 5 }],
    }));
    await commitManyGroups(broker.bootstrap, commits);

    const { admin, requests } = realKafkaAdmin(broker.bootstrap); // batching on: the default
    try {
      const answers = await admin.fetchCommittedOffsets(commits.map((c) => c.groupId), 8);
      for (const [index, answer] of answers.entries()) {
        assertEquals(answer.error, undefined, `${answer.groupId}: ${answer.error}`);
        assertEquals(sortedOffsets(answer), commits[index].offsets, answer.groupId);
      }
      assertEquals(requests.OffsetFetch, commits.length);
    } finally {
      await admin.close();
    }

    const configPath = await writeConfig({
      kafka_clusters: [{ name: "legacy", brokers: [broker.bootstrap] }],
    });
    const once = await runCli(["--once", "--format", "json", "-c", configPath]);
    await Deno.remove(configPath);
    assertEquals(once.code, 0, once.stderr);
    const report = JSON.parse(once.stdout);
    assertEquals(report.clusters[0].groups.length, commits.length);
    const old7 = report.clusters[0].groups.find((g: { group: string }) => g.group === "old-7");
    assert(old7, once.stdout.slice(0, 500));
    // partition 1 has 5 records; old-7 committed 2
    assertEquals(
      old7.partitions.map((p: { committed: number; latest: number; lag: number }) => [
        p.committed,
        p.latest,
        p.lag,
      ]),
      [[2, 5, 3]],
    );
  },
});
