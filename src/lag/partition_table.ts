/**
 * A group's measured partitions, stored in one Float64Array instead of one object each. A
 * snapshot of 10,000 groups holds about 250,000 partitions and lives for a whole interval: as
 * objects they take ~135 bytes each on the JavaScript heap and churn the old generation every
 * iteration; here they take 32 bytes each, outside the heap: four numbers, the topic, partition
 * and lag-in-seconds method packed into the first.
 */
import { computeOffsetLag } from "./compute_lag.ts";
import { LAG_SECONDS_METHODS, type LagSecondsMethod, type PartitionLag } from "./lag_values.ts";

const FIELDS = 4; // key (topic index, partition, method), committed, end offset, lag seconds
const KEY = 0;
const COMMITTED = 1;
const LATEST = 2;
const SECONDS = 3; // NaN = none

// key = topic × TOPIC_UNIT + partition × METHOD_CODES + method code: exact as a double for up to
// 2^19 topics per group and every int32 partition number.
const METHOD_CODES = 8; // 0 = no method, then 1 + the index in METHODS
const TOPIC_UNIT = 2 ** 31 * METHOD_CODES;

const METHODS: readonly LagSecondsMethod[] = LAG_SECONDS_METHODS;
const NO_METHOD = 0;
// A Map, not an object read by a variable key: the hot path (every group-partition) sees several
// method names, and optimized code reading an object by name deoptimized again and again on them.
const METHOD_INDEX: ReadonlyMap<LagSecondsMethod, number> = new Map(
  METHODS.map((method, index) => [method, index]),
);

/** Read access by index, without allocating; `toArray()` gives objects (reports and tests). */
export class PartitionTable implements Iterable<PartitionLag> {
  readonly #topics: readonly string[];
  /** The buffer the rows are in: shared by the tables a writer wrote (no view per table). */
  readonly #values: Float64Array;
  /** Where the first row starts in `#values`. */
  readonly #start: number;
  readonly #rows: number;

  private constructor(
    topics: readonly string[],
    { values, start, rows }: { values: Float64Array; start: number; rows: number },
  ) {
    this.#topics = topics;
    this.#values = values;
    this.#start = start;
    this.#rows = rows;
  }

  /** Stores the partitions in the given order. */
  static from(partitions: readonly PartitionLag[]): PartitionTable {
    const writer = new PartitionTableWriter();
    writer.begin(partitions.length);
    for (const partition of partitions) writer.add(partition);
    return writer.finish();
  }

  /** The table of `rows` rows from `start` in a writer's buffer (PartitionTableWriter). */
  static written(
    topics: readonly string[],
    rows: { values: Float64Array; start: number; rows: number },
  ): PartitionTable {
    return new PartitionTable(topics, rows);
  }

  get length(): number {
    return this.#rows;
  }

  /** How many distinct topics the rows name. */
  get topicCount(): number {
    return this.#topics.length;
  }

  /** The number of the row's topic among the table's topics (0 … topicCount − 1). */
  topicNumber(index: number): number {
    return Math.floor(this.#values[this.#start + index * FIELDS + KEY] / TOPIC_UNIT);
  }

  /** The name of topic number `topic`. */
  topicName(topic: number): string {
    return this.#topics[topic];
  }

  topic(index: number): string {
    return this.#topics[this.topicNumber(index)];
  }

  partition(index: number): number {
    const key = this.#values[this.#start + index * FIELDS + KEY];
    // Multiplications, not a floating-point remainder: read for every series of every scrape.
    return Math.floor((key - Math.floor(key / TOPIC_UNIT) * TOPIC_UNIT) / METHOD_CODES);
  }

  committedOffset(index: number): number {
    return this.#values[this.#start + index * FIELDS + COMMITTED];
  }

  endOffset(index: number): number {
    return this.#values[this.#start + index * FIELDS + LATEST];
  }

  lagOffsets(index: number): number {
    return computeOffsetLag(this.committedOffset(index), this.endOffset(index));
  }

  /** Undefined while the lag in seconds cannot be known. */
  lagSeconds(index: number): number | undefined {
    const seconds = this.#values[this.#start + index * FIELDS + SECONDS];
    return Number.isNaN(seconds) ? undefined : seconds;
  }

  lagSecondsMethod(index: number): LagSecondsMethod | undefined {
    const key = this.#values[this.#start + index * FIELDS + KEY];
    const method = key - Math.floor(key / METHOD_CODES) * METHOD_CODES;
    return method === NO_METHOD ? undefined : METHODS[method - 1];
  }

  /** Replaces the lag in seconds of one partition (exact mode, after the table was built). */
  setLagSeconds(
    index: number,
    { seconds, method }: { seconds: number; method: LagSecondsMethod },
  ): void {
    const key = this.#values[this.#start + index * FIELDS + KEY];
    this.#values[this.#start + index * FIELDS + SECONDS] = seconds;
    this.#values[this.#start + index * FIELDS + KEY] =
      Math.floor(key / METHOD_CODES) * METHOD_CODES + 1 +
      METHODS.indexOf(method);
  }

  /**
   * Max and sum of the lag of rows `start` to `end` (offsets always, seconds where known) into
   * `into`, read straight from the buffer: every group's total and topics, every iteration.
   */
  // arity-ok: called per group and topic of every iteration; the out-parameter avoids an object
  sumRows(start: number, end: number, into: RowLagSums): void {
    const values = this.#values;
    for (let index = start; index < end; index++) {
      const base = this.#start + index * FIELDS;
      const lagOffsets = computeOffsetLag(values[base + COMMITTED], values[base + LATEST]);
      into.rows++;
      if (lagOffsets > into.maxLagOffsets) into.maxLagOffsets = lagOffsets;
      into.sumLagOffsets += lagOffsets;
      const seconds = values[base + SECONDS];
      if (seconds === seconds) { // not NaN
        into.secondsRows++;
        if (seconds > into.maxLagSeconds) into.maxLagSeconds = seconds;
        into.sumLagSeconds += seconds;
      }
    }
  }

  /** The partition at `index` as an object. */
  at(index: number): PartitionLag {
    const partition: PartitionLag = {
      topic: this.topic(index),
      partition: this.partition(index),
      committedOffset: this.committedOffset(index),
      endOffset: this.endOffset(index),
      lagOffsets: this.lagOffsets(index),
    };
    const seconds = this.lagSeconds(index);
    if (seconds !== undefined) {
      partition.lagSeconds = seconds;
      partition.lagSecondsMethod = this.lagSecondsMethod(index);
    }
    return partition;
  }

  toArray(): PartitionLag[] {
    return Array.from({ length: this.length }, (_, index) => this.at(index));
  }

  *[Symbol.iterator](): Iterator<PartitionLag> {
    for (let index = 0; index < this.length; index++) yield this.at(index);
  }
}

/** Running max and sum of rows' lag (PartitionTable.sumRows). */
export interface RowLagSums {
  rows: number;
  maxLagOffsets: number;
  sumLagOffsets: number;
  /** Rows with a lag in seconds (the two below count only those). */
  secondsRows: number;
  maxLagSeconds: number;
  sumLagSeconds: number;
}

/** Sums of no row. */
export function noRowLagSums(): RowLagSums {
  return {
    rows: 0,
    maxLagOffsets: 0,
    sumLagOffsets: 0,
    secondsRows: 0,
    maxLagSeconds: 0,
    sumLagSeconds: 0,
  };
}

/** Rows per buffer of a PartitionTableWriter (512 KiB; a larger group gets a buffer of its own). */
const ROWS_PER_BUFFER = 16_384;

/**
 * Writes the tables of many groups into a few shared buffers, each table reading its rows in place
 * (no view per table: a typed array per group was 10,000 more objects per iteration): an
 * iteration allocates a handful of buffers for all its groups instead of one per group (10,000
 * small buffers outside the heap, and the allocator's fragments between them, at 10,000 groups).
 */
export class PartitionTableWriter {
  #values = new Float64Array(0);
  #start = 0;
  #rows = 0;
  #topics: string[] = [];
  #lastTopic: string | undefined;

  /** Starts the next table, with room for up to `rows` rows. */
  begin(rows: number): void {
    this.#topics = [];
    this.#lastTopic = undefined;
    this.#rows = 0;
    if ((this.#start + rows) * FIELDS > this.#values.length) {
      this.#values = new Float64Array(Math.max(rows, ROWS_PER_BUFFER) * FIELDS);
      this.#start = 0;
    }
  }

  /** Appends one partition to the table being written (at most the rows begin() made room for). */
  add(partition: PartitionLag): void {
    this.addRow(partition, partition.endOffset, {
      seconds: partition.lagSeconds ?? NaN,
      method: partition.lagSecondsMethod,
    });
  }

  /**
   * add() from the parts a measurement keeps apart; `lag.seconds` NaN while unknown. (The lag in
   * seconds comes in the caller's reused object: a fractional number passed on its own is boxed,
   * a heap allocation per group-partition.)
   */
  // arity-ok: called for every group-partition of every iteration; a bag would allocate each time
  addRow(
    { topic: topicName, partition, committedOffset }: {
      topic: string;
      partition: number;
      committedOffset: number;
    },
    endOffset: number,
    lag: { seconds: number; method: LagSecondsMethod | undefined },
  ): void {
    const lagSeconds = lag.seconds;
    const method = lag.method;
    let topic = this.#topics.length - 1;
    // Rows come sorted by topic, so a topic is usually the one before.
    if (topicName !== this.#lastTopic) {
      // A group reads a few topics: a scan, not a map per group.
      topic = this.#topics.indexOf(topicName);
      if (topic < 0) {
        topic = this.#topics.length;
        this.#topics.push(topicName);
      }
      this.#lastTopic = topicName;
    }
    const base = (this.#start + this.#rows) * FIELDS;
    const values = this.#values;
    values[base + KEY] = topic * TOPIC_UNIT + partition * METHOD_CODES +
      (method === undefined ? NO_METHOD : 1 + METHOD_INDEX.get(method)!);
    values[base + COMMITTED] = committedOffset;
    values[base + LATEST] = endOffset;
    values[base + SECONDS] = lagSeconds;
    this.#rows++;
  }

  /** The table of the rows added since begin(). */
  finish(): PartitionTable {
    const table = PartitionTable.written(this.#topics, {
      values: this.#values,
      start: this.#start * FIELDS,
      rows: this.#rows,
    });
    this.#start += this.#rows;
    this.#rows = 0;
    return table;
  }
}
