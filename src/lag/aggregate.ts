/** Per-group and per-(group, topic) max and sum of partition lags. */
import { PartitionTable } from "./partition_table.ts";
import type { GroupLag } from "./group_lag.ts";
import type { LagAggregate, PartitionLag, TopicLag } from "./types.ts";

/** Aggregates the partitions of one group; absent aggregates mean "no partition had a value". */
export function aggregateGroup(groupId: string, partitions: readonly PartitionLag[]): GroupLag {
  return aggregatePartitionTable(groupId, PartitionTable.from(partitions));
}

/** aggregateGroup() over partitions already stored in a table (e.g. after exact mode changed some). */
export function aggregatePartitionTable(groupId: string, table: PartitionTable): GroupLag {
  // One pass over the rows: the group's total and each topic's (by the table's topic number).
  const byTopic = Array.from({ length: table.topicCount }, newAggregate);
  const total = newAggregate();
  for (let index = 0; index < table.length; index++) {
    const lagOffsets = table.lagOffsets(index);
    const lagSeconds = table.lagSeconds(index);
    addTo(byTopic[table.topicNumber(index)], lagOffsets, lagSeconds);
    addTo(total, lagOffsets, lagSeconds);
  }
  const topics: TopicLag[] = [];
  byTopic.forEach((aggregate, topic) => {
    if (aggregate.partitions > 0) {
      topics.push({ topic: table.topicName(topic), ...done(aggregate) });
    }
  });
  return {
    groupId,
    partitions: table,
    topics,
    total: total.partitions > 0 ? done(total) : undefined,
  };
}

interface Accumulating extends LagAggregate {
  partitions: number;
}

function newAggregate(): Accumulating {
  return {
    partitions: 0,
    maxLagOffsets: 0,
    sumLagOffsets: 0,
    maxLagSeconds: undefined,
    sumLagSeconds: undefined,
  };
}

// arity-ok: called twice per group-partition of every iteration; a bag would allocate each time
function addTo(
  aggregate: Accumulating,
  lagOffsets: number,
  lagSeconds: number | undefined,
): void {
  aggregate.partitions++;
  aggregate.maxLagOffsets = Math.max(aggregate.maxLagOffsets, lagOffsets);
  aggregate.sumLagOffsets += lagOffsets;
  if (lagSeconds !== undefined) {
    aggregate.maxLagSeconds = Math.max(aggregate.maxLagSeconds ?? 0, lagSeconds);
    aggregate.sumLagSeconds = (aggregate.sumLagSeconds ?? 0) + lagSeconds;
  }
}

function done({ maxLagOffsets, sumLagOffsets, maxLagSeconds, sumLagSeconds }: Accumulating) {
  return { maxLagOffsets, sumLagOffsets, maxLagSeconds, sumLagSeconds };
}
