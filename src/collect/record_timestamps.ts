/**
 * Lag in seconds from the committed records' own timestamps (SPEC §4). The offset history can
 * date a record only if the exporter saw the log end pass it; a backlog written before the
 * history began (after every deploy, restart or new instance) is dated by reading the record.
 * Exact mode reads it for every lagging partition.
 */
import type { RecordTimestampPolicy } from "../config/schema/settings.ts";
import { type KafkaAdmin, type RecordLookup, recordLookupKey } from "../kafka/kafka_admin.ts";
import type { RecordToDate } from "../lag/lag_seconds_choice.ts";
import type { PartitionLag } from "../lag/lag_values.ts";
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
  /** Records in a batch whose lengths break the format: not dated, estimate kept. */
  malformed: number;
  /** Records in a batch that decompresses to more than the cap: not dated, estimate kept. */
  tooLarge: number;
  /** Left for a later iteration because of `maxPartitions` (counted per record). */
  deferred: number;
}

/** Counts of an iteration that looked nothing up. */
export function noLookups(): RecordLookupCounts {
  return {
    fetched: 0,
    found: 0,
    missing: 0,
    untrusted: 0,
    malformed: 0,
    tooLarge: 0,
    deferred: 0,
  };
}

/** The end of the interval record times are trusted from: 2000-01-01T00:00:00Z. */
export const EARLIEST_TRUSTED_TIMESTAMP_MS = 946_684_800_000;
/** A record that could not be read is tried again after this long (retention, ACLs rarely change). */
export const MISSING_RETRY_MS = 60_000;

/** What is known of one committed record; `undefined` while it is waiting to be read. */
type RecordState =
  | { kind: "found"; timestampMs: number }
  | { kind: "untrusted" | "malformed" | "tooLarge" }
  | { kind: "missing"; retryAtMs: number };

/** A cache entry: the record's state, and the iterations that used and counted it. */
interface CacheEntry {
  state?: RecordState;
  /** The timestamp when the state is "found", else NaN: what the hot path reads. */
  foundAtMs: number;
  usedIn: number;
  countedIn: number;
}

/** The cache entries of one partition, by committed offset. */
export type PartitionRecordTimes = Map<number, CacheEntry>;

/**
 * Record timestamps by (topic, partition, offset), kept across iterations so that a consumer stuck
 * on one offset costs one read; an entry no iteration asked for is dropped at the end of the next.
 * Nested maps rather than string keys: every iteration asks for every such partition again, and
 * building a key string each time cost measurably at 10,000 groups.
 */
export class RecordTimeCache {
  readonly #byTopic = new Map<string, Map<number, Map<number, CacheEntry>>>();
  #iteration = 1;
  #size = 0;
  /** Why the last read of record timestamps failed as a whole (logged once per change). */
  readFailure?: string;

  /** The entries of one partition, by offset: looked up once per partition and iteration. */
  partition(topic: string, partition: number): PartitionRecordTimes {
    let partitions = this.#byTopic.get(topic);
    if (!partitions) this.#byTopic.set(topic, partitions = new Map());
    let offsets = partitions.get(partition);
    if (!offsets) partitions.set(partition, offsets = new Map());
    return offsets;
  }

  /** The entry of one record of a partition (created empty), marked as used by this iteration. */
  entry(offsets: PartitionRecordTimes, offset: number): CacheEntry {
    let entry = offsets.get(offset);
    if (!entry) {
      entry = { state: undefined, foundAtMs: NaN, usedIn: this.#iteration, countedIn: 0 };
      offsets.set(offset, entry);
      this.#size++;
    }
    entry.usedIn = this.#iteration;
    return entry;
  }

  /** The current iteration's number (entries count themselves once per iteration). */
  get iteration(): number {
    return this.#iteration;
  }

  /** Forgets what neither this iteration nor the previous one asked for, and starts the next. */
  endIteration(): void {
    for (const [topic, partitions] of this.#byTopic) {
      for (const [partition, offsets] of partitions) {
        for (const [offset, entry] of offsets) {
          if (entry.usedIn < this.#iteration - 1 || entry.state === undefined) {
            offsets.delete(offset);
            this.#size--;
          }
        }
        if (offsets.size === 0) partitions.delete(partition);
      }
      if (partitions.size === 0) this.#byTopic.delete(topic);
    }
    this.#iteration++;
  }

  get size(): number {
    return this.#size;
  }
}

/** What a group-partition asks the record timestamps about: its committed record and lag. */
export type RecordAsk = Pick<
  PartitionLag,
  "topic" | "partition" | "committedOffset" | "lagOffsets"
>;

/** A group-partition waiting for its record to be read: where to put the value. */
interface Place {
  group: number;
  index: number;
  /**
   * Which record this is: the group's committed one, or the oldest one left when retention
   * deleted the committed one (its age is only a lower bound: lag_seconds_choice.ts).
   */
  record: RecordToDate;
}

/** A record to read, and every group-partition that is waiting for it. */
interface PendingRecord {
  entry: CacheEntry;
  lookup: RecordLookup;
  /** The largest lag of the group-partitions waiting: the most lagging are read first. */
  lagOffsets: number;
  /** When this iteration saw the partition's log end: the lag is measured at that time. */
  observedAtMs: number;
  places: Place[];
}

/**
 * The record timestamps of one iteration. Each lagging partition that `policy` selects (exact
 * mode: all; otherwise those the history cannot date) asks `ageSeconds()`: a cached timestamp is
 * used at once, an unknown one is queued; `readQueued()` then reads the queued records (bounded)
 * and says which group-partitions got a value. So a stuck consumer costs one read in all, and an
 * iteration in steady state costs a few map lookups per such partition.
 */
export class RecordTimestampRound {
  readonly #policy: RecordTimestampPolicy;
  readonly #cache: RecordTimeCache;
  readonly #nowMs: number;
  readonly #iteration: number;
  readonly #queued = new Map<CacheEntry, PendingRecord>();
  readonly #counts: RecordLookupCounts = noLookups();

  constructor(
    { policy, cache, nowMs }: {
      policy: RecordTimestampPolicy;
      cache: RecordTimeCache;
      nowMs: number;
    },
  ) {
    this.#policy = policy;
    this.#cache = cache;
    this.#nowMs = nowMs;
    this.#iteration = cache.iteration;
  }

  /** Exact mode: every lagging partition is dated by its record (lag_seconds_choice.ts). */
  get exact(): boolean {
    return this.#policy.exact;
  }

  /**
   * Whether the age of the record is known: then `recordAge.ageSeconds` is set to `observedAt −
   * timestamp` in seconds; otherwise the record is queued for `readQueued()` (unless known
   * unreadable). `recordAge.record` says which record of the group-partition this is (its
   * committed one, or the oldest one left in place of a deleted committed one). `end` is the
   * partition's end offset of this iteration, `group`/`index` where a value read later goes.
   * (Positional arguments and the caller's reused `recordAge`: called for every lagging
   * group-partition, without allocating; a fractional number returned is boxed, an allocation.)
   */
  // arity-ok: called for every lagging group-partition; no options object per call
  ageSeconds(
    lag: RecordAsk,
    end: { observedAtMs: number; records: PartitionRecordTimes },
    group: number,
    index: number,
    recordAge: { record: RecordToDate; ageSeconds: number },
  ): boolean {
    // The hot path (every lagging group-partition of every iteration): a plain map lookup.
    let entry = end.records.get(lag.committedOffset);
    if (entry === undefined) entry = this.#cache.entry(end.records, lag.committedOffset);
    else entry.usedIn = this.#iteration;
    const firstAsk = entry.countedIn !== this.#iteration;
    const foundAtMs = entry.foundAtMs;
    if (!Number.isNaN(foundAtMs)) {
      if (firstAsk) this.#count(entry, "found");
      // A producer clock slightly ahead of ours gives a negative age: clamp, as everywhere else.
      const ageMs = end.observedAtMs - foundAtMs;
      recordAge.ageSeconds = (ageMs > 0 ? ageMs : 0) / 1_000;
      return true;
    }
    const state = entry.state;
    // Untrusted, malformed and oversized records stay so while the group commits the same offset.
    if (state && (state.kind !== "missing" || state.retryAtMs > this.#nowMs)) {
      if (firstAsk) this.#count(entry, state.kind);
      return false;
    }
    const record = recordAge.record;
    const queued = this.#queued.get(entry);
    if (queued) {
      queued.places.push({ group, index, record });
      queued.lagOffsets = Math.max(queued.lagOffsets, lag.lagOffsets);
    } else {
      this.#queued.set(entry, {
        entry,
        lookup: { topic: lag.topic, partition: lag.partition, offset: lag.committedOffset },
        lagOffsets: lag.lagOffsets,
        observedAtMs: end.observedAtMs,
        places: [{ group, index, record }],
      });
    }
    return false;
  }

  /**
   * Reads the queued records, most lagging first, from at most `maxPartitions` partitions (one
   * read of a partition dates every queued offset of it that it reaches); the rest wait for the
   * next iteration. Returns the values for the group-partitions that were waiting.
   */
  async readQueued(
    admin: KafkaAdmin,
    logger: Logger,
  ): Promise<Array<Place & { seconds: number }>> {
    const queued = [...this.#queued.values()].sort((a, b) => b.lagOffsets - a.lagOffsets);
    const partitions = new Set<string>();
    const toRead: PendingRecord[] = [];
    for (const pending of queued) {
      const partition = `${pending.lookup.topic}\u0000${pending.lookup.partition}`;
      if (!partitions.has(partition) && partitions.size >= this.#policy.maxPartitions) {
        this.#counts.deferred++;
        continue;
      }
      partitions.add(partition);
      toRead.push(pending);
    }
    this.#counts.fetched = toRead.length;
    if (toRead.length === 0) return [];
    let times: Awaited<ReturnType<KafkaAdmin["fetchRecordTimes"]>>;
    try {
      times = await admin.fetchRecordTimes(toRead.map((pending) => pending.lookup));
    } catch (error) {
      // Not cached: a failed request is tried again in the next iteration.
      this.#counts.missing += toRead.length;
      const detail = describeError(error);
      if (this.#cache.readFailure !== detail) {
        logger.warn("cannot read record timestamps; keeping the estimated lag in seconds", {
          error: detail,
        });
      }
      this.#cache.readFailure = detail;
      return [];
    }
    if (this.#cache.readFailure !== undefined) logger.info("record timestamps are read again");
    this.#cache.readFailure = undefined;
    const values: Array<Place & { seconds: number }> = [];
    for (const pending of toRead) {
      const record = times.get(recordLookupKey(pending.lookup));
      if (record && "unreadable" in record) {
        // Cached until the group commits another offset: the batch will not change, and reading
        // it again every iteration is exactly the cost a hostile batch is after. Logged once so.
        const kind = record.unreadable === "too_large" ? "tooLarge" : "malformed";
        settle(pending.entry, { kind });
        this.#count(pending.entry, kind);
        logger.warn(
          "a committed record's batch is unreadable; keeping the estimated lag in seconds",
          {
            topic: pending.lookup.topic,
            partition: pending.lookup.partition,
            offset: pending.lookup.offset,
            result: record.unreadable,
            detail: record.detail,
          },
        );
        continue;
      }
      const state: RecordState = !record
        ? { kind: "missing", retryAtMs: this.#nowMs + MISSING_RETRY_MS }
        : isTrusted(record.timestampMs, {
            nowMs: pending.observedAtMs,
            maxFutureSkewMs: this.#policy.maxFutureSkewMs,
          })
        ? { kind: "found", timestampMs: record.timestampMs }
        : { kind: "untrusted" };
      settle(pending.entry, state);
      this.#count(pending.entry, state.kind);
      if (state.kind !== "found") continue;
      const seconds = Math.max(0, pending.observedAtMs - state.timestampMs) / 1_000;
      for (const place of pending.places) values.push({ ...place, seconds });
    }
    return values;
  }

  /** What this iteration's lookups gave. */
  counts(): RecordLookupCounts {
    return { ...this.#counts };
  }

  #count(entry: CacheEntry, kind: RecordState["kind"]): void {
    entry.countedIn = this.#iteration;
    // Each field by its own name: reading the counts by a variable name made the optimized
    // measuring loop (this is inlined into it) deoptimize again and again (--trace-deopt).
    const counts = this.#counts;
    if (kind === "found") counts.found++;
    else if (kind === "missing") counts.missing++;
    else if (kind === "untrusted") counts.untrusted++;
    else if (kind === "malformed") counts.malformed++;
    else counts.tooLarge++;
  }
}

/** Puts what a read found out about a record in its cache entry. */
function settle(entry: CacheEntry, state: RecordState): void {
  entry.state = state;
  entry.foundAtMs = state.kind === "found" ? state.timestampMs : NaN;
}

/** Whether a record timestamp can be a production time (not -1, not before 2000, not ahead). */
export function isTrusted(
  timestampMs: number,
  { nowMs, maxFutureSkewMs }: { nowMs: number; maxFutureSkewMs: number },
): boolean {
  return timestampMs >= EARLIEST_TRUSTED_TIMESTAMP_MS && timestampMs <= nowMs + maxFutureSkewMs;
}
