/**
 * Record batches (magic 2, and the older message sets with magic 1), read for the timestamps of
 * lag in seconds from the records of a Fetch answer (fetch.ts). Written here
 * rather than taken from kafkajs because kafkajs has no lz4, snappy or zstd codec built in and
 * discards a truncated batch, whose header alone still bounds a record's timestamp.
 */
import { BatchTooLargeError, decompressRecords, DEFAULT_MAX_BATCH_BYTES } from "./compression.ts";
import { WireReader } from "../wire.ts";

/**
 * A record's timestamp; `exact` is false when it was placed on its batch's time line because the
 * batch arrived truncated or could not be decompressed.
 */
export interface RecordTimestamp {
  timestampMs: number;
  offset: number;
  exact: boolean;
}

const BATCH_HEADER_BYTES = 61; // baseOffset … recordCount of a magic-2 batch
/** The smallest `length` field of a batch or message of each magic (bytes after the field). */
const MIN_LENGTH_BY_MAGIC = [14, 22, BATCH_HEADER_BYTES - 12];
/** attributes, timestampDelta, offsetDelta, key length, value length, header count: 1 byte each. */
const MIN_RECORD_BYTES = 6;
const COMPRESSION_MASK = 0x07;
const LOG_APPEND_TIME = 0x08;
const CONTROL_BATCH = 0x20;

/**
 * Why a wanted record was not dated: its batch broke the format (a length that does not move the
 * read forward or overruns its batch: the rest of the partition's bytes cannot be trusted), or
 * its batch decompresses to more than the cap.
 */
export interface RecordUnreadable {
  unreadable: "malformed" | "too_large";
  detail: string;
}

/** What a search found for one wanted offset (undefined: the bytes end before it). */
export type RecordSearchResult = RecordTimestamp | RecordUnreadable | undefined;

/** Limits of a search. */
export interface RecordSearchOptions {
  /** Decompressed bytes allowed per batch (see DEFAULT_MAX_BATCH_BYTES). */
  maxBatchBytes?: number;
}

/**
 * The timestamp of the record at `offset`, or of the first record after it when it no longer
 * exists (compaction, transaction markers). `records` may end in a truncated batch: its header
 * still bounds the timestamps, and its first records may still be readable.
 */
export function findRecordTimestamp(
  records: Uint8Array,
  offset: number,
  options: RecordSearchOptions = {},
): RecordSearchResult {
  return findRecordTimestamps(records, [offset], options)[0];
}

/**
 * findRecordTimestamp for many offsets (ascending) in one walk over the bytes: each batch is read,
 * and decompressed, at most once, and its records are decoded only up to the last offset wanted
 * in it. Work is bounded by the bytes: every loop advances by at least a header, and a batch or
 * record whose length would not, or which overruns its batch, ends the walk with `malformed` for
 * every offset not answered yet.
 */
export function findRecordTimestamps(
  records: Uint8Array,
  offsets: readonly number[],
  { maxBatchBytes = DEFAULT_MAX_BATCH_BYTES }: RecordSearchOptions = {},
): RecordSearchResult[] {
  const results: RecordSearchResult[] = new Array(offsets.length).fill(undefined);
  const walk = { offsets, results, next: 0 };
  const reader = new WireReader(records);
  try {
    while (walk.next < offsets.length && reader.remaining() >= 17) {
      const start = reader.position;
      const baseOffset = reader.int64();
      const length = reader.int32();
      reader.int32(); // partitionLeaderEpoch (magic 2) or crc (magic 0/1)
      const magic = reader.int8();
      if (!(magic >= 0 && magic <= 2) || length < MIN_LENGTH_BY_MAGIC[magic]) {
        return malformed(walk, `a batch at byte ${start} has magic ${magic} and length ${length}`);
      }
      const batchEnd = start + 12 + length;
      const complete = batchEnd <= records.byteLength;
      if (magic < 2) {
        if (!complete) break;
        legacyMessageTimestamp(reader, { magic, messageOffset: baseOffset, walk });
        reader.position = batchEnd;
        continue;
      }
      if (start + BATCH_HEADER_BYTES > records.byteLength) break;
      reader.int32(); // crc
      const attributes = reader.int16();
      const lastOffsetDelta = reader.int32();
      const firstTimestamp = reader.int64();
      const maxTimestamp = reader.int64();
      reader.int64(); // producerId
      reader.int16(); // producerEpoch
      reader.int32(); // baseSequence
      const recordCount = reader.int32();
      if (lastOffsetDelta < 0 || recordCount < 0) {
        return malformed(walk, `a batch at offset ${baseOffset} counts ${recordCount} records`);
      }
      const header = { baseOffset, lastOffsetDelta, firstTimestamp, maxTimestamp, recordCount };
      if (
        baseOffset + lastOffsetDelta >= offsets[walk.next] && (attributes & CONTROL_BATCH) === 0
      ) {
        const outcome = readBatch(reader, {
          header,
          attributes,
          walk,
          records: { bytes: records, batchEnd, complete },
          maxBatchBytes,
        });
        if (outcome === "malformed") return results;
      }
      if (!complete) break;
      reader.position = batchEnd;
    }
  } catch (error) {
    // A header cut by the end of the bytes (a fetch's last batch): nothing more to read.
    if (!(error instanceof RangeError)) throw error;
  }
  return results;
}

/** The wanted offsets, the answers so far, and the first offset not answered yet. */
interface Walk {
  offsets: readonly number[];
  results: RecordSearchResult[];
  next: number;
}

/** The fields of a magic-2 batch header that date its records. */
interface BatchHeader {
  baseOffset: number;
  lastOffsetDelta: number;
  firstTimestamp: number;
  maxTimestamp: number;
  recordCount: number;
}

function malformed(walk: Walk, detail: string): RecordSearchResult[] {
  for (; walk.next < walk.offsets.length; walk.next++) {
    walk.results[walk.next] = { unreadable: "malformed", detail };
  }
  return walk.results;
}

/** Answers every wanted offset that falls in one batch (reader after its header). */
function readBatch(
  reader: WireReader,
  { header, attributes, walk, records, maxBatchBytes }: {
    header: BatchHeader;
    attributes: number;
    walk: Walk;
    records: { bytes: Uint8Array; batchEnd: number; complete: boolean };
    maxBatchBytes: number;
  },
): "malformed" | undefined {
  const { baseOffset, lastOffsetDelta, firstTimestamp, maxTimestamp } = header;
  const lastOffset = baseOffset + lastOffsetDelta;
  const { offsets, results } = walk;
  // The offsets wanted in this batch are walk.next … inBatchEnd − 1.
  let inBatchEnd = walk.next;
  while (inBatchEnd < offsets.length && offsets[inBatchEnd] <= lastOffset) inBatchEnd++;
  if (attributes & LOG_APPEND_TIME) {
    for (; walk.next < inBatchEnd; walk.next++) {
      const offset = offsets[walk.next];
      results[walk.next] = {
        timestampMs: maxTimestamp,
        offset: Math.max(offset, baseOffset),
        exact: true,
      };
    }
    return undefined;
  }
  for (; walk.next < inBatchEnd && offsets[walk.next] <= baseOffset; walk.next++) {
    results[walk.next] = { timestampMs: firstTimestamp, offset: baseOffset, exact: true };
  }
  if (walk.next === inBatchEnd) return undefined;
  const codec = attributes & COMPRESSION_MASK;
  let body: { reader: WireReader; end: number; complete: boolean } | undefined;
  if (codec === 0) {
    body = {
      reader,
      end: Math.min(records.batchEnd, records.bytes.byteLength),
      complete: records.complete,
    };
  } else if (records.complete) {
    const compressed = reader.slice(records.batchEnd - reader.position);
    try {
      const decompressed = decompressRecords(codec, compressed, maxBatchBytes);
      body = { reader: new WireReader(decompressed), end: decompressed.byteLength, complete: true };
    } catch (error) {
      if (error instanceof BatchTooLargeError) {
        for (; walk.next < inBatchEnd; walk.next++) {
          results[walk.next] = {
            unreadable: "too_large",
            detail: `the batch at offset ${baseOffset} ${error.message.replace(/^the batch /, "")}`,
          };
        }
        return undefined;
      }
      // Corrupt or unknown codec: the batch's header still places the records on its time line.
    }
  }
  if (body) {
    const outcome = datedRecords(body, { header, walk, inBatchEnd });
    if (outcome === "malformed") return "malformed";
  }
  // Cut before the record, or not decompressible: place it on the batch's time line.
  for (; walk.next < inBatchEnd; walk.next++) {
    const offset = offsets[walk.next];
    const share = lastOffsetDelta === 0 ? 0 : (offset - baseOffset) / lastOffsetDelta;
    results[walk.next] = {
      timestampMs: firstTimestamp + share * (maxTimestamp - firstTimestamp),
      offset,
      exact: false,
    };
  }
  return undefined;
}

/**
 * Walks a batch's records up to the last offset wanted in it, dating each wanted offset by the
 * first record at or after it. Every record moves the reader forward by at least
 * MIN_RECORD_BYTES; a record length below that, or past the end of a complete batch, is
 * malformed. In a batch cut by the fetch size, the walk simply ends where the bytes do.
 */
function datedRecords(
  { reader, end, complete }: { reader: WireReader; end: number; complete: boolean },
  { header, walk, inBatchEnd }: { header: BatchHeader; walk: Walk; inBatchEnd: number },
): "malformed" | undefined {
  const { offsets, results } = walk;
  const { baseOffset, firstTimestamp, recordCount } = header;
  for (let index = 0; index < recordCount && walk.next < inBatchEnd; index++) {
    if (reader.position >= end) break;
    let recordEnd: number;
    let record: { timestampDelta: number; offsetDelta: number };
    try {
      const length = reader.varint();
      if (length < MIN_RECORD_BYTES) {
        malformed(
          walk,
          `record ${index} of the batch at offset ${baseOffset} has length ${length}`,
        );
        return "malformed";
      }
      recordEnd = reader.position + length;
      if (recordEnd > end && complete) {
        malformed(walk, `record ${index} of the batch at offset ${baseOffset} overruns it`);
        return "malformed";
      }
      reader.int8(); // attributes
      record = { timestampDelta: reader.varint(), offsetDelta: reader.varint() };
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      if (!complete) break; // cut inside a record by the fetch size
      malformed(walk, `record ${index} of the batch at offset ${baseOffset} is cut short`);
      return "malformed";
    }
    const recordOffset = baseOffset + record.offsetDelta;
    for (; walk.next < inBatchEnd && offsets[walk.next] <= recordOffset; walk.next++) {
      results[walk.next] = {
        timestampMs: firstTimestamp + record.timestampDelta,
        offset: recordOffset,
        exact: true,
      };
    }
    if (recordEnd > end) break;
    reader.position = recordEnd;
  }
  return undefined;
}

function legacyMessageTimestamp(
  reader: WireReader,
  { magic, messageOffset, walk }: { magic: number; messageOffset: number; walk: Walk },
): void {
  // Magic 0 messages carry no timestamp; a compressed magic-1 wrapper carries the newest
  // timestamp of the messages it holds (its offset is the last inner one).
  if (magic !== 1) return;
  const attributes = reader.int8();
  const timestampMs = reader.int64();
  for (; walk.next < walk.offsets.length && walk.offsets[walk.next] <= messageOffset; walk.next++) {
    walk.results[walk.next] = {
      timestampMs,
      offset: messageOffset,
      exact: (attributes & COMPRESSION_MASK) === 0,
    };
  }
}
