/** The fake admin the unit tests use passes the same contract as the real one. */
import { CONTRACT_SCENARIO, runKafkaAdminContract } from "../contracts/kafka_admin_contract.ts";
import { FakeKafkaAdmin } from "./fake_kafka_admin.ts";

runKafkaAdminContract("fake", () => {
  const admin = new FakeKafkaAdmin();
  for (const [topic, counts] of Object.entries(CONTRACT_SCENARIO.records)) {
    counts.forEach((count, partition) => {
      admin.setEnd(topic, partition, count);
      for (let index = 0; index < count; index++) {
        admin.recordTimes.set(
          `${topic}/${partition}/${index}`,
          CONTRACT_SCENARIO.timestampMs(index),
        );
      }
    });
  }
  for (const [groupId, offsets] of Object.entries(CONTRACT_SCENARIO.groups)) {
    admin.setGroup(groupId, offsets);
  }
  admin.logStarts.set("audit/0", CONTRACT_SCENARIO.auditLogStart);
  return Promise.resolve({ admin, close: () => admin.close() });
});
