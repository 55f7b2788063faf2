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
  const byTopic = new Map<string, number[]>();
  for (let index = 0; index < table.length; index++) {
    const topic = table.topic(index);
    const indexes = byTopic.get(topic);
    if (indexes) indexes.push(index);
    else byTopic.set(topic, [index]);
  }
  const topics: TopicLag[] = [];
  for (const [topic, indexes] of byTopic) {
    const aggregate = aggregateIndexes(table, indexes);
    if (aggregate) topics.push({ topic, ...aggregate });
  }
  const all = Array.from({ length: table.length }, (_, index) => index);
  return { groupId, partitions: table, topics, total: aggregateIndexes(table, all) };
}

function aggregateIndexes(
  table: PartitionTable,
  indexes: readonly number[],
): LagAggregate | undefined {
  if (indexes.length === 0) return undefined;
  let maxLagOffsets = 0;
  let sumLagOffsets = 0;
  let maxLagSeconds: number | undefined;
  let sumLagSeconds: number | undefined;
  for (const index of indexes) {
    const lagOffsets = table.lagOffsets(index);
    maxLagOffsets = Math.max(maxLagOffsets, lagOffsets);
    sumLagOffsets += lagOffsets;
    const lagSeconds = table.lagSeconds(index);
    if (lagSeconds !== undefined) {
      maxLagSeconds = Math.max(maxLagSeconds ?? 0, lagSeconds);
      sumLagSeconds = (sumLagSeconds ?? 0) + lagSeconds;
    }
  }
  return { maxLagOffsets, sumLagOffsets, maxLagSeconds, sumLagSeconds };
}
