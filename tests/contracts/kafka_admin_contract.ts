/**
 * Behaviour every KafkaAdmin must have, run against the real kafkajs-backed admin on a real broker
 * and against the fake the unit tests use, so the fake cannot drift from Kafka: member-less and
 * unknown groups, the order of answers, topic filters, log-start offsets moved by deletion, and
 * record lookups inside, past and below the log.
 */
import { assert, assertEquals } from "../assert.ts";
import {
  type CommittedOffset,
  type KafkaAdmin,
  recordLookupKey,
} from "../../src/kafka/kafka_admin.ts";

/** What every implementation is seeded with before the cases run. */
export const CONTRACT_SCENARIO = {
  /** Records per partition of topic "orders" (3 partitions) and "audit" (1). */
  records: { orders: [6, 3, 0], audit: [4] } as Record<string, number[]>,
  /** CreateTime of record i of a partition: a fixed base plus i seconds. */
  timestampMs: (index: number) => Date.UTC(2026, 10, 28, 12) + index * 1_000,
  groups: {
    billing: [{ topic: "orders", partition: 0, offset: 2 }, {
      topic: "orders",
      partition: 1,
      offset: 3,
    }],
    auditors: [{ topic: "audit", partition: 0, offset: 1 }],
  } as Record<string, Array<{ topic: string; partition: number; offset: number }>>,
  /** Records deleted from the start of audit-0 (DeleteRecords / retention). */
  auditLogStart: 2,
};

/** Registers the cases for one implementation; `createAdmin` gives an admin over the scenario. */
export function runKafkaAdminContract(
  implementation: string,
  createAdmin: () => Promise<{ admin: KafkaAdmin; close(): Promise<void> }>,
): void {
  Deno.test({
    name: `KafkaAdmin contract: ${implementation}`,
    fn: async (t) => {
      const { admin, close } = await createAdmin();
      try {
        await t.step(
          "lists every group with committed offsets, member-less ones included",
          async () => {
            const listed = await admin.listGroups();
            const ids = listed.groups.map((group) => group.groupId);
            for (const groupId of Object.keys(CONTRACT_SCENARIO.groups)) {
              assert(ids.includes(groupId), `${groupId} not listed: ${ids}`);
              const listing = listed.groups.find((group) => group.groupId === groupId)!;
              assertEquals([listing.state, listing.type], ["Empty", "classic"]);
            }
            assertEquals(listed.unreachableBrokers, []);
          },
        );

        await t.step(
          "describes member-less groups as Empty and unknown ones as Dead, in the order asked",
          async () => {
            const listed = await admin.listGroups();
            const billing = listed.groups.find((group) => group.groupId === "billing")!;
            const answers = await admin.describeGroups([
              { groupId: "unknown-group" },
              billing,
              { groupId: "auditors" },
            ], 2);
            assertEquals(answers, [
              { groupId: "unknown-group", state: "Dead", type: "classic", members: [] },
              { groupId: "billing", state: "Empty", type: "classic", members: [] },
              { groupId: "auditors", state: "Empty", type: "classic", members: [] },
            ]);
          },
        );

        await t.step(
          "committed offsets come back in the order asked; an unknown group has none",
          async () => {
            const asked = ["unknown-group", "auditors", "billing"];
            const answers = await admin.fetchCommittedOffsets(asked, 2);
            assertEquals(answers.map((answer) => answer.groupId), asked);
            assertEquals(answers.map((answer) => answer.error), [undefined, undefined, undefined]);
            assertEquals(answers[0].offsets, []);
            const sorted = (offsets: readonly CommittedOffset[] | undefined) =>
              [...offsets!].sort((a, b) =>
                a.topic.localeCompare(b.topic) || a.partition - b.partition
              );
            assertEquals(sorted(answers[1].offsets), CONTRACT_SCENARIO.groups.auditors);
            assertEquals(sorted(answers[2].offsets), CONTRACT_SCENARIO.groups.billing);
          },
        );

        await t.step(
          "committed offsets heard as they come are handed over, not kept in the answers",
          async () => {
            const heard = new Map<string, readonly CommittedOffset[]>();
            const asked = ["unknown-group", "auditors", "billing"];
            const answers = await admin.fetchCommittedOffsets(asked, 2, {
              onOffsets: ({ groupId, offsets }) => heard.set(groupId, offsets),
            });
            // Heard before the promise settles, each group once.
            assertEquals([...heard.keys()].toSorted(), asked.toSorted());
            assertEquals(answers, asked.map((groupId) => ({ groupId, handedOver: true })));
            assertEquals(heard.get("unknown-group"), []);
            const sorted = (groupId: string) =>
              [...heard.get(groupId)!].sort((a, b) =>
                a.topic.localeCompare(b.topic) || a.partition - b.partition
              );
            assertEquals(sorted("auditors"), CONTRACT_SCENARIO.groups.auditors);
            assertEquals(sorted("billing"), CONTRACT_SCENARIO.groups.billing);
          },
        );

        await t.step(
          "end offsets of every partition of the topics accepted, with log starts",
          async () => {
            const { offsets, unavailable } = await admin.fetchEndOffsets((topic) =>
              topic === "orders" || topic === "audit"
            );
            assertEquals(unavailable, []);
            const byPartition = offsets
              .map(({ topic, partition, offset, logStartOffset }) =>
                `${topic}-${partition}: ${logStartOffset}..${offset}`
              ).sort();
            assertEquals(byPartition, [
              `audit-0: ${CONTRACT_SCENARIO.auditLogStart}..4`,
              "orders-0: 0..6",
              "orders-1: 0..3",
              "orders-2: 0..0",
            ]);
            const onlyAudit = await admin.fetchEndOffsets((topic) => topic === "audit");
            assertEquals(onlyAudit.offsets.map((offset) => offset.topic), ["audit"]);
          },
        );

        await t.step(
          "record times: found inside the log, missing past its end and below its start",
          async () => {
            const lookups = [
              { topic: "orders", partition: 0, offset: 0 },
              { topic: "orders", partition: 0, offset: 5 },
              { topic: "orders", partition: 1, offset: 2 },
              { topic: "orders", partition: 1, offset: 3 }, // the end: no record yet
              { topic: "audit", partition: 0, offset: 0 }, // deleted
              { topic: "audit", partition: 0, offset: 3 },
            ];
            await admin.fetchEndOffsets(() => true); // leaders are known from this iteration
            const times = await admin.fetchRecordTimes(lookups);
            const found = lookups.map((lookup) => {
              const time = times.get(recordLookupKey(lookup));
              return time && "timestampMs" in time ? time.timestampMs : undefined;
            });
            const at = CONTRACT_SCENARIO.timestampMs;
            assertEquals(found, [at(0), at(5), at(2), undefined, undefined, at(3)]);
          },
        );
      } finally {
        await close();
      }
    },
  });
}
