/** One consumer group's measurement, as a snapshot keeps it. */
import type { LagTrail } from "./lag_trail.ts";
import type { GroupMember } from "./group_members.ts";
import type { PartitionTable } from "./partition_table.ts";
import type { ConsumerStatus, GroupRates } from "./consumer_status.ts";
import type { LagAggregate, TopicLag } from "./lag_values.ts";

/** Everything measured for one consumer group in one iteration. */
export interface GroupReport {
  groupId: string;
  /** The measured partitions, sorted by topic and partition, stored compactly. */
  partitions: PartitionTable;
  topics: TopicLag[];
  total?: LagAggregate;
  /** The group's state and members, when they could be read in the iteration. */
  activity?: GroupActivity;
  /** Whether the group keeps up (consumer_status.ts), the worst of its partitions'. */
  status?: ConsumerStatus;
  /** Each partition's status, as indexes into CONSUMER_STATUSES (same order as `partitions`). */
  partitionStatuses?: Uint8Array;
  /**
   * The group's offsets consumed and produced per second (summed over its partitions with known
   * rates) and the seconds until its slowest partition catches up (unknown if any lagging
   * partition is not gaining).
   */
  rates?: GroupRates;
  /** Each partition's progress record (consumer_status.ts: rates, time to catch up). */
  progress?: Float64Array;
  /** The group's lag at each iteration across the status window (lag_trail.ts). */
  lagTrail?: LagTrail;
  /** The highest share of a partition's retained log the group has not read (lag/retention.ts). */
  retentionRatio?: number;
}

/** What a group is doing: its state, protocol and members. */
export interface GroupActivity {
  /** Stable, Empty, PreparingRebalance, CompletingRebalance, Reconciling, Assigning, Dead, … */
  state: string;
  /** "classic" or "consumer" (KIP-848). */
  protocol: string;
  members: GroupMember[];
  /** The member each assigned partition belongs to, by "topic\0partition" (groupActivity()). */
  owners: ReadonlyMap<string, GroupMember>;
}

const NO_OWNERS: ReadonlyMap<string, GroupMember> = new Map();

/** A group's activity, with the owner of each partition its members are assigned. */
export function groupActivity(
  { state, protocol, members }: { state: string; protocol: string; members: GroupMember[] },
): GroupActivity {
  // Most groups of a large cluster have no member at a given moment: one shared empty index.
  if (members.length === 0) return { state, protocol, members, owners: NO_OWNERS };
  const owners = new Map<string, GroupMember>();
  for (const member of members) {
    for (const { topic, partition } of member.assignment) {
      owners.set(`${topic}\u0000${partition}`, member);
    }
  }
  return { state, protocol, members, owners };
}

/**
 * The member the group's partition at `index` is assigned to, if any (the metrics, the compat
 * names and the JSON API all ask, per partition, of the same snapshot).
 */
export function partitionOwner(group: GroupReport, index: number): GroupMember | undefined {
  if (!group.activity || group.activity.owners.size === 0) return undefined;
  const table = group.partitions;
  return group.activity.owners.get(`${table.topic(index)}\u0000${table.partition(index)}`);
}
