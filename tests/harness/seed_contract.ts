/** What the seed (kafka-lag-go) promises, as the end-to-end tests check it. */

/** The seed's metric names and the labels each carries. */
export const SEED_METRICS: Array<[string, string[]]> = [
  ["kafka_consumer_group_lag_in_offsets", ["clustername", "group", "topic", "partition"]],
  ["kafka_consumer_group_lag_in_seconds", ["clustername", "group", "topic", "partition"]],
  ["kafka_consumer_group_max_lag_in_offsets", ["clustername", "group"]],
  ["kafka_consumer_group_max_lag_in_seconds", ["clustername", "group"]],
  ["kafka_consumer_group_sum_lag_in_offsets", ["clustername", "group"]],
  ["kafka_consumer_group_sum_lag_in_seconds", ["clustername", "group"]],
  ["kafka_consumer_group_topic_max_lag_in_offsets", ["clustername", "group", "topic"]],
  ["kafka_consumer_group_topic_max_lag_in_seconds", ["clustername", "group", "topic"]],
  ["kafka_consumer_group_topic_sum_lag_in_offsets", ["clustername", "group", "topic"]],
  ["kafka_consumer_group_topic_sum_lag_in_seconds", ["clustername", "group", "topic"]],
  ["kafka_total_groups_checked", ["clustername"]],
  ["kafka_iteration_time_seconds", []],
];

/** Rows of `kafka-consumer-groups --describe` for `group`: partition → [current, log-end, lag]. */
export function parseDescribe(
  stdout: string,
  group: string,
): Map<string, [number, number, number]> {
  const rows = new Map<string, [number, number, number]>();
  for (const line of stdout.split("\n")) {
    const cells = line.trim().split(/\s+/);
    if (cells[0] !== group || cells.length < 6) continue;
    rows.set(`${cells[1]}/${cells[2]}`, [Number(cells[3]), Number(cells[4]), Number(cells[5])]);
  }
  return rows;
}
