/**
 * Lag in seconds from the committed records' own timestamps (SPEC §4). The offset history can
 * date a record only if the exporter saw the log end pass it; a backlog written before the
 * history began (after every deploy, restart or new instance) is dated by reading the record.
 * Exact mode reads it for every lagging partition.
 */
import type { RecordTimestampPolicy } from "../config/load_config.ts";
import { type KafkaAdmin, type RecordLookup, recordLookupKey } from "../kafka/kafka_admin.ts";
import { aggregatePartitionTable } from "../lag/aggregate.ts";
import type { GroupLag } from "../lag/types.ts";
import { describeError, type Logger } from "../log/logger.ts";

/** What the lookups of one iteration gave, counted per distinct (topic, partition, offset). */
export interface RecordLookupCounts {
  /** Records read from Kafka in this iteration (the rest came from the cache). */
  fetched: number;
  /** Timestamps used for a value. */
  found: number;
  /** Records that could not be read (deleted by retention, no Read ACL, broker error). */
  missing: number;
  /** Timestamps not trusted: -1, before 2000, or too far in the future. */
  untrusted: number;
  /** Left for a later iteration because of `maxPartitions`. */
  deferred: number;
}

/** The end of the interval record times are trusted from: 2000-01-01T00:00:00Z. */
export const EARLIEST_TRUSTED_TIMESTAMP_MS = 946_684_800_000;
/** A record that could not be read is tried again after this long (retention, ACLs rarely change). */
export const MISSING_RETRY_MS = 60_000;

type CachedRecordTime =
  | { kind: "found"; timestampMs: number }
  | { kind: "untrusted" }
  | { kind: "missing"; retryAtMs: number };

/**
 * Record timestamps by (topic, partition, offset), kept across iterations so that a consumer stuck
 * on one offset costs one read. Holds only what the previous iteration asked for.
 */
export class RecordTimeCache {
  #previous = new Map<string, CachedRecordTime>();
  #current = new Map<string, CachedRecordTime>();

  get(key: string): CachedRecordTime | undefined {
    const entry = this.#current.get(key) ?? this.#previous.get(key);
    if (entry) this.#current.set(key, entry);
    return entry;
  }

  set(key: string, entry: CachedRecordTime): void {
    this.#current.set(key, entry);
  }

  /** Forgets what this iteration did not ask for. */
  endIteration(): void {
    this.#previous = this.#current;
    this.#current = new Map();
  }

  get size(): number {
    return this.#current.size + this.#previous.size;
  }
}

/** What applyRecordTimestamps() needs. */
export interface RecordTimestampDeps {
  admin: KafkaAdmin;
  now(): number;
  logger: Logger;
  cache: RecordTimeCache;
}

/** A group-partition that may take a record's timestamp. */
interface Candidate {
  group: number;
  index: number;
  key: string;
  lagOffsets: number;
  lookup: RecordLookup;
  /** When this iteration saw the partition's log end: the lag is measured at that time. */
  observedAtMs: number;
}

/**
 * Replaces the lag in seconds of the partitions `policy` selects by `observedAt − timestamp of
 * the committed record`. A record that cannot be read, or whose timestamp is not trusted, keeps
 * the estimate (or no value), so this only adds information. Returns the groups (aggregates
 * recomputed where a value changed) and the lookup counts.
 */
export async function applyRecordTimestamps(
  groups: GroupLag[],
  observedAtMs: (topic: string, partition: number) => number,
  options: { policy: RecordTimestampPolicy; deps: RecordTimestampDeps },
): Promise<{ groups: GroupLag[]; counts: RecordLookupCounts }> {
  const { policy, deps } = options;
  const counts: RecordLookupCounts = {
    fetched: 0,
    found: 0,
    missing: 0,
    untrusted: 0,
    deferred: 0,
  };
  const candidates = selectCandidates(groups, policy.exact, observedAtMs);

  // One decision per record, however many groups sit on it.
  const byKey = new Map<string, Candidate>();
  for (const candidate of candidates) {
    const known = byKey.get(candidate.key);
    if (!known || known.lagOffsets < candidate.lagOffsets) byKey.set(candidate.key, candidate);
  }
  const nowMs = deps.now();
  const toFetch: Candidate[] = [];
  for (const candidate of byKey.values()) {
    const cached = deps.cache.get(candidate.key);
    if (!cached || (cached.kind === "missing" && cached.retryAtMs <= nowMs)) {
      toFetch.push(candidate);
    }
  }
  toFetch.sort((a, b) => b.lagOffsets - a.lagOffsets);
  counts.deferred = Math.max(0, toFetch.length - policy.maxPartitions);
  toFetch.splice(policy.maxPartitions);
  counts.fetched = toFetch.length;

  const unanswered = new Set<string>();
  if (toFetch.length > 0) {
    try {
      const times = await deps.admin.fetchRecordTimes(toFetch.map(({ lookup }) => lookup));
      for (const candidate of toFetch) {
        const record = times.get(candidate.key);
        deps.cache.set(
          candidate.key,
          !record
            ? { kind: "missing", retryAtMs: nowMs + MISSING_RETRY_MS }
            : isTrusted(record.timestampMs, candidate.observedAtMs, policy.maxFutureSkewMs)
            ? { kind: "found", timestampMs: record.timestampMs }
            : { kind: "untrusted" },
        );
      }
    } catch (error) {
      // Not cached: a failed request is tried again in the next iteration.
      for (const candidate of toFetch) unanswered.add(candidate.key);
      deps.logger.warn("cannot read record timestamps; keeping the estimated lag in seconds", {
        error: describeError(error),
      });
    }
  }

  for (const key of byKey.keys()) {
    const entry = deps.cache.get(key);
    if (entry?.kind === "found") counts.found++;
    else if (entry?.kind === "untrusted") counts.untrusted++;
    else if (entry?.kind === "missing" || unanswered.has(key)) counts.missing++;
  }

  const changed = new Set<number>();
  for (const candidate of candidates) {
    const entry = deps.cache.get(candidate.key);
    if (entry?.kind !== "found") continue;
    // A producer clock slightly ahead of ours gives a negative age: clamp, as everywhere else.
    const seconds = Math.max(0, candidate.observedAtMs - entry.timestampMs) / 1_000;
    groups[candidate.group].partitions.setLagSeconds(candidate.index, seconds, "record-timestamp");
    changed.add(candidate.group);
  }
  return {
    // The aggregates include the lag in seconds: recompute them where it changed.
    groups: groups.map((group, index) =>
      changed.has(index) ? aggregatePartitionTable(group.groupId, group.partitions) : group
    ),
    counts,
  };
}

/** Whether a record timestamp can be a production time (not -1, not before 2000, not ahead). */
export function isTrusted(timestampMs: number, nowMs: number, maxFutureSkewMs: number): boolean {
  return timestampMs >= EARLIEST_TRUSTED_TIMESTAMP_MS && timestampMs <= nowMs + maxFutureSkewMs;
}

/**
 * Lagging partitions whose value does not come from an interpolation inside the history (no
 * value, extrapolated, lower bound), or every lagging partition in exact mode.
 */
function selectCandidates(
  groups: GroupLag[],
  exact: boolean,
  observedAtMs: (topic: string, partition: number) => number,
): Candidate[] {
  const candidates: Candidate[] = [];
  groups.forEach(({ partitions }, group) => {
    for (let index = 0; index < partitions.length; index++) {
      const lagOffsets = partitions.lagOffsets(index);
      if (lagOffsets <= 0) continue;
      if (!exact && partitions.lagSecondsMethod(index) === "interpolated") continue;
      const lookup = {
        topic: partitions.topic(index),
        partition: partitions.partition(index),
        offset: partitions.committedOffset(index),
      };
      candidates.push({
        group,
        index,
        key: recordLookupKey(lookup),
        lagOffsets,
        lookup,
        observedAtMs: observedAtMs(lookup.topic, lookup.partition),
      });
    }
  });
  return candidates;
}
