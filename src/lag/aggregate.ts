/** Per-group and per-(group, topic) max and sum of partition lags. */
import type { GroupLag, LagAggregate, PartitionLag, TopicLag } from "./types.ts";

/** Aggregates the partitions of one group; absent aggregates mean "no partition had a value". */
export function aggregateGroup(groupId: string, partitions: PartitionLag[]): GroupLag {
  const byTopic = new Map<string, PartitionLag[]>();
  for (const partition of partitions) {
    const list = byTopic.get(partition.topic);
    if (list) list.push(partition);
    else byTopic.set(partition.topic, [partition]);
  }
  const topics: TopicLag[] = [];
  for (const [topic, topicPartitions] of byTopic) {
    const aggregate = aggregateLags(topicPartitions);
    if (aggregate) topics.push({ topic, ...aggregate });
  }
  return { groupId, partitions, topics, total: aggregateLags(partitions) };
}

/** Max and sum of offsets lag and of seconds lag over the partitions that have each value. */
export function aggregateLags(partitions: readonly PartitionLag[]): LagAggregate | undefined {
  if (partitions.length === 0) return undefined;
  let maxLagOffsets = 0;
  let sumLagOffsets = 0;
  let maxLagSeconds: number | undefined;
  let sumLagSeconds: number | undefined;
  for (const partition of partitions) {
    maxLagOffsets = Math.max(maxLagOffsets, partition.lagOffsets);
    sumLagOffsets += partition.lagOffsets;
    if (partition.lagSeconds !== undefined) {
      maxLagSeconds = Math.max(maxLagSeconds ?? 0, partition.lagSeconds);
      sumLagSeconds = (sumLagSeconds ?? 0) + partition.lagSeconds;
    }
  }
  return { maxLagOffsets, sumLagOffsets, maxLagSeconds, sumLagSeconds };
}
