/** Several exporter processes sharing one Kafka cluster through one Redis, for scale-out tests. */
import { type ExporterProcess, startExporter } from "./exporter.ts";
import { findSamples } from "./prom_text.ts";

/** How the instances are configured. */
export interface FleetOptions {
  bootstrap: string;
  redis: { host: string; port: number };
  keyPrefix: string;
  heartbeatTtlMs: number;
  intervalMs: number;
}

/** The running instances by node id; start, forget and ask who exports which group. */
export class Fleet {
  readonly running = new Map<string, ExporterProcess>();
  readonly #options: FleetOptions;

  constructor(options: FleetOptions) {
    this.#options = options;
  }

  /** Starts an instance with this node id (its own ports, the shared Redis). */
  async start(nodeId: string): Promise<ExporterProcess> {
    const exporter = await startExporter(this.config(nodeId));
    this.running.set(nodeId, exporter);
    return exporter;
  }

  /** The configuration an instance with this node id runs with. */
  config(nodeId: string) {
    const { bootstrap, redis, keyPrefix, heartbeatTtlMs, intervalMs } = this.#options;
    return {
      kafka_clusters: [{ name: "main", brokers: [bootstrap] }],
      storage: {
        type: "redis",
        redis: {
          address: redis.host,
          port: redis.port,
          key_prefix: keyPrefix,
          heartbeat_ttl: `${heartbeatTtlMs}ms`,
        },
      },
      app: { iteration_interval: `${intervalMs}ms`, node_id: nodeId },
    };
  }

  /** group → instances exporting it now (an instance that does not answer exports nothing). */
  async owners(): Promise<Map<string, string[]>> {
    const byGroup = new Map<string, string[]>();
    await Promise.all([...this.running].map(async ([nodeId, exporter]) => {
      const samples = await exporter.scrape().catch(() => []);
      for (const sample of findSamples(samples, "kafka_consumer_group_sum_lag_in_offsets")) {
        byGroup.set(sample.labels.group, [...(byGroup.get(sample.labels.group) ?? []), nodeId]);
      }
    }));
    return byGroup;
  }

  /** Kills every instance still running. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((exporter) => exporter.stop("SIGKILL")));
  }
}
