/**
 * A real single-node Apache Kafka (KRaft, broker + controller in one JVM) on 127.0.0.1 with free
 * ports, from the Maven Central jars in .cache/kafka/<version>/libs (scripts/fetch_kafka.sh).
 * The version is KAFKA_VERSION, else scripts/kafka/VERSION, so the suite also runs against 3.9.
 */
import { Kafka, logLevel } from "kafkajs";
import { freePort, killWhenParentDies, waitForPort } from "./processes.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The pinned Kafka version, or KAFKA_VERSION. */
export function kafkaVersion(): string {
  return Deno.env.get("KAFKA_VERSION") ??
    Deno.readTextFileSync(`${ROOT}scripts/kafka/VERSION`).trim();
}

/** A running broker; stop() (or `await using`) kills it and deletes its data. */
export interface KafkaBroker extends AsyncDisposable {
  bootstrap: string;
  port: number;
  version: string;
  /** Runs a Kafka CLI tool's main class on the broker's classpath. */
  runTool(
    mainClass: string,
    args: string[],
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

function libsDir(version: string): string {
  return `${ROOT}.cache/kafka/${version}/libs`;
}

async function ensureJars(version: string): Promise<void> {
  try {
    await Deno.stat(`${libsDir(version)}/.complete`);
    return;
  } catch {
    // not fetched yet
  }
  const result = await new Deno.Command("bash", {
    args: [`${ROOT}scripts/fetch_kafka.sh`, version],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!result.success) {
    throw new Error(`cannot fetch Kafka ${version} jars (scripts/fetch_kafka.sh failed)`);
  }
}

const JVM_OPTIONS = [
  "-Xms256m",
  "-Xmx512m",
  "-XX:+UseSerialGC",
  "-XX:TieredStopAtLevel=1",
  "-Xshare:auto",
];

async function java(
  version: string,
  mainClass: string,
  args: string[],
  extraOptions: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command("java", {
    args: [...JVM_OPTIONS, ...extraOptions, "-cp", `${libsDir(version)}/*`, mainClass, ...args],
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Starts a broker and waits until it answers; throws with its log tail if it does not within 90 s. */
export async function startKafka(options: { version?: string } = {}): Promise<KafkaBroker> {
  const version = options.version ?? kafkaVersion();
  await ensureJars(version);
  const dir = await Deno.makeTempDir({ prefix: "kafka-lag-deno-kafka-" });
  const port = freePort();
  const controllerPort = freePort();
  const properties = [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    "controller.listener.names=CONTROLLER",
    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "inter.broker.listener.name=PLAINTEXT",
    `log.dirs=${dir}/data`,
    "num.partitions=1",
    "offsets.topic.replication.factor=1",
    "offsets.topic.num.partitions=4",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "group.initial.rebalance.delay.ms=0",
    "auto.create.topics.enable=false",
    "delete.topic.enable=true",
  ];
  await Deno.writeTextFile(`${dir}/server.properties`, properties.join("\n") + "\n");
  await Deno.writeTextFile(
    `${dir}/log4j2.properties`,
    [
      "appender.file.type=File",
      "appender.file.name=file",
      `appender.file.fileName=${dir}/broker.log`,
      "appender.file.layout.type=PatternLayout",
      "appender.file.layout.pattern=[%d] %p %m (%c)%n",
      "rootLogger.level=WARN",
      "rootLogger.appenderRef.file.ref=file",
    ].join("\n") + "\n",
  );

  const clusterId = (await java(version, "kafka.tools.StorageTool", ["random-uuid"])).stdout.trim();
  const format = await java(version, "kafka.tools.StorageTool", [
    "format",
    "-t",
    clusterId,
    "-c",
    `${dir}/server.properties`,
  ]);
  if (format.code !== 0) {
    throw new Error(`kafka storage format failed: ${format.stderr || format.stdout}`);
  }

  const child = new Deno.Command("java", {
    args: [
      ...JVM_OPTIONS,
      `-Dlog4j2.configurationFile=${dir}/log4j2.properties`,
      `-Dlog4j.configuration=file:${dir}/log4j.properties`,
      "-cp",
      `${libsDir(version)}/*`,
      "kafka.Kafka",
      `${dir}/server.properties`,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const stopWatchdog = killWhenParentDies(child.pid);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await child.status;
    stopWatchdog();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };

  try {
    await waitForPort(port, 90_000);
    await waitUntilAnswering(version, `127.0.0.1:${port}`);
  } catch (error) {
    const log = await Deno.readTextFile(`${dir}/broker.log`).catch(() => "(no log)");
    await stop();
    throw new Error(`Kafka ${version} did not start: ${log.split("\n").slice(-20).join("\n")}`, {
      cause: error,
    });
  }

  return {
    bootstrap: `127.0.0.1:${port}`,
    port,
    version,
    runTool: (mainClass, args) => java(version, mainClass, args),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

async function waitUntilAnswering(version: string, bootstrap: string): Promise<void> {
  const kafka = new Kafka({
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const deadline = Date.now() + 60_000;
  while (true) {
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.listTopics();
      // The group coordinator is ready once __consumer_offsets can be used: creating it is the
      // slow part of a fresh broker, so do it here rather than in the first test.
      await admin.fetchOffsets({ groupId: "harness-warmup", topics: [] });
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`Kafka ${version} at ${bootstrap} never answered`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}
