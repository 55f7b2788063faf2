/**
 * Every decoder of bytes a broker or a producer controls, each with its seeds: the real answers
 * of tests/fuzz/corpus.json (scripts/fuzz/capture_corpus.ts), the record batches of every codec
 * inside its Fetch answers, the consumer assignments inside its DescribeGroups answer, and
 * decompression bombs of every codec.
 */
import { Buffer } from "node:buffer";
import metadataV6 from "kafkajs/src/protocol/requests/metadata/v6/response.js";
import { decompressRecords } from "../../src/kafka/protocol/records/compression.ts";
import {
  decodeConsumerAssignment,
  decodeConsumerGroupDescribeV0,
  decodeDescribeGroupsV4,
} from "../../src/kafka/protocol/describe_groups.ts";
import { decodeListGroups } from "../../src/kafka/protocol/list_groups.ts";
import { decodeFindCoordinatorV4 } from "../../src/kafka/protocol/find_coordinator.ts";
import { decodeOffsetFetchV8 } from "../../src/kafka/protocol/offset_fetch.ts";
import { tolerantMetadataParse } from "../../src/kafka/kafkajs/metadata_patch.ts";
import { installBoundedArrayDecoding } from "../../src/kafka/kafkajs/decoder_patch.ts";
import { decodeListOffsetsV4 } from "../../src/kafka/protocol/list_offsets.ts";
import { decodeFetchResponseV4 } from "../../src/kafka/protocol/fetch.ts";
import { findRecordTimestamps } from "../../src/kafka/protocol/records/record_batch.ts";
import { WireReader } from "../../src/kafka/protocol/wire.ts";
import { gzipBomb, lz4ZeroBomb, snappyDeclaredBomb, zstdBomb } from "../harness/record_batches.ts";
import { type Compound, hostileVarint, type Hotspots } from "./mutate.ts";

/** The cap the targets run with: the exporter's default. */
export const FUZZ_MAX_BATCH_BYTES = 16 * 1024 * 1024;

/** A decoder under test: its seeds and one call on an input (returns or throws). */
export interface FuzzTarget {
  name: string;
  seeds: Uint8Array[];
  hotspots?: Hotspots;
  compound?: Compound;
  run(bytes: Uint8Array): unknown;
}

/** The real answers captured from a broker, by "API vN". */
function corpus(): Record<string, Uint8Array[]> {
  const file = JSON.parse(
    Deno.readTextFileSync(new URL("./corpus.json", import.meta.url)),
  ) as { answers: Record<string, string[]> };
  return Object.fromEntries(
    Object.entries(file.answers).map((
      [api, answers],
    ) => [api, answers.map((text) => new Uint8Array(Buffer.from(text, "base64")))]),
  );
}

/** Offsets of every batch of a records section (its fields are the hotspots). */
function batchStarts(records: Uint8Array): number[] {
  const starts: number[] = [];
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  for (let position = 0; position + 12 <= records.byteLength && starts.length < 64;) {
    starts.push(position);
    const length = view.getInt32(position + 8);
    if (length <= 0) break;
    position += 12 + length;
  }
  return starts;
}

/** baseOffset, length, magic, attributes, lastOffsetDelta, recordCount, first record length. */
const BATCH_FIELDS = [0, 8, 16, 21, 23, 57, 61];
const batchHotspots: Hotspots = (records) =>
  batchStarts(records).flatMap((start) => BATCH_FIELDS.map((field) => start + field));

/** One batch claims 2³¹−1 records and its first record's length is hostile. */
const countAndLength: Compound = (records, random) => {
  const starts = batchStarts(records).filter((start) => start + 72 <= records.byteLength);
  if (starts.length === 0) return;
  const start = random.pick(starts);
  new DataView(records.buffer, records.byteOffset).setInt32(start + 57, 2147483647);
  records.set(hostileVarint(random), start + 61);
};

/** The codec of a records section's first batch. */
function codecOf(records: Uint8Array): number {
  return records.byteLength > 22 ? records[22] & 0x07 : 0;
}

/** The compressed records section of each complete compressed batch. */
function compressedSections(records: Uint8Array): Array<{ codec: number; bytes: Uint8Array }> {
  const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
  return batchStarts(records).flatMap((start) => {
    const end = start + 12 + view.getInt32(start + 8);
    const codec = records[start + 22] & 0x07;
    return codec === 0 || end > records.byteLength || start + 61 > end
      ? []
      : [{ codec, bytes: records.subarray(start + 61, end) }];
  });
}

/** A magic-2 batch header (64 records, offsets 0…63) around a compressed section. */
function batchAround(codec: number, payload: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(61 + payload.byteLength);
  const view = new DataView(bytes.buffer);
  view.setInt32(8, 49 + payload.byteLength);
  view.setInt8(16, 2);
  view.setInt16(21, codec);
  view.setInt32(23, 63);
  view.setBigInt64(27, 1_700_000_000_000n);
  view.setBigInt64(35, 1_700_000_000_000n);
  view.setInt32(57, 64);
  bytes.set(payload, 61);
  return bytes;
}

/** The assignment bytes of every member of a DescribeGroups v4 answer. */
function assignmentsOf(answer: Uint8Array): Uint8Array[] {
  const reader = new WireReader(answer);
  const found: Uint8Array[] = [];
  reader.int32();
  for (let group = reader.int32(); group > 0; group--) {
    reader.int16();
    for (let field = 0; field < 4; field++) reader.string();
    for (let member = reader.int32(); member > 0; member--) {
      reader.string();
      reader.nullableString();
      reader.string();
      reader.string();
      reader.nullableBytes();
      found.push(reader.nullableBytes().slice());
    }
    reader.int32();
  }
  return found;
}

const MiB = 1024 * 1024;

/** Every target with its seeds (kafkajs' decoder as the exporter patches it). */
export function fuzzTargets(): FuzzTarget[] {
  installBoundedArrayDecoding();
  const answers = corpus();
  const fetched = (answers["Fetch v4"] ?? []).flatMap((answer) =>
    decodeFetchResponseV4(answer).map((partition) => partition.records)
  ).filter((records) => records.byteLength > 0);
  const offsets = [0, 37, 150, 400, 599];
  const searchAll = (records: Uint8Array) =>
    findRecordTimestamps(records, offsets, { maxBatchBytes: FUZZ_MAX_BATCH_BYTES });
  const bombs = [
    { codec: 1, bytes: gzipBomb(16, 16 * MiB) },
    { codec: 4, bytes: zstdBomb(16, 16 * MiB) },
    { codec: 3, bytes: lz4ZeroBomb(256 * MiB) },
    { codec: 2, bytes: snappyDeclaredBomb(256 * MiB) },
  ];
  const codecNames = ["none", "gzip", "snappy", "lz4", "zstd"];
  const targets: FuzzTarget[] = codecNames.map((codecName, codec) => ({
    name: `record batches (${codecName})`,
    seeds: [
      ...fetched.filter((records) => codecOf(records) === codec),
      ...bombs.filter((bomb) => bomb.codec === codec).map((bomb) => batchAround(codec, bomb.bytes)),
    ],
    hotspots: batchHotspots,
    compound: countAndLength,
    run: searchAll,
  }));
  targets.push(
    ...codecNames.slice(1).map((codecName, index): FuzzTarget => {
      const codec = index + 1;
      return {
        name: `decompression (${codecName})`,
        seeds: [
          ...fetched.flatMap(compressedSections).filter((section) => section.codec === codec)
            .map((section) => section.bytes.slice()),
          ...bombs.filter((bomb) => bomb.codec === codec).map((bomb) => bomb.bytes),
        ],
        run: (bytes) => decompressRecords(codec, bytes, FUZZ_MAX_BATCH_BYTES),
      };
    }),
  );
  const describeGroups = answers["DescribeGroups v4"] ?? [];
  targets.push(
    {
      name: "Fetch v4",
      seeds: answers["Fetch v4"] ?? [],
      run: (bytes) => decodeFetchResponseV4(bytes).map((partition) => searchAll(partition.records)),
    },
    { name: "ListOffsets v4", seeds: answers["ListOffsets v4"] ?? [], run: decodeListOffsetsV4 },
    { name: "OffsetFetch v8", seeds: answers["OffsetFetch v8"] ?? [], run: decodeOffsetFetchV8 },
    {
      name: "FindCoordinator v4",
      seeds: answers["FindCoordinator v4"] ?? [],
      run: decodeFindCoordinatorV4,
    },
    {
      name: "ListGroups v5 (and read as v4)",
      seeds: answers["ListGroups v5"] ?? [],
      run: (bytes) => [decodeListGroups(bytes, 5), safely(() => decodeListGroups(bytes, 4))],
    },
    { name: "DescribeGroups v4", seeds: describeGroups, run: decodeDescribeGroupsV4 },
    {
      name: "ConsumerGroupDescribe v0",
      seeds: answers["ConsumerGroupDescribe v0"] ?? [],
      run: decodeConsumerGroupDescribeV0,
    },
    {
      name: "consumer assignments",
      seeds: describeGroups.flatMap(assignmentsOf).filter((bytes) => bytes.byteLength > 0),
      run: decodeConsumerAssignment,
    },
    {
      name: "Metadata v6 (kafkajs' decoder, our tolerant parse)",
      seeds: answers["Metadata v6"] ?? [],
      run: async (bytes) =>
        tolerantMetadataParse(await metadataV6.decode(Buffer.from(bytes)) as never),
    },
  );
  return targets;
}

function safely(call: () => unknown): unknown {
  try {
    return call();
  } catch (error) {
    return error;
  }
}
