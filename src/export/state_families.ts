/**
 * The exporter's own series that are read from its state at every scrape: per cluster, whether
 * the last iteration worked and what it left out, carried over or had to estimate; and the
 * process's iteration time, live instances, memory and build. Families of the one metric model
 * (metric_family.ts): a cluster or group that is gone has no series in the next scrape.
 */
import { type ClusterSnapshot, isDegraded, snapshotGaps } from "../collect/cluster_snapshot.ts";
import type { Labels, MetricFamily, SampleEmitter, ScrapeState } from "./metric_family.ts";

/** A family with one sample set per cluster, labelled `clustername` first. */
function perCluster(
  family: { name: string; help: string },
  samples: (status: ScrapeState["statuses"][number], emit: PerClusterEmit) => void,
): MetricFamily {
  return {
    ...family,
    samples(state, emit) {
      for (const status of state.statuses) {
        const cluster: [string, string] = ["clustername", status.clusterName];
        samples(status, (labels, value) => emit.sample([cluster, ...labels], value));
      }
    },
  };
}

type PerClusterEmit = (labels: Labels, value: number) => void;

/** A per-cluster family read from the cluster's last snapshot (none: no sample). */
function perSnapshot(
  family: { name: string; help: string },
  samples: (snapshot: ClusterSnapshot, emit: PerClusterEmit) => void,
): MetricFamily {
  return perCluster(family, (status, emit) => {
    if (status.snapshot) samples(status.snapshot, emit);
  });
}

const NO_LABELS: Labels = [];

/** The exporter's state families, `build` labelling kafka_lag_exporter_build_info. */
export function stateFamilies(
  build: { version: string; commit: string; denoVersion: string },
): MetricFamily[] {
  const single = (
    { name, help }: { name: string; help: string },
    value: (state: ScrapeState) => number | undefined,
  ): MetricFamily => ({
    name,
    help,
    samples(state: ScrapeState, emit: SampleEmitter) {
      const sample = value(state);
      if (sample !== undefined) emit.sample(NO_LABELS, sample);
    },
  });
  return [
    perSnapshot({
      name: "kafka_total_groups_checked",
      help: "Consumer groups measured in the last iteration of the cluster.",
    }, (snapshot, emit) => emit(NO_LABELS, snapshot.groupsChecked)),
    single(
      {
        name: "kafka_iteration_time_seconds",
        help: "Duration of the last iteration (the slowest cluster's, when there are several).",
      },
      (state) => state.iterationSeconds,
    ),
    perCluster({
      name: "kafka_lag_exporter_cluster_up",
      help: "1 if the last iteration over the cluster succeeded, 0 if it failed.",
    }, (status, emit) => {
      if (status.up !== undefined) emit(NO_LABELS, status.up ? 1 : 0);
    }),
    perCluster({
      name: "kafka_lag_exporter_cluster_iteration_duration_seconds",
      help: "Duration of the last iteration over the cluster.",
    }, (status, emit) => {
      if (status.lastDurationSeconds !== undefined) emit(NO_LABELS, status.lastDurationSeconds);
    }),
    perCluster({
      name: "kafka_lag_exporter_cluster_last_success_timestamp_seconds",
      help: "Unix time at which the last successful iteration over the cluster ended.",
    }, (status, emit) => {
      if (status.lastSuccessMs !== undefined) emit(NO_LABELS, status.lastSuccessMs / 1_000);
    }),
    single(
      { name: "kafka_lag_exporter_live_instances", help: "Exporter instances sharing the work." },
      (state) => state.liveInstances,
    ),
    {
      name: "kafka_lag_exporter_process_memory_bytes",
      help:
        "Memory of the exporter process (rss: resident set; heap_used: JavaScript heap in use).",
      samples(state, emit) {
        emit.sample([["kind", "rss"]], state.memory.rss);
        emit.sample([["kind", "heap_used"]], state.memory.heapUsed);
      },
    },
    {
      name: "kafka_lag_exporter_build_info",
      help: "Always 1; the labels carry the build's version and commit.",
      samples(_state, emit) {
        emit.sample([
          ["version", build.version],
          ["commit", build.commit],
          ["deno_version", build.denoVersion],
        ], 1);
      },
    },
    perSnapshot({
      name: "kafka_lag_exporter_record_lookups",
      help:
        "Last iteration: committed records whose timestamp was wanted, by result (found: used; " +
        "missing: unreadable, estimate kept; untrusted: -1, before 2000 or in the future; " +
        "malformed: its batch breaks the format; too_large: its batch decompresses past " +
        "exact_lag_seconds.max_batch_bytes; deferred: over exact_lag_seconds.max_partitions).",
    }, (snapshot, emit) => {
      if (!snapshot.recordLookups) return;
      const { fetched: _fetched, ...results } = snapshot.recordLookups;
      for (const [result, count] of Object.entries(results)) {
        emit([["result", result === "tooLarge" ? "too_large" : result]], count);
      }
    }),
    perSnapshot({
      name: "kafka_lag_exporter_record_lookups_fetched",
      help: "Last iteration: committed records read from Kafka (the others came from the cache).",
    }, (snapshot, emit) => {
      if (snapshot.recordLookups) emit(NO_LABELS, snapshot.recordLookups.fetched);
    }),
    perSnapshot({
      name: "kafka_lag_exporter_lag_seconds_partitions",
      help:
        "Last iteration: group-partitions by how their lag in seconds was obtained (method none: no value).",
    }, (snapshot, emit) => {
      for (const [method, count] of Object.entries(snapshot.lagSecondsMethods ?? {})) {
        emit([["method", method]], count);
      }
    }),
    perSnapshot({
      name: "kafka_lag_exporter_group_lag_seconds_estimated_partitions",
      help: "Partitions of the group whose lag in seconds is an estimate that may be too low " +
        "(extrapolated or lower-bound: the record predates the history and could not be read). " +
        "Only groups with such partitions have a series.",
    }, (snapshot, emit) => {
      for (const { groupId, partitions } of snapshot.groupsWithEstimates ?? []) {
        emit([["group", groupId]], partitions);
      }
    }),
    perSnapshot({
      name: "kafka_lag_exporter_cluster_degraded",
      help:
        "1 if the last iteration over the cluster answered but left partitions, groups or brokers " +
        "out (see kafka_lag_exporter_partitions_not_measured, kafka_lag_exporter_groups_not_measured), " +
        "0 if it measured everything.",
    }, (snapshot, emit) => emit(NO_LABELS, isDegraded(snapshot) ? 1 : 0)),
    perSnapshot({
      name: "kafka_lag_exporter_partitions_not_measured",
      help:
        "Partitions whose log-end offset the last iteration could not read, by reason (no-leader, " +
        "leader-unreachable, leader-error); they have no lag series.",
    }, (snapshot, emit) => {
      const byReason = new Map<string, number>();
      for (const { reason } of snapshot.unavailablePartitions ?? []) {
        byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
      }
      for (const [reason, count] of byReason) emit([["reason", reason]], count);
    }),
    perSnapshot({
      name: "kafka_lag_exporter_brokers_not_listing_groups",
      help:
        "Brokers that did not answer ListGroups in the last iteration (their groups are carried over " +
        "from the last complete listing for up to 5 minutes).",
    }, (snapshot, emit) => emit(NO_LABELS, snapshotGaps(snapshot).unlistedBrokers)),
    perSnapshot({
      name: "kafka_lag_exporter_groups_offsets_carried_over",
      help:
        "Consumer groups whose coordinator could not answer in the last iteration, measured with " +
        "the committed offsets last read (for up to 5 minutes; no consumer can commit meanwhile).",
    }, (snapshot, emit) => emit(NO_LABELS, snapshotGaps(snapshot).carriedGroups)),
    perSnapshot({
      name: "kafka_lag_exporter_partitions_end_offset_carried_over",
      help:
        "Partitions whose leader could not be reached in the last iteration, measured with the " +
        "end offset last read (for up to 2 minutes; nobody can append to them meanwhile).",
    }, (snapshot, emit) => emit(NO_LABELS, snapshotGaps(snapshot).carriedEndOffsets)),
    perSnapshot({
      name: "kafka_lag_exporter_group_records_lost_to_retention",
      help:
        "Records deleted (retention, DeleteRecords) before the group read them: log-start offset " +
        "minus committed offset; only group-partitions committed below the log start get a series.",
    }, (snapshot, emit) => {
      for (const { groupId, topic, partition, records } of snapshot.recordsLostToRetention ?? []) {
        emit([["group", groupId], ["topic", topic], ["partition", String(partition)]], records);
      }
    }),
    perSnapshot({
      name: "kafka_lag_exporter_groups_not_measured",
      help:
        "Consumer groups whose committed offsets the last iteration could not read (coordinator " +
        "down, hung or moving, or no Describe ACL on the group); they have no lag series.",
    }, (snapshot, emit) => emit(NO_LABELS, snapshotGaps(snapshot).unreadGroups)),
    perSnapshot({
      name: "kafka_lag_exporter_groups_matching_filters",
      help:
        "Consumer groups of the cluster that pass the filters, whichever instance measures them " +
        "(kafka_total_groups_checked counts this instance's share).",
    }, (snapshot, emit) => {
      if (snapshot.groupsMatchingFilters !== undefined) {
        emit(NO_LABELS, snapshot.groupsMatchingFilters);
      }
    }),
  ];
}
