/** An in-memory KafkaAdmin for unit tests of collection logic (never a stand-in for real Kafka tests). */
import type {
  CommittedOffset,
  GroupListing,
  KafkaAdmin,
  LatestOffset,
} from "../../src/kafka/kafka_admin.ts";

/** A scripted cluster: groups with committed offsets, and end offsets per partition. */
export class FakeKafkaAdmin implements KafkaAdmin {
  groups = new Map<string, CommittedOffset[]>();
  endOffsets = new Map<string, number>();
  failListGroups?: Error;
  failGroups = new Set<string>();
  clock = 0;
  calls = { listGroups: 0, fetchCommittedOffsets: 0, fetchLatestOffsets: 0, close: 0 };

  /** Sets a partition's end offset. */
  setEnd(topic: string, partition: number, offset: number): this {
    this.endOffsets.set(`${topic}/${partition}`, offset);
    return this;
  }

  /** Sets a group's committed offsets. */
  setGroup(groupId: string, offsets: CommittedOffset[]): this {
    this.groups.set(groupId, offsets);
    return this;
  }

  listGroups(): Promise<GroupListing[]> {
    this.calls.listGroups++;
    if (this.failListGroups) return Promise.reject(this.failListGroups);
    return Promise.resolve(
      [...this.groups.keys()].map((groupId) => ({ groupId, protocolType: "consumer" })),
    );
  }

  fetchCommittedOffsets(groupId: string): Promise<CommittedOffset[]> {
    this.calls.fetchCommittedOffsets++;
    if (this.failGroups.has(groupId)) {
      return Promise.reject(new Error(`coordinator of ${groupId} unavailable`));
    }
    return Promise.resolve(this.groups.get(groupId) ?? []);
  }

  fetchLatestOffsets(includeTopic: (topic: string) => boolean): Promise<LatestOffset[]> {
    this.calls.fetchLatestOffsets++;
    const offsets: LatestOffset[] = [];
    for (const [key, offset] of this.endOffsets) {
      const [topic, partition] = key.split("/");
      if (includeTopic(topic)) {
        offsets.push({ topic, partition: Number(partition), offset, observedAtMs: this.clock });
      }
    }
    return Promise.resolve(offsets);
  }

  close(): Promise<void> {
    this.calls.close++;
    return Promise.resolve();
  }
}
