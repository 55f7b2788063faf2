/** One consumer group's measurement, as a snapshot keeps it. */
import type { PartitionTable } from "./partition_table.ts";
import type { LagAggregate, TopicLag } from "./types.ts";

/** Everything measured for one consumer group in one iteration. */
export interface GroupLag {
  groupId: string;
  /** The measured partitions, sorted by topic and partition, stored compactly. */
  partitions: PartitionTable;
  topics: TopicLag[];
  total?: LagAggregate;
}
