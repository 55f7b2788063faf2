/**
 * kafkajs rejects a whole Metadata response when a single partition carries an error code (no
 * leader, an offline replica). For a lag exporter that would turn one leaderless partition into
 * "the whole cluster is down". This replaces the parser of every Metadata response version with
 * one that never throws: topics with a topic-level error (being created or deleted) are dropped,
 * partitions whose error leaves a usable leader are kept, and leaderless partitions get leader −1,
 * which the caller reports as not measured.
 */
import metadataV0 from "kafkajs/src/protocol/requests/metadata/v0/response.js";
import metadataV1 from "kafkajs/src/protocol/requests/metadata/v1/response.js";
import metadataV2 from "kafkajs/src/protocol/requests/metadata/v2/response.js";
import metadataV3 from "kafkajs/src/protocol/requests/metadata/v3/response.js";
import metadataV4 from "kafkajs/src/protocol/requests/metadata/v4/response.js";
import metadataV5 from "kafkajs/src/protocol/requests/metadata/v5/response.js";
import metadataV6 from "kafkajs/src/protocol/requests/metadata/v6/response.js";

/** The decoded Metadata response, as far as the exporter reads it. */
export interface DecodedMetadata {
  brokers?: Array<{ nodeId: number; host: string; port: number }>;
  topicMetadata: Array<{
    topicErrorCode: number;
    topic: string;
    partitionMetadata: Array<{ partitionErrorCode: number; partitionId: number; leader: number }>;
  }>;
}

/** Kafka error codes a partition may carry while its metadata is still usable. */
const LEADER_NOT_AVAILABLE = 5;
const REPLICA_NOT_AVAILABLE = 9;
const TOLERATED_PARTITION_ERRORS = new Set([LEADER_NOT_AVAILABLE, REPLICA_NOT_AVAILABLE]);

/**
 * Keeps the response usable despite partition-level errors: partitions without a leader get
 * leader −1; topics with a topic-level error are dropped (they are being created or deleted).
 */
export function tolerantMetadataParse<T extends DecodedMetadata>(data: T): T {
  const topicMetadata = data.topicMetadata
    .filter((topic) => topic.topicErrorCode === 0)
    .map((topic) => ({
      ...topic,
      partitionMetadata: topic.partitionMetadata.map((partition) =>
        partition.partitionErrorCode === 0 ||
          TOLERATED_PARTITION_ERRORS.has(partition.partitionErrorCode)
          ? (partition.partitionErrorCode === LEADER_NOT_AVAILABLE
            ? { ...partition, leader: -1 }
            : partition)
          : { ...partition, leader: -1 }
      ),
    }));
  return { ...data, topicMetadata };
}

let installed = false;

/** Installs the tolerant parser into kafkajs (once per process). */
export function installTolerantMetadataParse(): void {
  if (installed) return;
  installed = true;
  const parse = (data: DecodedMetadata) => Promise.resolve(tolerantMetadataParse(data));
  for (
    const response of [
      metadataV0,
      metadataV1,
      metadataV2,
      metadataV3,
      metadataV4,
      metadataV5,
      metadataV6,
    ]
  ) {
    (response as { parse: unknown }).parse = parse;
  }
}
