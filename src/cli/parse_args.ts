/** Command-line parsing per SPEC §2, with parseArgs from node:util (jsr's @std/cli is unreachable here). */
import { parseArgs } from "node:util";
import { UsageError } from "../config/config_error.ts";
import type { LogLevel } from "../log/logger.ts";

/** What the command line asks for. */
export interface CliOptions {
  configFile: string;
  checkConfig: boolean;
  once: boolean;
  format: "table" | "json";
  logLevel?: LogLevel;
  /** exporter-toolkit web config (overrides prometheus_local.web_config_file). */
  webConfigFile?: string;
  version: boolean;
  help: boolean;
}

/** The config file used when neither --config-file nor CONFIG_FILE is given. */
export const DEFAULT_CONFIG_FILE = "config.yaml";

/** Usage text for --help and usage errors. */
export const USAGE =
  `kafka-lag-deno: Kafka consumer-group lag exporter (offsets and seconds) for Prometheus

Usage:
  kafka-lag-deno [--config-file PATH | -c PATH] [--check-config] [--once [--format table|json]]
                 [--log-level debug|info|warn|error] [--web.config.file PATH] [--version] [--help]

Options:
  -c, --config-file PATH  YAML config (default: $CONFIG_FILE, else ${DEFAULT_CONFIG_FILE})
      --check-config      validate the config, print it with secrets redacted, exit
      --once              measure every cluster once, print the lag report, exit
      --format FORMAT     report format for --once: table (default) or json
      --log-level LEVEL   override app.log_level
      --web.config.file PATH
                          TLS, basic auth and headers for the HTTP ports, in the web config
                          format of Prometheus' exporter-toolkit (re-read when it changes)
      --version           print the version and exit
  -h, --help              print this help and exit

Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad config.
`;

const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;

/** Parses `args`; throws UsageError with one human message for anything it cannot accept. */
export function parseCliArgs(
  args: readonly string[],
  getEnv: (name: string) => string | undefined,
): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        "config-file": { type: "string", short: "c" },
        "check-config": { type: "boolean", default: false },
        once: { type: "boolean", default: false },
        format: { type: "string" },
        "log-level": { type: "string" },
        "web.config.file": { type: "string" },
        version: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.split("\n")[0] : String(error));
  }
  const format = values.format ?? "table";
  if (format !== "table" && format !== "json") {
    throw new UsageError(`--format: expected table or json, got "${format}"`);
  }
  if (values.format !== undefined && !values.once) {
    throw new UsageError("--format is only meaningful with --once");
  }
  if (values.once && values["check-config"]) {
    throw new UsageError("--once and --check-config cannot be combined");
  }
  const logLevel = values["log-level"];
  if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(
      `--log-level: expected one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`,
    );
  }
  const configFile = values["config-file"] ?? getEnv("CONFIG_FILE") ?? DEFAULT_CONFIG_FILE;
  if (configFile === "") throw new UsageError("--config-file: expected a path");
  return {
    configFile,
    checkConfig: values["check-config"],
    once: values.once,
    format,
    logLevel: logLevel as LogLevel | undefined,
    webConfigFile: values["web.config.file"],
    version: values.version,
    help: values.help,
  };
}
