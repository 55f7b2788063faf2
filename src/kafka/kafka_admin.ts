/** The narrow view of a Kafka cluster that lag collection needs; kafkajs_admin.ts implements it. */
import type { GroupMember, TopicPartition } from "../lag/group_members.ts";

export type { GroupMember, TopicPartition };

/** A consumer group as ListGroups reports it. */
export interface GroupListing {
  groupId: string;
  /** Stable, Empty, PreparingRebalance, Reconciling, … (brokers before Kafka 2.6 do not tell). */
  state?: string;
  /** "classic" or "consumer" (KIP-848); brokers before Kafka 3.7 list classic groups only. */
  type?: string;
}

/** What a group is doing: its state, protocol and members, or why that could not be read. */
export type GroupDescription =
  | {
    groupId: string;
    state: string;
    /** "classic" or "consumer" (KIP-848). */
    type: string;
    members: GroupMember[];
    error?: undefined;
  }
  | { groupId: string; error: Error; state?: undefined; members?: undefined };

/** The groups the brokers listed; `unreachableBrokers` > 0 means some groups may be missing. */
export interface GroupListings {
  groups: GroupListing[];
  /** Brokers whose ListGroups failed (their groups are not in `groups`), with why. */
  unreachableBrokers: Array<{ nodeId: string; detail: string }>;
}

/** A group's committed offset on one partition (the next offset it will read). */
export interface CommittedOffset extends TopicPartition {
  offset: number;
}

/** One group's committed offsets, or why they could not be read. */
export type GroupOffsets =
  | {
    groupId: string;
    offsets: CommittedOffset[];
    error?: undefined;
    /** Partitions the coordinator answered with an error of their own (no offset for them). */
    partitionErrors?: Array<{ topic: string; partition: number; error: string }>;
  }
  | { groupId: string; offsets?: undefined; error: Error }
  /** Read without error and handed to `onOffsets` as it came in: not kept (fetchCommittedOffsets). */
  | { groupId: string; offsets?: undefined; error?: undefined; handedOver: true };

/** A group's committed offsets as `onOffsets` hears them. */
export type HeardOffsets = Extract<GroupOffsets, { offsets: CommittedOffset[] }>;

/** A partition's log-end offset and when the answer arrived. */
export interface EndOffset extends TopicPartition {
  offset: number;
  observedAtMs: number;
  /**
   * The partition's first offset still stored (retention and DeleteRecords move it), when the
   * broker told: committed offsets below it point at records that are gone.
   */
  logStartOffset?: number;
}

/** Why a partition's log-end offset could not be read in an iteration. */
export type UnavailableReason = "no-leader" | "leader-unreachable" | "leader-error";

/** A partition left out of an iteration, and why. */
export interface UnavailablePartition extends TopicPartition {
  reason: UnavailableReason;
  /** The Kafka error or connection failure, for the log. */
  detail: string;
}

/** Log-end offsets of the partitions that answered, and the partitions that did not. */
export interface EndOffsets {
  offsets: EndOffset[];
  unavailable: UnavailablePartition[];
}

/** A record to look up: the one at `offset` of a partition. */
export interface RecordLookup extends TopicPartition {
  offset: number;
}

/** A record's CreateTime (or LogAppendTime). */
export interface RecordTime {
  timestampMs: number;
}

/**
 * A record that was not dated because its batch is hostile or broken: its lengths break the
 * format (`malformed`), or it decompresses to more than the cap (`too_large`).
 */
export interface RecordUnreadable {
  unreadable: "malformed" | "too_large";
  /** What was wrong, for the log (no record content). */
  detail: string;
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

/** What a caller of fetchCommittedOffsets hears as each group's answer comes in. */
export interface CommittedOffsetsOptions {
  onOffsets?(answer: HeardOffsets): void;
}

/** Read-only admin operations on one Kafka cluster. */
export interface KafkaAdmin {
  /**
   * Every consumer group of the cluster, from every broker (Empty groups included). A broker that
   * fails is reported, not fatal; throws only when no broker answers.
   */
  listGroups(): Promise<GroupListings>;
  /**
   * Each group's committed offsets on every partition it has committed to, in the order asked,
   * with as few requests as the brokers allow (at most `concurrency` in flight). A group that
   * cannot be read carries its error instead; the others are unaffected. `onOffsets` is called
   * for each group read without error as soon as its answer is in (before the promise settles),
   * so that a caller can measure groups while the rest are still being read; such a group then
   * comes back as handed over, without its offsets: kept to the end of the read, every group's
   * offsets outlived the young generation (2.4 million objects at 100,000 groups).
   */
  fetchCommittedOffsets(
    groupIds: readonly string[],
    concurrency: number,
    options?: CommittedOffsetsOptions,
  ): Promise<GroupOffsets[]>;
  /**
   * State, protocol and members (with their assigned partitions) of each listed group, in the
   * order asked: classic groups with DescribeGroups, KIP-848 groups with ConsumerGroupDescribe,
   * many groups per request to their coordinator. Groups listed as Empty or Dead cost no request.
   * A group that cannot be described carries its error; the others are unaffected.
   */
  describeGroups(groups: readonly GroupListing[], concurrency: number): Promise<GroupDescription[]>;
  /**
   * Log-end offsets of every partition of the topics `includeTopic` accepts, with one request
   * per leader broker. A partition without a leader, or whose leader fails or answers an error
   * (after one metadata refresh and one retry at the new leader), is listed as unavailable; the
   * others are unaffected. Throws only when no partition at all can be read.
   */
  fetchEndOffsets(includeTopic: (topic: string) => boolean): Promise<EndOffsets>;
  /**
   * Timestamps of the records at the given offsets (or of the first record after each, when it
   * no longer exists), with small Fetch requests grouped per leader broker. Lookups that fail
   * are missing from the result; a record in a malformed or oversized batch is reported as
   * such, and costs only its own partition's lookups. Call after fetchEndOffsets in the same
   * iteration.
   */
  fetchRecordTimes(
    lookups: readonly RecordLookup[],
  ): Promise<Map<string, RecordTime | RecordUnreadable>>;
  /** Drops connections; the next call reconnects. Used after errors and on shutdown. */
  close(): Promise<void>;
}
