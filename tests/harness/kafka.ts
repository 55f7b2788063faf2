/**
 * A real single-node Apache Kafka (KRaft, broker + controller in one JVM) on 127.0.0.1 with free
 * ports, from the Maven Central jars in .cache/kafka/<version>/libs (scripts/fetch_kafka.sh).
 * The version is KAFKA_VERSION, else scripts/kafka/VERSION, so the suite also runs against 3.9.
 * The JVM side (jars, logging, java processes) is kafka_jvm.ts.
 */
import { Kafka, logLevel } from "kafkajs";
import { installNonNegativeQueueTimer } from "../../src/kafka/kafkajs/timer_patch.ts";
import { freePort, killWhenParentDies, waitForPort } from "./processes.ts";
import { ensureJars, java, spawnJava, spawnKafkaServer, writeLog4jConfig } from "./kafka_jvm.ts";

export {
  ensureJars,
  java,
  JVM_OPTIONS,
  libsDir,
  spawnJava,
  spawnKafkaServer,
  writeLog4jConfig,
} from "./kafka_jvm.ts";
import type { TestCertificates } from "./certs.ts";

// kafkajs would print a TimeoutNegativeWarning on every connection (see the patch).
installNonNegativeQueueTimer();

const ROOT = new URL("../../", import.meta.url).pathname;

/** The pinned Kafka version, or KAFKA_VERSION. */
export function kafkaVersion(): string {
  return Deno.env.get("KAFKA_VERSION") ??
    Deno.readTextFileSync(`${ROOT}scripts/kafka/VERSION`).trim();
}

/** A running broker; stop() (or `await using`) kills it and deletes its data. */
export interface KafkaBroker extends AsyncDisposable {
  /** The plaintext listener (a super user when an authorizer is on). */
  bootstrap: string;
  port: number;
  version: string;
  /** The broker's log.dirs (partition folders), e.g. for kafka.tools.DumpLogSegments. */
  dataDir: string;
  /** The broker's log (WARN and above). */
  logFile: string;
  /** With `security`: listeners by protocol; with `relayed`, the port the relay forwards to. */
  listeners: { ssl?: string; saslSsl?: string; saslPlaintext?: string; relayedPort?: number };
  /** Runs a Kafka CLI tool's main class on the broker's classpath. */
  runTool(
    mainClass: string,
    args: string[],
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Starts a long-running Kafka CLI tool (e.g. a console consumer); dispose to kill it. */
  spawnTool(mainClass: string, args: string[]): AsyncDisposable;
  /** Kills the broker (SIGKILL), keeping its data and ports. */
  kill(): Promise<void>;
  /** SIGSTOP: the broker keeps its sockets open and answers nothing; resume() undoes it. */
  hang(): void;
  resume(): void;
  /** Starts a killed broker again on the same ports and data; resolves when it answers. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A secured broker: TLS and SASL listeners, SCRAM users, optionally an authorizer. */
export interface KafkaSecurity {
  certs: TestCertificates;
  /** SASL users (PLAIN and SCRAM-SHA-256/512) with their passwords. */
  users: Record<string, string>;
  /** StandardAuthorizer on; the plaintext listener's ANONYMOUS principal is the only super user. */
  authorizer?: boolean;
  /**
   * OAUTHBEARER on both SASL listeners, validated by Kafka's OAuthBearerValidatorCallbackHandler
   * against this JWKS; sessions end with the token (re-authentication required).
   */
  oauth?: { jwksUrl: string; audience: string };
}

/** Starts a broker and waits until it answers; throws with its log tail if it does not within 90 s. */
export async function startKafka(
  options: {
    version?: string;
    security?: KafkaSecurity;
    /** The broker's maximum JVM heap (-Xmx), when the tests' 512m is not enough (benchmarks). */
    maxHeap?: string;
    /**
     * A second plaintext listener advertised at another port (a relay's): clients that
     * bootstrap there are told to connect there too, and so reach the broker only through it.
     */
    relayed?: { advertisedPort: number };
  } = {},
): Promise<KafkaBroker> {
  const version = options.version ?? kafkaVersion();
  await ensureJars(version);
  const dir = await Deno.makeTempDir({ prefix: "kafka-lag-deno-kafka-" });
  const port = freePort();
  const controllerPort = freePort();
  const security = options.security;
  const listeners = [`PLAINTEXT://127.0.0.1:${port}`];
  const protocols = ["PLAINTEXT:PLAINTEXT", "CONTROLLER:PLAINTEXT"];
  const extra: string[] = [];
  const securedListeners: KafkaBroker["listeners"] = {};
  const formatArgs: string[] = [];
  const jvmOptions: string[] = options.maxHeap ? [`-Xmx${options.maxHeap}`] : [];
  if (security) {
    const sslPort = freePort();
    const saslSslPort = freePort();
    const saslPlainPort = freePort();
    listeners.push(
      `SSL://127.0.0.1:${sslPort}`,
      `SASL_SSL://127.0.0.1:${saslSslPort}`,
      `SASL_PLAINTEXT://127.0.0.1:${saslPlainPort}`,
    );
    protocols.push("SSL:SSL", "SASL_SSL:SASL_SSL", "SASL_PLAINTEXT:SASL_PLAINTEXT");
    Object.assign(securedListeners, {
      ssl: `127.0.0.1:${sslPort}`,
      saslSsl: `127.0.0.1:${saslSslPort}`,
      saslPlaintext: `127.0.0.1:${saslPlainPort}`,
    });
    const keystore = `${dir}/broker.p12`;
    const pkcs12 = await new Deno.Command("openssl", {
      args: [
        "pkcs12",
        "-export",
        "-in",
        security.certs.certFile,
        "-inkey",
        security.certs.keyFile,
        "-out",
        keystore,
        "-passout",
        "pass:changeit",
      ],
    }).output();
    if (!pkcs12.success) {
      throw new Error(`openssl pkcs12: ${new TextDecoder().decode(pkcs12.stderr)}`);
    }
    const plainUsers = Object.entries(security.users).map(([user, password]) =>
      `user_${user}="${password}"`
    ).join(" ");
    extra.push(
      "ssl.keystore.type=PKCS12",
      `ssl.keystore.location=${keystore}`,
      "ssl.keystore.password=changeit",
      "ssl.key.password=changeit",
      "ssl.truststore.type=PEM",
      `ssl.truststore.location=${security.certs.caFile}`,
      "listener.name.ssl.ssl.client.auth=required",
      `sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512${
        security.oauth ? ",OAUTHBEARER" : ""
      }`,
    );
    if (security.oauth) {
      extra.push(
        `sasl.oauthbearer.jwks.endpoint.url=${security.oauth.jwksUrl}`,
        `sasl.oauthbearer.expected.audience=${security.oauth.audience}`,
      );
      // Kafka 4 fetches only from URLs it is told to trust.
      jvmOptions.push(`-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=${security.oauth.jwksUrl}`);
      for (const listener of ["sasl_ssl", "sasl_plaintext"]) {
        const prefix = `listener.name.${listener}.oauthbearer`;
        extra.push(
          `${prefix}.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;`,
          `${prefix}.sasl.server.callback.handler.class=org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler`,
          // A session lasts as long as its token: the client must re-authenticate with a new one.
          `${prefix}.connections.max.reauth.ms=600000`,
        );
      }
    }
    for (const listener of ["sasl_ssl", "sasl_plaintext"]) {
      extra.push(
        `listener.name.${listener}.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ${plainUsers};`,
        `listener.name.${listener}.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
        `listener.name.${listener}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
      );
    }
    if (security.authorizer) {
      extra.push(
        "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
        "super.users=User:ANONYMOUS",
        "allow.everyone.if.no.acl.found=false",
      );
    }
    // SCRAM credentials are created with Kafka's own storage tool at format time (KIP-900).
    for (const [user, password] of Object.entries(security.users)) {
      for (const mechanism of ["SCRAM-SHA-256", "SCRAM-SHA-512"]) {
        formatArgs.push("--add-scram", `${mechanism}=[name=${user},password=${password}]`);
      }
    }
  }
  let relayPort: number | undefined;
  if (options.relayed) {
    relayPort = freePort();
    listeners.push(`RELAYED://127.0.0.1:${relayPort}`);
    protocols.push("RELAYED:PLAINTEXT");
  }
  listeners.push(`CONTROLLER://127.0.0.1:${controllerPort}`);
  const advertised = listeners.filter((listener) => !listener.startsWith("CONTROLLER")).map(
    (listener) =>
      listener.startsWith("RELAYED://")
        ? `RELAYED://127.0.0.1:${options.relayed!.advertisedPort}`
        : listener,
  );
  const properties = [
    "process.roles=broker,controller",
    "node.id=1",
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=${listeners.join(",")}`,
    `advertised.listeners=${advertised.join(",")}`,
    "controller.listener.names=CONTROLLER",
    `listener.security.protocol.map=${protocols.join(",")}`,
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
    // Compacted topics are cleaned within a second, not after the default 15 s pause.
    "log.cleaner.backoff.ms=500",
    ...extra,
  ];
  await Deno.writeTextFile(`${dir}/server.properties`, properties.join("\n") + "\n");
  await writeLog4jConfig(dir);

  const clusterId = (await java(version, "kafka.tools.StorageTool", ["random-uuid"])).stdout.trim();
  const format = await java(version, "kafka.tools.StorageTool", [
    "format",
    // One word: an id may start with "-" (Kafka 2.8 makes such ids), which a separate argument
    // would turn into an option.
    `--cluster-id=${clusterId}`,
    "-c",
    `${dir}/server.properties`,
    ...formatArgs,
  ]);
  if (format.code !== 0) {
    throw new Error(`kafka storage format failed: ${format.stderr || format.stdout}`);
  }

  let child: Deno.ChildProcess | undefined;
  let stopWatchdog = () => {};
  const launch = () => {
    child = spawnKafkaServer(version, dir, jvmOptions);
    stopWatchdog = killWhenParentDies(child.pid);
  };
  const kill = async () => {
    if (!child) return;
    try {
      child.kill("SIGKILL");
    } catch {
      // already exited
    }
    await child.status;
    stopWatchdog();
    child = undefined;
  };
  const waitUntilUp = async () => {
    try {
      await waitForPort(port, 90_000);
      await waitUntilAnswering(version, `127.0.0.1:${port}`);
    } catch (error) {
      const log = await Deno.readTextFile(`${dir}/broker.log`).catch(() => "(no log)");
      throw new Error(`Kafka ${version} did not start: ${log.split("\n").slice(-20).join("\n")}`, {
        cause: error,
      });
    }
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    try {
      child?.kill("SIGCONT");
    } catch {
      // Already exited (Ctrl-C reaches the whole process group).
    }
    await kill();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };

  launch();
  try {
    await waitUntilUp();
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    bootstrap: `127.0.0.1:${port}`,
    port,
    version,
    dataDir: `${dir}/data`,
    logFile: `${dir}/broker.log`,
    listeners: { ...securedListeners, relayedPort: relayPort },
    runTool: (mainClass, args) => java(version, mainClass, args),
    spawnTool: (mainClass, args) => spawnJava(version, mainClass, args),
    kill,
    hang: () => child?.kill("SIGSTOP"),
    resume: () => child?.kill("SIGCONT"),
    restart: async () => {
      await kill();
      launch();
      await waitUntilUp();
    },
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
      // sleep-ok: poll interval of a wait loop
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}
