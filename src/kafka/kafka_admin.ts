/** The narrow view of a Kafka cluster that lag collection needs; kafkajs_admin.ts implements it. */

/** A consumer group as ListGroups reports it. */
export interface GroupListing {
  groupId: string;
  protocolType: string;
}

/** A topic partition. */
export interface TopicPartition {
  topic: string;
  partition: number;
}

/** A group's committed offset on one partition (the next offset it will read). */
export interface CommittedOffset extends TopicPartition {
  offset: number;
}

/** One group's committed offsets, or why they could not be read. */
export type GroupOffsets =
  | { groupId: string; offsets: CommittedOffset[]; error?: undefined }
  | { groupId: string; offsets?: undefined; error: Error };

/** A partition's log-end offset and when the answer arrived. */
export interface LatestOffset extends TopicPartition {
  offset: number;
  observedAtMs: number;
}

/** A record to look up: the one at `offset` of a partition. */
export interface RecordLookup extends TopicPartition {
  offset: number;
}

/** A record's CreateTime (or LogAppendTime); `exact` is false when placed inside a compressed batch. */
export interface RecordTime {
  timestampMs: number;
  exact: boolean;
}

/** Map key of a RecordLookup. */
export function recordLookupKey(lookup: RecordLookup): string {
  return `${lookup.topic}\u0000${lookup.partition}\u0000${lookup.offset}`;
}

/** Marks an error that no retry will fix: the principal lacks an ACL. */
export class KafkaAuthorizationError extends Error {
  constructor(missing: string, options?: ErrorOptions) {
    super(`not authorized: the exporter's principal needs ${missing} (see docs/ACLs.md)`, options);
    this.name = "KafkaAuthorizationError";
  }
}

/** Read-only admin operations on one Kafka cluster. */
export interface KafkaAdmin {
  /** Every consumer group of the cluster, from every broker (Empty groups included). */
  listGroups(): Promise<GroupListing[]>;
  /**
   * Each group's committed offsets on every partition it has committed to, in the order asked,
   * with as few requests as the brokers allow (at most `concurrency` in flight). A group that
   * cannot be read carries its error instead; the others are unaffected.
   */
  fetchCommittedOffsets(groupIds: readonly string[], concurrency: number): Promise<GroupOffsets[]>;
  /**
   * Log-end offsets of every partition of the topics `includeTopic` accepts, with one request
   * per leader broker. Partitions without a leader are left out.
   */
  fetchLatestOffsets(includeTopic: (topic: string) => boolean): Promise<LatestOffset[]>;
  /**
   * Timestamps of the records at the given offsets (or of the first record after each, when it
   * no longer exists), with small Fetch requests grouped per leader broker. Lookups that fail
   * are missing from the result. Call after fetchLatestOffsets in the same iteration.
   */
  fetchRecordTimes(lookups: readonly RecordLookup[]): Promise<Map<string, RecordTime>>;
  /** Drops connections; the next call reconnects. Used after errors and on shutdown. */
  close(): Promise<void>;
}
