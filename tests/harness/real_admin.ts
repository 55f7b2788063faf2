/** The exporter's own KafkaAdmin (kafkajs-backed) on a test broker, counting its requests. */
import { createKafkajsAdmin } from "../../src/kafka/kafkajs_admin.ts";
import type { KafkaAdmin } from "../../src/kafka/kafka_admin.ts";
import { compileNameFilter } from "../../src/config/schema/name_filter.ts";
import { createLogger } from "../../src/log/logger.ts";

/** An admin for `bootstrap` with every group and topic; `requests` counts Kafka requests by API. */
export function realKafkaAdmin(
  bootstrap: string,
  options: { groupBatching?: boolean } = {},
): { admin: KafkaAdmin; requests: Record<string, number> } {
  const requests: Record<string, number> = {};
  const admin = createKafkajsAdmin({
    name: "local",
    brokers: [bootstrap],
    requestTimeoutMs: 10_000,
    metadataTimeoutMs: 5_000,
    groupFilter: compileNameFilter(undefined, undefined),
    topicFilter: compileNameFilter(undefined, undefined),
    recordTimestamps: {
      exact: false,
      maxPartitions: 1_000,
      maxFutureSkewMs: 60_000,
      maxBatchBytes: 16_777_216,
    },
  }, {
    now: () => Date.now(),
    logger: createLogger({ level: "error", format: "text", write: () => {} }),
    readTextFile: (path) => Deno.readTextFileSync(path),
    observeRequest: (api) => requests[api] = (requests[api] ?? 0) + 1,
    groupBatching: options.groupBatching,
  });
  return { admin, requests };
}
