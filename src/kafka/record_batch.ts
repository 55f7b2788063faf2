/**
 * Just enough of the Kafka wire format to read record timestamps for lag in seconds: the Fetch v4
 * response and record batches (magic 2, and the older message sets with magic 1). Written here
 * rather than taken from kafkajs because kafkajs has no lz4, snappy or zstd codec built in and
 * discards a truncated batch, whose header alone still bounds a record's timestamp.
 */
import { decompressRecords } from "./compression.ts";
import { WireReader } from "./wire.ts";

/** One partition of a Fetch response. */
export interface FetchedPartition {
  topic: string;
  partition: number;
  errorCode: number;
  records: Uint8Array;
}

/**
 * A record's timestamp; `exact` is false when it was placed on its batch's time line because the
 * batch arrived truncated or could not be decompressed.
 */
export interface RecordTimestamp {
  timestampMs: number;
  offset: number;
  exact: boolean;
}

/** Decodes a Fetch response body (version 4, after the correlation id). */
export function decodeFetchResponseV4(body: Uint8Array): FetchedPartition[] {
  const reader = new WireReader(body);
  reader.int32(); // throttle_time_ms
  const partitions: FetchedPartition[] = [];
  const topicCount = reader.int32();
  for (let topicIndex = 0; topicIndex < topicCount; topicIndex++) {
    const topic = reader.string();
    const partitionCount = reader.int32();
    for (let partitionIndex = 0; partitionIndex < partitionCount; partitionIndex++) {
      const partition = reader.int32();
      const errorCode = reader.int16();
      reader.int64(); // high_watermark
      reader.int64(); // last_stable_offset
      const abortedCount = reader.int32();
      for (let aborted = 0; aborted < abortedCount; aborted++) {
        reader.int64();
        reader.int64();
      }
      const recordsLength = reader.int32();
      const records = recordsLength < 0 ? new Uint8Array() : reader.slice(recordsLength);
      partitions.push({ topic, partition, errorCode, records });
    }
  }
  return partitions;
}

const BATCH_HEADER_BYTES = 61; // baseOffset … recordCount of a magic-2 batch
const COMPRESSION_MASK = 0x07;
const LOG_APPEND_TIME = 0x08;
const CONTROL_BATCH = 0x20;

/**
 * The timestamp of the record at `offset`, or of the first record after it when it no longer
 * exists (compaction, transaction markers). `records` may end in a truncated batch: its header
 * still bounds the timestamps, and its first records may still be readable.
 */
export function findRecordTimestamp(
  records: Uint8Array,
  offset: number,
): RecordTimestamp | undefined {
  const reader = new WireReader(records);
  while (reader.remaining() >= 17) {
    const start = reader.position;
    const baseOffset = reader.int64();
    const length = reader.int32();
    reader.int32(); // partitionLeaderEpoch (magic 2) or crc (magic 0/1)
    const magic = reader.int8();
    const batchEnd = start + 12 + length;
    if (magic < 2) {
      const found = legacyMessageTimestamp(reader, {
        magic,
        messageOffset: baseOffset,
        offset,
        messageEnd: batchEnd,
      });
      if (found) return found;
      if (batchEnd > records.byteLength) return undefined;
      reader.position = batchEnd;
      continue;
    }
    if (start + BATCH_HEADER_BYTES > records.byteLength) return undefined;
    reader.int32(); // crc
    const attributes = reader.int16();
    const lastOffsetDelta = reader.int32();
    const firstTimestamp = reader.int64();
    const maxTimestamp = reader.int64();
    reader.int64(); // producerId
    reader.int16(); // producerEpoch
    reader.int32(); // baseSequence
    const recordCount = reader.int32();
    const lastOffset = baseOffset + lastOffsetDelta;
    if (lastOffset >= offset && (attributes & CONTROL_BATCH) === 0) {
      if (attributes & LOG_APPEND_TIME) {
        return { timestampMs: maxTimestamp, offset: Math.max(offset, baseOffset), exact: true };
      }
      if (offset <= baseOffset) {
        return { timestampMs: firstTimestamp, offset: baseOffset, exact: true };
      }
      const codec = attributes & COMPRESSION_MASK;
      const search = { recordCount, baseOffset, firstTimestamp, offset };
      if (codec === 0) {
        const found = recordTimestampInBatch(reader, { ...search, batchEnd });
        if (found) return found;
      } else if (batchEnd <= records.byteLength) {
        const compressed = reader.slice(batchEnd - reader.position);
        const found = compressedRecordTimestamp({ codec, compressed }, search);
        if (found) return found;
      }
      // Cut before the record, or not decompressible: place it on the batch's time line.
      const share = lastOffsetDelta === 0 ? 0 : (offset - baseOffset) / lastOffsetDelta;
      return {
        timestampMs: firstTimestamp + share * (maxTimestamp - firstTimestamp),
        offset,
        exact: false,
      };
    }
    if (batchEnd > records.byteLength) return undefined;
    reader.position = batchEnd;
  }
  return undefined;
}

/** A record looked for in one batch: the batch header's fields and the offset sought. */
interface RecordSearch {
  recordCount: number;
  baseOffset: number;
  firstTimestamp: number;
  offset: number;
}

function compressedRecordTimestamp(
  { codec, compressed }: { codec: number; compressed: Uint8Array },
  search: RecordSearch,
): RecordTimestamp | undefined {
  let records: Uint8Array;
  try {
    records = decompressRecords(codec, compressed);
  } catch {
    return undefined; // corrupt or unknown codec: the caller uses the batch header
  }
  return recordTimestampInBatch(new WireReader(records), {
    ...search,
    batchEnd: records.byteLength,
  });
}

function recordTimestampInBatch(
  reader: WireReader,
  { recordCount, baseOffset, firstTimestamp, offset, batchEnd }: RecordSearch & {
    batchEnd: number;
  },
): RecordTimestamp | undefined {
  try {
    for (let index = 0; index < recordCount && reader.position < batchEnd; index++) {
      const length = reader.varint();
      const recordStart = reader.position;
      reader.int8(); // attributes
      const timestampDelta = reader.varint();
      const offsetDelta = reader.varint();
      if (baseOffset + offsetDelta >= offset) {
        return {
          timestampMs: firstTimestamp + timestampDelta,
          offset: baseOffset + offsetDelta,
          exact: true,
        };
      }
      reader.position = recordStart + length;
    }
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    // The batch was truncated inside a record: the caller falls back to the batch header.
  }
  return undefined;
}

function legacyMessageTimestamp(
  reader: WireReader,
  { magic, messageOffset, offset, messageEnd }: {
    magic: number;
    messageOffset: number;
    offset: number;
    messageEnd: number;
  },
): RecordTimestamp | undefined {
  // Magic 0 messages carry no timestamp; a compressed magic-1 wrapper carries the newest
  // timestamp of the messages it holds (its offset is the last inner one).
  if (magic !== 1 || messageOffset < offset || messageEnd > reader.bytes.byteLength) {
    return undefined;
  }
  const attributes = reader.int8();
  const timestampMs = reader.int64();
  return { timestampMs, offset: messageOffset, exact: (attributes & COMPRESSION_MASK) === 0 };
}
