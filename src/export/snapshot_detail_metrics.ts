/**
 * What each cluster's last iteration left out, carried over or had to estimate, as gauges refilled
 * from the snapshot at every scrape (reset first: nothing stale): degraded, partitions and groups
 * not measured or carried over, brokers not listing, records lost to retention, how lag in
 * seconds was obtained, record lookups, groups matching the filters.
 */
import { Gauge, type Registry } from "prom-client";
import { type ClusterSnapshot, isDegraded, snapshotGaps } from "../collect/cluster_snapshot.ts";

/** Registers the gauges; `fill` sets one cluster's from its snapshot, `reset` clears them all. */
export function registerSnapshotDetailMetrics(registers: Registry[]) {
  const snapshotGauge = <L extends string>(
    settings: { name: string; help: string; labelNames: readonly L[] },
  ) => new Gauge<L>({ ...settings, registers });

  const recordLookups = snapshotGauge({
    name: "kafka_lag_exporter_record_lookups",
    help: "Last iteration: committed records whose timestamp was wanted, by result (found: used; " +
      "missing: unreadable, estimate kept; untrusted: -1, before 2000 or in the future; " +
      "malformed: its batch breaks the format; too_large: its batch decompresses past " +
      "exact_lag_seconds.max_batch_bytes; deferred: over exact_lag_seconds.max_partitions).",
    labelNames: ["clustername", "result"],
  });
  const recordFetches = snapshotGauge({
    name: "kafka_lag_exporter_record_lookups_fetched",
    help: "Last iteration: committed records read from Kafka (the others came from the cache).",
    labelNames: ["clustername"],
  });
  const lagSecondsPartitions = snapshotGauge({
    name: "kafka_lag_exporter_lag_seconds_partitions",
    help:
      "Last iteration: group-partitions by how their lag in seconds was obtained (method none: no value).",
    labelNames: ["clustername", "method"],
  });
  const estimatedPartitions = snapshotGauge({
    name: "kafka_lag_exporter_group_lag_seconds_estimated_partitions",
    help: "Partitions of the group whose lag in seconds is an estimate that may be too low " +
      "(extrapolated or lower-bound: the record predates the history and could not be read). " +
      "Only groups with such partitions have a series.",
    labelNames: ["clustername", "group"],
  });
  const clusterDegraded = snapshotGauge({
    name: "kafka_lag_exporter_cluster_degraded",
    help:
      "1 if the last iteration over the cluster answered but left partitions, groups or brokers " +
      "out (see kafka_lag_exporter_partitions_not_measured, kafka_lag_exporter_groups_not_measured), " +
      "0 if it measured everything.",
    labelNames: ["clustername"],
  });
  const partitionsNotMeasured = snapshotGauge({
    name: "kafka_lag_exporter_partitions_not_measured",
    help:
      "Partitions whose log-end offset the last iteration could not read, by reason (no-leader, " +
      "leader-unreachable, leader-error); they have no lag series.",
    labelNames: ["clustername", "reason"],
  });
  const brokersNotListing = snapshotGauge({
    name: "kafka_lag_exporter_brokers_not_listing_groups",
    help:
      "Brokers that did not answer ListGroups in the last iteration (their groups are carried over " +
      "from the last complete listing for up to 5 minutes).",
    labelNames: ["clustername"],
  });
  const groupsCarried = snapshotGauge({
    name: "kafka_lag_exporter_groups_offsets_carried_over",
    help:
      "Consumer groups whose coordinator could not answer in the last iteration, measured with " +
      "the committed offsets last read (for up to 5 minutes; no consumer can commit meanwhile).",
    labelNames: ["clustername"],
  });
  const partitionsCarried = snapshotGauge({
    name: "kafka_lag_exporter_partitions_end_offset_carried_over",
    help: "Partitions whose leader could not be reached in the last iteration, measured with the " +
      "end offset last read (for up to 2 minutes; nobody can append to them meanwhile).",
    labelNames: ["clustername"],
  });
  const recordsLost = snapshotGauge({
    name: "kafka_lag_exporter_group_records_lost_to_retention",
    help:
      "Records deleted (retention, DeleteRecords) before the group read them: log-start offset " +
      "minus committed offset; only group-partitions committed below the log start get a series.",
    labelNames: ["clustername", "group", "topic", "partition"],
  });
  const groupsNotMeasured = snapshotGauge({
    name: "kafka_lag_exporter_groups_not_measured",
    help:
      "Consumer groups whose committed offsets the last iteration could not read (coordinator " +
      "down, hung or moving, or no Describe ACL on the group); they have no lag series.",
    labelNames: ["clustername"],
  });
  const groupsMatching = snapshotGauge({
    name: "kafka_lag_exporter_groups_matching_filters",
    help:
      "Consumer groups of the cluster that pass the filters, whichever instance measures them " +
      "(kafka_total_groups_checked counts this instance's share).",
    labelNames: ["clustername"],
  });

  const gauges = [
    recordLookups,
    recordFetches,
    clusterDegraded,
    partitionsNotMeasured,
    brokersNotListing,
    groupsNotMeasured,
    groupsCarried,
    partitionsCarried,
    recordsLost,
    lagSecondsPartitions,
    estimatedPartitions,
    groupsMatching,
  ];
  return {
    reset: () => {
      for (const gauge of gauges) gauge.reset();
    },
    fill: (snapshot: ClusterSnapshot, { clustername }: { clustername: string }) => {
      const unavailable = snapshot.unavailablePartitions ?? [];
      const {
        unlistedBrokers: unlisted,
        unreadGroups: unread,
        carriedGroups: carried,
        carriedEndOffsets: carriedEnds,
      } = snapshotGaps(snapshot);
      clusterDegraded.set({ clustername }, isDegraded(snapshot) ? 1 : 0);
      partitionsCarried.set({ clustername }, carriedEnds);
      brokersNotListing.set({ clustername }, unlisted);
      groupsNotMeasured.set({ clustername }, unread);
      groupsCarried.set({ clustername }, carried);
      const byReason = new Map<string, number>();
      for (const { reason } of unavailable) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
      for (const [reason, count] of byReason) {
        partitionsNotMeasured.set({ clustername, reason }, count);
      }
      if (snapshot.recordLookups) {
        const { fetched, ...results } = snapshot.recordLookups;
        for (const [result, count] of Object.entries(results)) {
          recordLookups.set(
            { clustername, result: result === "tooLarge" ? "too_large" : result },
            count,
          );
        }
        recordFetches.set({ clustername }, fetched);
      }
      for (const [method, count] of Object.entries(snapshot.lagSecondsMethods ?? {})) {
        lagSecondsPartitions.set({ clustername, method }, count);
      }
      for (const { groupId, topic, partition, records } of snapshot.recordsLostToRetention ?? []) {
        recordsLost.set(
          { clustername, group: groupId, topic, partition: String(partition) },
          records,
        );
      }
      for (const { groupId, partitions } of snapshot.groupsWithEstimates ?? []) {
        estimatedPartitions.set({ clustername, group: groupId }, partitions);
      }
      if (snapshot.groupsMatchingFilters !== undefined) {
        groupsMatching.set({ clustername }, snapshot.groupsMatchingFilters);
      }
    },
  };
}
