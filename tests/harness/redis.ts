/**
 * Real redis-server processes (Debian's package) on 127.0.0.1 with free ports: standalone, with
 * an ACL user, with TLS, or a 3-master Redis Cluster. Every process is killed when stopped, and
 * by a watchdog when the test process dies.
 */
import type { TestCertificates } from "./certs.ts";
import { freePort, killWhenParentDies, waitForPort } from "./processes.ts";

/** Options of a standalone server. */
export interface RedisOptions {
  /** An ACL user with this name and password; the default user is then disabled. */
  aclUser?: { username: string; password: string };
  /** TLS only (no plaintext port), clients may present a certificate. */
  tls?: TestCertificates;
}

/** A running server (or cluster). */
export interface RedisServer extends AsyncDisposable {
  host: string;
  port: number;
  /** host:port of every node (one for standalone). */
  nodes: string[];
  /** Runs redis-cli against the first node. */
  cli(args: string[]): Promise<string>;
  /** Cumulative counters of the first node (INFO): commands (script-run ones included), EVALSHA calls, bytes. */
  stats(): Promise<RedisStats>;
  /** Stops the node at `index` (SIGKILL) without stopping the others. */
  kill(index?: number): Promise<void>;
  /** Standalone only: starts the killed server again on the same port (empty, as after a crash). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Counters read from INFO, to measure what a run cost Redis. */
export interface RedisStats {
  commands: number;
  evalsha: number;
  inputBytes: number;
  outputBytes: number;
}

async function readStats(cli: (args: string[]) => Promise<string>): Promise<RedisStats> {
  const info = await cli(["info", "all"]);
  const read = (name: string) => Number(info.match(new RegExp(`${name}:(\\d+)`))?.[1] ?? 0);
  return {
    commands: read("total_commands_processed"),
    evalsha: Number(info.match(/cmdstat_evalsha:calls=(\d+)/)?.[1] ?? 0),
    inputBytes: read("total_net_input_bytes"),
    outputBytes: read("total_net_output_bytes"),
  };
}

interface RedisProcess {
  port: number;
  child: Deno.ChildProcess;
  stopWatchdog: () => void;
}

function spawnRedis(port: number, dir: string, extra: string[]): RedisProcess {
  const child = new Deno.Command("redis-server", {
    args: [
      "--bind",
      "127.0.0.1",
      "--port",
      String(port),
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--daemonize",
      "no",
      "--logfile",
      `${dir}/redis-${port}.log`,
      ...extra,
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  return { port, child, stopWatchdog: killWhenParentDies(child.pid) };
}

async function killProcess(process: RedisProcess): Promise<void> {
  try {
    process.child.kill("SIGKILL");
  } catch {
    // already gone
  }
  await process.child.status;
  process.stopWatchdog();
}

async function redisCli(port: number, args: string[], auth: string[] = []): Promise<string> {
  const output = await new Deno.Command("redis-cli", {
    args: ["-h", "127.0.0.1", "-p", String(port), ...auth, ...args],
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  if (!output.success) throw new Error(`redis-cli ${args.join(" ")}: ${text}`);
  return text;
}

/** Starts one standalone redis-server. */
export async function startRedis(options: RedisOptions = {}): Promise<RedisServer> {
  const dir = await Deno.makeTempDir({ prefix: "kafka-lag-deno-redis-" });
  const port = freePort();
  const extra: string[] = [];
  const cliAuth: string[] = [];
  if (options.aclUser) {
    const { username, password } = options.aclUser;
    // redis-server joins the words after an option up to the next "--option" into one line.
    extra.push(
      "--user",
      "default",
      "off",
      "--user",
      username,
      "on",
      `>${password}`,
      "~*",
      "&*",
      "+@all",
    );
    cliAuth.push("--user", username, "--pass", password, "--no-auth-warning");
  }
  let listenPort = port;
  if (options.tls) {
    extra.push(
      "--port",
      "0",
      "--tls-port",
      String(port),
      "--tls-cert-file",
      options.tls.certFile,
      "--tls-key-file",
      options.tls.keyFile,
      "--tls-ca-cert-file",
      options.tls.caFile,
      "--tls-auth-clients",
      "optional",
    );
    cliAuth.push("--tls", "--cacert", options.tls.caFile);
    listenPort = port;
  }
  // With TLS, "--port 0" comes after the plaintext port given by spawnRedis and wins.
  let process = spawnRedis(port, dir, extra);
  await waitForPort(listenPort, 15_000);
  const stop = async () => {
    await killProcess(process);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const restart = async () => {
    await killProcess(process);
    process = spawnRedis(port, dir, extra);
    await waitForPort(listenPort, 15_000);
  };
  return {
    host: "127.0.0.1",
    port,
    nodes: [`127.0.0.1:${port}`],
    cli: (args) => redisCli(port, args, cliAuth),
    stats: () => readStats((args) => redisCli(port, args, cliAuth)),
    kill: () => killProcess(process),
    restart,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Starts three masters and joins them into a Redis Cluster; waits until it reports ok. */
export async function startRedisCluster(): Promise<RedisServer> {
  const dir = await Deno.makeTempDir({ prefix: "kafka-lag-deno-redis-cluster-" });
  const processes: RedisProcess[] = [];
  for (let index = 0; index < 3; index++) {
    const port = freePort();
    processes.push(spawnRedis(port, dir, [
      "--cluster-enabled",
      "yes",
      "--cluster-config-file",
      `nodes-${port}.conf`,
      "--cluster-node-timeout",
      "3000",
    ]));
  }
  const stop = async () => {
    await Promise.all(processes.map(killProcess));
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    for (const process of processes) await waitForPort(process.port, 15_000);
    const nodes = processes.map((process) => `127.0.0.1:${process.port}`);
    await redisCli(processes[0].port, [
      "--cluster",
      "create",
      ...nodes,
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    const deadline = Date.now() + 30_000;
    for (const process of processes) {
      while (!(await redisCli(process.port, ["cluster", "info"])).includes("cluster_state:ok")) {
        if (Date.now() > deadline) throw new Error("Redis Cluster did not reach state ok");
        // sleep-ok: poll interval of a wait loop
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    return {
      host: "127.0.0.1",
      port: processes[0].port,
      nodes,
      cli: (args) => redisCli(processes[0].port, ["-c", ...args]),
      stats: () => readStats((args) => redisCli(processes[0].port, args)),
      kill: (index = 0) => killProcess(processes[index]),
      restart: () => Promise.reject(new Error("restart is for standalone servers")),
      stop,
      [Symbol.asyncDispose]: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
