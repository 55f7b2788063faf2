/** An in-memory KafkaAdmin for unit tests of collection logic (never a stand-in for real Kafka tests). */
import {
  type CommittedOffset,
  type CommittedOffsetsOptions,
  type EndOffset,
  type EndOffsets,
  type GroupDescription,
  type GroupListing,
  type GroupListings,
  type GroupMember,
  type GroupOffsets,
  type KafkaAdmin,
  type RecordLookup,
  recordLookupKey,
  type RecordTime,
  type RecordUnreadable,
  type UnavailablePartition,
} from "../../src/kafka/kafka_admin.ts";

/** A scripted cluster: groups with committed offsets, and end offsets per partition. */
export class FakeKafkaAdmin implements KafkaAdmin {
  groups = new Map<string, CommittedOffset[]>();
  endOffsets = new Map<string, number>();
  /** Log-start offset per "topic/partition" (0 when not set), as retention moves it. */
  logStarts = new Map<string, number>();
  /** CreateTime per "topic/partition/offset", for exact mode. */
  recordTimes = new Map<string, number>();
  /** Records whose batch is malformed or too large, per "topic/partition/offset". */
  unreadableRecords = new Map<string, RecordUnreadable["unreadable"]>();
  failRecordTimes?: Error;
  failListGroups?: Error;
  /** Groups whose committed offsets cannot be read, with the error they carry. */
  failGroups = new Map<string, Error>();
  /** Groups a down broker coordinates: missing from ListGroups, which then reports a failure. */
  unlistedGroups = new Set<string>();
  /** Partitions reported unavailable (left out of the end offsets). */
  unavailable = new Map<string, UnavailablePartition["reason"]>();
  /** State, type and members of groups that have some (the others are Empty classic groups). */
  descriptions = new Map<string, { state: string; type: string; members: GroupMember[] }>();
  /** Groups that cannot be described, with the error they carry. */
  failDescribe = new Map<string, Error>();
  clock = 0;
  calls = {
    listGroups: 0,
    describeGroups: 0,
    fetchCommittedOffsets: 0,
    fetchEndOffsets: 0,
    fetchRecordTimes: 0,
    close: 0,
  };

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

  listGroups(): Promise<GroupListings> {
    this.calls.listGroups++;
    if (this.failListGroups) return Promise.reject(this.failListGroups);
    return Promise.resolve({
      groups: [...this.groups.keys()]
        .filter((groupId) => !this.unlistedGroups.has(groupId))
        .map((groupId) => ({
          groupId,
          state: this.descriptions.get(groupId)?.state ?? "Empty",
          type: this.descriptions.get(groupId)?.type ?? "classic",
        })),
      unreachableBrokers: this.unlistedGroups.size > 0
        ? [{ nodeId: "2", detail: "connection refused" }]
        : [],
    });
  }

  fetchCommittedOffsets(
    groupIds: readonly string[],
    _concurrency: number,
    { onOffsets }: CommittedOffsetsOptions = {},
  ): Promise<GroupOffsets[]> {
    this.calls.fetchCommittedOffsets++;
    return Promise.resolve(
      groupIds.map((groupId) => {
        if (this.failGroups.has(groupId)) return { groupId, error: this.failGroups.get(groupId)! };
        const answer = { groupId, offsets: [...(this.groups.get(groupId) ?? [])] };
        if (!onOffsets) return answer;
        onOffsets(answer);
        return { groupId, handedOver: true as const };
      }),
    );
  }

  describeGroups(groups: readonly GroupListing[]): Promise<GroupDescription[]> {
    this.calls.describeGroups++;
    return Promise.resolve(groups.map(({ groupId }): GroupDescription => {
      const error = this.failDescribe.get(groupId);
      if (error) return { groupId, error };
      const described = this.descriptions.get(groupId);
      if (described) return { groupId, ...described };
      // As Kafka answers: a group with offsets and no members is Empty, an unknown one Dead.
      const state = this.groups.has(groupId) ? "Empty" : "Dead";
      return { groupId, state, type: "classic", members: [] };
    }));
  }

  fetchEndOffsets(includeTopic: (topic: string) => boolean): Promise<EndOffsets> {
    this.calls.fetchEndOffsets++;
    const offsets: EndOffset[] = [];
    const unavailable: UnavailablePartition[] = [];
    for (const [key, offset] of this.endOffsets) {
      const [topic, partition] = key.split("/");
      if (!includeTopic(topic)) continue;
      const reason = this.unavailable.get(key);
      if (reason) unavailable.push({ topic, partition: Number(partition), reason, detail: reason });
      else {
        offsets.push({
          topic,
          partition: Number(partition),
          offset,
          observedAtMs: this.clock,
          logStartOffset: this.logStarts.get(key) ?? 0,
        });
      }
    }
    return Promise.resolve({ offsets, unavailable });
  }

  fetchRecordTimes(
    lookups: readonly RecordLookup[],
  ): Promise<Map<string, RecordTime | RecordUnreadable>> {
    this.calls.fetchRecordTimes++;
    if (this.failRecordTimes) return Promise.reject(this.failRecordTimes);
    const found = new Map<string, RecordTime | RecordUnreadable>();
    for (const lookup of lookups) {
      // Records below the log start are gone (the real broker answers OFFSET_OUT_OF_RANGE).
      if (lookup.offset < (this.logStarts.get(`${lookup.topic}/${lookup.partition}`) ?? 0)) {
        continue;
      }
      const unreadable = this.unreadableRecords.get(
        `${lookup.topic}/${lookup.partition}/${lookup.offset}`,
      );
      if (unreadable) {
        found.set(recordLookupKey(lookup), { unreadable, detail: `scripted ${unreadable}` });
        continue;
      }
      const timestampMs = this.recordTimes.get(
        `${lookup.topic}/${lookup.partition}/${lookup.offset}`,
      );
      if (timestampMs !== undefined) {
        found.set(recordLookupKey(lookup), { timestampMs });
      }
    }
    return Promise.resolve(found);
  }

  close(): Promise<void> {
    this.calls.close++;
    return Promise.resolve();
  }
}
