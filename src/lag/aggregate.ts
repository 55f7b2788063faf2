/** Per-group and per-(group, topic) max and sum of partition lags. */
import { noRowLagSums, PartitionTable, type RowLagSums } from "./partition_table.ts";
import type { GroupReport } from "./group_report.ts";
import type { LagAggregate, PartitionLag, TopicLag } from "./lag_values.ts";

/** Aggregates the partitions of one group; absent aggregates mean "no partition had a value". */
export function aggregateGroup(groupId: string, partitions: readonly PartitionLag[]): GroupReport {
  return aggregatePartitionTable(groupId, PartitionTable.from(partitions));
}

/** aggregateGroup() over partitions already stored in a table (e.g. after exact mode changed some). */
export function aggregatePartitionTable(groupId: string, table: PartitionTable): GroupReport {
  const topics: TopicLag[] = [];
  const total = totalScratch;
  const sums = runScratch;
  resetSums(total);
  // Rows are sorted by topic, so each topic is one run of rows (a table written in another
  // order, as tests may, is summed per run and the runs of one topic merged).
  let start = 0;
  while (start < table.length) {
    const topic = table.topicNumber(start);
    let end = start + 1;
    while (end < table.length && table.topicNumber(end) === topic) end++;
    resetSums(sums);
    table.sumRows(start, end, sums);
    table.sumRows(start, end, total);
    const lag = topicLagOf(table.topicName(topic), sums);
    const earlier = findTopic(topics, lag.topic);
    if (earlier) Object.assign(earlier, merged(earlier, lag));
    else topics.push(lag);
    start = end;
  }
  return {
    groupId,
    partitions: table,
    topics,
    total: total.rows > 0 ? aggregateOf(total) : undefined,
  };
}

// Two sums objects for every group of every iteration, reused: the aggregates are built from
// them, and a number field of a new object is one more allocation for each fractional value.
const totalScratch = noRowLagSums();
const runScratch = noRowLagSums();

function resetSums(sums: RowLagSums): void {
  sums.rows = 0;
  sums.maxLagOffsets = 0;
  sums.sumLagOffsets = 0;
  sums.secondsRows = 0;
  sums.maxLagSeconds = 0;
  sums.sumLagSeconds = 0;
}

function findTopic(topics: readonly TopicLag[], name: string): TopicLag | undefined {
  for (const topicLag of topics) if (topicLag.topic === name) return topicLag;
  return undefined;
}

function topicLagOf(topic: string, sums: RowLagSums): TopicLag {
  const withSeconds = sums.secondsRows > 0;
  return {
    topic,
    maxLagOffsets: sums.maxLagOffsets,
    sumLagOffsets: sums.sumLagOffsets,
    maxLagSeconds: withSeconds ? sums.maxLagSeconds : undefined,
    sumLagSeconds: withSeconds ? sums.sumLagSeconds : undefined,
  };
}

function aggregateOf(sums: RowLagSums): LagAggregate {
  const withSeconds = sums.secondsRows > 0;
  return {
    maxLagOffsets: sums.maxLagOffsets,
    sumLagOffsets: sums.sumLagOffsets,
    maxLagSeconds: withSeconds ? sums.maxLagSeconds : undefined,
    sumLagSeconds: withSeconds ? sums.sumLagSeconds : undefined,
  };
}

function merged(a: LagAggregate, b: LagAggregate): LagAggregate {
  const seconds = (pick: (x: number, y: number) => number, x?: number, y?: number) =>
    x === undefined ? y : y === undefined ? x : pick(x, y);
  return {
    maxLagOffsets: Math.max(a.maxLagOffsets, b.maxLagOffsets),
    sumLagOffsets: a.sumLagOffsets + b.sumLagOffsets,
    maxLagSeconds: seconds(Math.max, a.maxLagSeconds, b.maxLagSeconds),
    sumLagSeconds: seconds((x, y) => x + y, a.sumLagSeconds, b.sumLagSeconds),
  };
}
