/**
 * Runs kafka-lag-deno as a child process with exactly the runtime flags of the `start` task in
 * deno.json (permissions and V8 flags, the same the compiled binary gets), so a missing permission
 * fails a test here and the benchmarks measure the memory settings users run with.
 */
import { stringify } from "yaml";
import { freePort, killWhenParentDies } from "./processes.ts";
import { parsePrometheusText, type Sample } from "./prom_text.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Whether a `deno run`/`deno compile` word is a runtime flag the binary keeps. */
export function isRuntimeFlag(word: string): boolean {
  return word.startsWith("--allow-") || word.startsWith("--deny-") || word.startsWith("--v8-flags");
}

/** The `deno run` runtime flags (permissions, V8 flags) of the `start` task. */
export function startTaskRuntimeFlags(): string[] {
  const denoJson = JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`));
  const words: string[] = denoJson.tasks.start.split(/\s+/);
  return words.filter(isRuntimeFlag);
}

/** Output of a finished CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const TEXT_LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO |WARN |ERROR) \S/;

/** Complete lines that are neither a JSON log line nor a text one (a SIGKILL may cut the last). */
export function outsideLogFormat(output: string): string[] {
  const lines = output.split("\n").slice(0, -1);
  return lines.filter((line) => {
    if (TEXT_LOG_LINE.test(line)) return false;
    try {
      const parsed = JSON.parse(line);
      return typeof parsed?.level !== "string" || typeof parsed?.msg !== "string";
    } catch {
      return true;
    }
  });
}

/** Runs the CLI to completion with `args`. */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...startTaskRuntimeFlags(), `${ROOT}main.ts`, ...args],
    env: { NO_COLOR: "1", ...options.env },
    cwd: options.cwd,
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Writes `config` as YAML into a fresh temp file and returns its path. */
export async function writeConfig(config: unknown): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "kafka-lag-deno-config-", suffix: ".yaml" });
  await Deno.writeTextFile(path, stringify(config));
  return path;
}

/** A running exporter. */
export interface ExporterProcess extends AsyncDisposable {
  metricsUrl: string;
  healthUrl: string;
  healthPort: number;
  configPath: string;
  pid: number;
  /** Parsed /metrics. */
  scrape(): Promise<Sample[]>;
  /** Sends `signal` and waits for the exit code. */
  stop(signal?: Deno.Signal): Promise<number>;
  /** Everything the process wrote to stderr so far. */
  logs(): string;
}

/**
 * Starts the exporter on free ports with `config` (ports and paths are filled in) and waits until
 * /livez answers.
 */
export async function startExporter(
  config: Record<string, unknown> & {
    prometheus_local?: Record<string, unknown>;
    app?: Record<string, unknown>;
  },
  options: {
    samePort?: boolean;
    /** More command-line arguments (e.g. --web.config.file). */
    args?: string[];
    /** More `deno run` flags (a benchmark's --inspect), after the binary's own. */
    denoFlags?: string[];
    /** The listeners speak TLS with a certificate of this CA (polled over https). */
    tlsCaFile?: string;
    /** The harness's own requests show this client certificate. */
    tlsClient?: { certFile: string; keyFile: string };
  } = {},
): Promise<ExporterProcess> {
  const metricsPort = freePort();
  const healthPort = options.samePort ? metricsPort : freePort();
  const full = {
    ...config,
    prometheus_local: { ...config.prometheus_local, metrics_port: metricsPort },
    app: { ...config.app, health_check_port: healthPort },
  };
  const configPath = await writeConfig(full);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...startTaskRuntimeFlags(),
      ...(options.denoFlags ?? []),
      `${ROOT}main.ts`,
      "--config-file",
      configPath,
      ...(options.args ?? []),
    ],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stopWatchdog = killWhenParentDies(child.pid);
  let stderr = "";
  let stdout = "";
  const drained = Promise.all([
    (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of child.stderr) stderr += decoder.decode(chunk, { stream: true });
    })(),
    (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of child.stdout) stdout += decoder.decode(chunk, { stream: true });
    })(),
  ]);

  let exitCode: number | undefined;
  const stop = async (signal: Deno.Signal = "SIGTERM") => {
    if (exitCode !== undefined) return exitCode;
    try {
      child.kill(signal);
    } catch {
      // already exited
    }
    const status = await child.status;
    await drained;
    stopWatchdog();
    exitCode = status.code;
    await Deno.remove(configPath).catch(() => {});
    return exitCode;
  };

  const scheme = options.tlsCaFile ? "https" : "http";
  const client = options.tlsCaFile
    ? Deno.createHttpClient({
      caCerts: [Deno.readTextFileSync(options.tlsCaFile)],
      ...(options.tlsClient
        ? {
          cert: Deno.readTextFileSync(options.tlsClient.certFile),
          key: Deno.readTextFileSync(options.tlsClient.keyFile),
        }
        : {}),
    })
    : undefined;
  const metricsUrl = `${scheme}://127.0.0.1:${metricsPort}/metrics`;
  const healthUrl = `${scheme}://127.0.0.1:${healthPort}`;
  const deadline = Date.now() + 30_000;
  while (true) {
    try {
      const response = await fetch(`${healthUrl}/livez`, { client });
      await response.body?.cancel();
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop("SIGKILL");
      throw new Error(`exporter did not start:\n${stderr}`);
    }
    // sleep-ok: poll interval of a wait loop
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    metricsUrl,
    healthUrl,
    healthPort,
    configPath,
    pid: child.pid,
    scrape: async () => parsePrometheusText(await (await fetch(metricsUrl, { client })).text()),
    stop,
    logs: () => stderr,
    [Symbol.asyncDispose]: async () => {
      await stop("SIGKILL");
      client?.close();
      // Everything the process prints is a log line in its format (a bare warning breaks the
      // JSON-line parsing of log collectors).
      const stray = outsideLogFormat(stderr + stdout);
      if (stray.length > 0) {
        throw new Error(`the exporter printed lines outside its log format:\n${stray.join("\n")}`);
      }
    },
  };
}
