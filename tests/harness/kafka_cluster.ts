/**
 * A real multi-node Apache Kafka cluster (KRaft) on 127.0.0.1: N nodes that are each broker and
 * controller (a static quorum of N voters, so one node down keeps the quorum), with replication
 * factor N and min.insync.replicas N−1 for every topic by default. Each node can be stopped
 * (SIGTERM: controlled shutdown), killed (SIGKILL), hung (SIGSTOP) and resumed (SIGCONT), and
 * started again on the same ports and data. Same KAFKA_VERSION parameter as the single broker.
 */
import { Kafka, logLevel } from "kafkajs";
import { installNonNegativeQueueTimer } from "../../src/kafka/kafkajs/timer_patch.ts";
import { freePort, killWhenParentDies, waitForPort } from "./processes.ts";
import {
  ensureJars,
  java,
  kafkaVersion,
  spawnJava,
  spawnKafkaServer,
  writeLog4jConfig,
} from "./kafka.ts";

// kafkajs would print a TimeoutNegativeWarning on every connection (see the patch).
installNonNegativeQueueTimer();

/** One node of the cluster. */
export interface KafkaNode {
  nodeId: number;
  port: number;
  bootstrap: string;
  dataDir: string;
  /** Whether its JVM runs (a hung node runs). */
  running(): boolean;
  /** SIGTERM (controlled shutdown: leadership moves first) and waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: no controlled shutdown. */
  kill(): Promise<void>;
  /** SIGSTOP: the process keeps its sockets open and answers nothing. */
  hang(): void;
  /** The JVM's process id (undefined while stopped), e.g. to read /proc/<pid>/status. */
  pid(): number | undefined;
  /** SIGCONT after hang(). */
  resume(): void;
  /** Starts a stopped or killed node on the same ports and data; resolves when it listens. */
  start(): Promise<void>;
}

/** A running cluster; dispose to kill every node and delete the data. */
export interface KafkaCluster extends AsyncDisposable {
  nodes: KafkaNode[];
  /** Every node's listener, comma-free list for configs. */
  brokers: string[];
  version: string;
  runTool(
    mainClass: string,
    args: string[],
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  spawnTool(mainClass: string, args: string[]): AsyncDisposable;
  /**
   * Waits until every partition of `topics` (and of __consumer_offsets) has a leader and all its
   * replicas in sync, i.e. the cluster recovered from a node restart.
   */
  waitUntilInSync(topics: string[], timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `size` nodes and waits until all have joined and the group coordinator works. */
export async function startKafkaCluster(
  options: { size?: number; version?: string } = {},
): Promise<KafkaCluster> {
  const size = options.size ?? 3;
  const version = options.version ?? kafkaVersion();
  await ensureJars(version);
  const root = await Deno.makeTempDir({ prefix: "kafka-lag-deno-cluster-" });
  const specs = Array.from({ length: size }, (_, index) => ({
    nodeId: index + 1,
    port: freePort(),
    controllerPort: freePort(),
    dir: `${root}/node-${index + 1}`,
  }));
  const voters = specs.map((spec) => `${spec.nodeId}@127.0.0.1:${spec.controllerPort}`).join(",");
  const clusterId = (await java(version, "kafka.tools.StorageTool", ["random-uuid"])).stdout.trim();
  const replication = String(size);
  const minInSync = String(Math.max(1, size - 1));
  await Promise.all(specs.map(async (spec) => {
    await Deno.mkdir(spec.dir, { recursive: true });
    const properties = [
      "process.roles=broker,controller",
      `node.id=${spec.nodeId}`,
      `controller.quorum.voters=${voters}`,
      `listeners=PLAINTEXT://127.0.0.1:${spec.port},CONTROLLER://127.0.0.1:${spec.controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${spec.port}`,
      "controller.listener.names=CONTROLLER",
      "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
      "inter.broker.listener.name=PLAINTEXT",
      `log.dirs=${spec.dir}/data`,
      "num.partitions=1",
      `default.replication.factor=${replication}`,
      `min.insync.replicas=${minInSync}`,
      `offsets.topic.replication.factor=${replication}`,
      "offsets.topic.num.partitions=6",
      `transaction.state.log.replication.factor=${replication}`,
      `transaction.state.log.min.isr=${minInSync}`,
      "group.initial.rebalance.delay.ms=0",
      "auto.create.topics.enable=false",
      "delete.topic.enable=true",
      // A stopped follower leaves the ISR after this long; the default 30 s would keep the
      // partitions under-replicated long after the node is back.
      "replica.lag.time.max.ms=5000",
      "controlled.shutdown.enable=true",
    ];
    await Deno.writeTextFile(`${spec.dir}/server.properties`, properties.join("\n") + "\n");
    await writeLog4jConfig(spec.dir);
    const format = await java(version, "kafka.tools.StorageTool", [
      "format",
      `--cluster-id=${clusterId}`,
      "-c",
      `${spec.dir}/server.properties`,
    ]);
    if (format.code !== 0) {
      throw new Error(`kafka storage format failed: ${format.stderr || format.stdout}`);
    }
  }));

  const nodes: KafkaNode[] = specs.map((spec) => {
    let child: Deno.ChildProcess | undefined;
    let stopWatchdog = () => {};
    const launch = () => {
      child = spawnKafkaServer(version, spec.dir);
      stopWatchdog = killWhenParentDies(child.pid);
    };
    const signalAndWait = async (signal: Deno.Signal) => {
      if (!child) return;
      try {
        child.kill(signal);
      } catch {
        // already exited
      }
      await child.status;
      stopWatchdog();
      child = undefined;
    };
    return {
      nodeId: spec.nodeId,
      port: spec.port,
      bootstrap: `127.0.0.1:${spec.port}`,
      dataDir: `${spec.dir}/data`,
      running: () => child !== undefined,
      pid: () => child?.pid,
      stop: () => signalAndWait("SIGTERM"),
      kill: () => signalAndWait("SIGKILL"),
      hang: () => child?.kill("SIGSTOP"),
      resume: () => child?.kill("SIGCONT"),
      start: async () => {
        if (child) throw new Error(`node ${spec.nodeId} is running`);
        launch();
        await waitForPort(spec.port, 90_000);
      },
    };
  });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const node of nodes) node.resume();
    await Promise.all(nodes.map((node) => node.kill()));
    await Deno.remove(root, { recursive: true }).catch(() => {});
  };

  const brokers = nodes.map((node) => node.bootstrap);
  const waitUntilInSync = async (topics: string[], timeoutMs = 120_000) => {
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
    const deadline = Date.now() + timeoutMs;
    let last = "not asked yet";
    while (Date.now() < deadline) {
      const admin = kafka.admin();
      try {
        await admin.connect();
        const metadata = await admin.fetchTopicMetadata({
          topics: [...topics, "__consumer_offsets"],
        });
        const lagging = metadata.topics.flatMap((topic) =>
          topic.partitions.filter((partition) =>
            partition.leader < 0 || partition.isr.length < partition.replicas.length
          ).map((partition) => `${topic.name}-${partition.partitionId}`)
        );
        if (lagging.length === 0) return;
        last = `not in sync: ${lagging.slice(0, 5).join(", ")}`;
      } catch (error) {
        last = String(error);
      } finally {
        await admin.disconnect().catch(() => {});
      }
      // sleep-ok: poll interval of a wait loop
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`cluster not in sync after ${timeoutMs} ms: ${last}`);
  };

  // All at once: a node opens its broker listener only once a quorum of controllers is up.
  await Promise.all(nodes.map((node) => node.start()));
  try {
    await waitUntilCoordinatorWorks(brokers, size, version);
  } catch (error) {
    const logs = await Promise.all(
      specs.map((spec) => Deno.readTextFile(`${spec.dir}/broker.log`).catch(() => "(no log)")),
    );
    await stop();
    throw new Error(
      `Kafka cluster ${version} did not start: ${logs.map((log) => log.slice(-1_500)).join("\n")}`,
      { cause: error },
    );
  }

  return {
    nodes,
    brokers,
    version,
    runTool: (mainClass, args) => java(version, mainClass, args),
    spawnTool: (mainClass, args) => spawnJava(version, mainClass, args),
    waitUntilInSync,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

async function waitUntilCoordinatorWorks(
  brokers: string[],
  size: number,
  version: string,
): Promise<void> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const deadline = Date.now() + 120_000;
  while (true) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      const described = await admin.describeCluster();
      if (described.brokers.length < size) throw new Error(`${described.brokers.length} brokers`);
      // Creates __consumer_offsets (replicated on every node): the slow part of a fresh cluster.
      await admin.fetchOffsets({ groupId: "harness-warmup", topics: [] });
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`Kafka ${version} cluster never answered`, { cause: error });
      }
      // sleep-ok: poll interval of a wait loop
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}
