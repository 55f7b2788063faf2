import { assertEquals } from "../../../tests/assert.ts";
import { type DecodedMetadata, tolerantMetadataParse } from "./metadata_patch.ts";

const partition = (partitionId: number, leader: number, partitionErrorCode = 0) => ({
  partitionErrorCode,
  partitionId,
  leader,
});

Deno.test("tolerantMetadataParse()", async (t) => {
  const response: DecodedMetadata = {
    topicMetadata: [
      {
        topicErrorCode: 0,
        topic: "healthy",
        partitionMetadata: [partition(0, 1), partition(1, 2)],
      },
      {
        topicErrorCode: 0,
        topic: "degraded",
        partitionMetadata: [
          partition(0, 1, 9), // REPLICA_NOT_AVAILABLE: the leader is fine
          partition(1, 3, 5), // LEADER_NOT_AVAILABLE
          partition(2, 2, 76), // any other error: no usable leader
        ],
      },
      { topicErrorCode: 3, topic: "being-deleted", partitionMetadata: [] },
    ],
  };
  const parsed = tolerantMetadataParse(response);
  await t.step("keeps healthy topics as they are", () => {
    assertEquals(parsed.topicMetadata[0], response.topicMetadata[0]);
  });
  await t.step("keeps a partition whose only problem is an offline replica", () => {
    assertEquals(parsed.topicMetadata[1].partitionMetadata[0].leader, 1);
  });
  await t.step("marks partitions without a usable leader with leader -1", () => {
    assertEquals(parsed.topicMetadata[1].partitionMetadata.slice(1).map((p) => p.leader), [-1, -1]);
  });
  await t.step("drops topics with a topic-level error", () => {
    assertEquals(parsed.topicMetadata.map((topic) => topic.topic), ["healthy", "degraded"]);
  });
});
