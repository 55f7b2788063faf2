/**
 * The kafkajs client of one configured cluster: its options, its internal Cluster, and the
 * patches every client of this process relies on (installed once, before the first client).
 */
import { Kafka } from "kafkajs";
import type { KafkaClusterConfig } from "../../config/load_config.ts";
import { type ClientOptionDeps, kafkaClientConfig } from "./client_options.ts";
import { installBoundedArrayDecoding } from "./decoder_patch.ts";
import { type InternalCluster, internalCluster } from "./internals.ts";
import { installTolerantMetadataParse } from "./metadata_patch.ts";
import { installNonNegativeQueueTimer } from "./timer_patch.ts";

/** Installs the kafkajs patches (tolerant metadata, queue timer, bounded arrays); idempotent. */
export function installKafkajsPatches(): void {
  installTolerantMetadataParse();
  installNonNegativeQueueTimer();
  installBoundedArrayDecoding();
}

/** kafkajs' internal Cluster for `config`, not yet connected. */
export function createInternalCluster(
  config: KafkaClusterConfig,
  deps: ClientOptionDeps,
): InternalCluster {
  return internalCluster(new Kafka(kafkaClientConfig(config, deps)));
}
