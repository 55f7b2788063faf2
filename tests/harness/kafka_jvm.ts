/** The JVM side of the test brokers: Kafka's jars, its logging, and java processes. */
import { killWhenParentDies } from "./processes.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Where the jars of a Kafka version are. */
export function libsDir(version: string): string {
  return `${ROOT}.cache/kafka/${version}/libs`;
}

/** Fetches the jars of a Kafka version unless they are there. */
export async function ensureJars(version: string): Promise<void> {
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

/** JVM settings of every broker and tool: small heap, fast start. */
export const JVM_OPTIONS = [
  "-Xms256m",
  "-Xmx512m",
  "-XX:+UseSerialGC",
  "-XX:TieredStopAtLevel=1",
  "-Xshare:auto",
];

/**
 * Logging configurations that send warnings to <dir>/broker.log (read when a start fails, and by
 * tests that look for a broker's complaint): log4j2 for Kafka 4, log4j 1 (reload4j, which
 * Kafka 3 brokers log through) for Kafka 3.
 */
export async function writeLog4jConfig(dir: string): Promise<void> {
  await Deno.writeTextFile(
    `${dir}/log4j.properties`,
    [
      "log4j.rootLogger=WARN, file",
      "log4j.appender.file=org.apache.log4j.FileAppender",
      `log4j.appender.file.File=${dir}/broker.log`,
      "log4j.appender.file.layout=org.apache.log4j.PatternLayout",
      "log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n",
    ].join("\n") + "\n",
  );
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
}

/** Starts a broker JVM on <dir>/server.properties, logging to <dir>/broker.log. */
export function spawnKafkaServer(
  version: string,
  dir: string,
  jvmOptions: string[] = [],
): Deno.ChildProcess {
  return new Deno.Command("java", {
    args: [
      ...JVM_OPTIONS,
      ...jvmOptions,
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
}

/** Runs a Kafka main class to completion. */
export async function java(
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

/** Starts a long-running Kafka main class; dispose to kill it. */
export function spawnJava(version: string, mainClass: string, args: string[]): AsyncDisposable {
  const child = new Deno.Command("java", {
    args: [...JVM_OPTIONS, "-cp", `${libsDir(version)}/*`, mainClass, ...args],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const stopWatchdog = killWhenParentDies(child.pid);
  return {
    [Symbol.asyncDispose]: async () => {
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      await child.status;
      stopWatchdog();
    },
  };
}
