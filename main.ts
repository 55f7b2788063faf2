/**
 * kafka-lag-deno entry point: reads the command line and the configuration, then hands over to
 * the service (src/app/run_service.ts, which creates the clients, listens and handles signals)
 * or to the one-shot report (src/cli/run_once.ts).
 *
 * Memory: the config is validated in a worker that ends once it has answered, and each mode's
 * code is imported only once the config is read, so the YAML and schema libraries never sit in the
 * exporter's heap and the worker's peak does not stack on the Kafka client's.
 */
import { parseCliArgs, USAGE } from "./src/cli/parse_args.ts";
import { EXIT_OK, EXIT_RUNTIME, EXIT_USAGE } from "./src/app/exit_codes.ts";
import { ConfigError, UsageError } from "./src/config/config_error.ts";
import { loadConfigInWorker } from "./src/config/load_config_in_worker.ts";
import type { ExporterConfig } from "./src/config/schema/settings.ts";
import { createLogger, describeError } from "./src/log/logger.ts";
import { logProcessWarnings } from "./src/log/process_warnings.ts";
import { createRedactor } from "./src/log/redactor.ts";
import { COMMIT, VERSION } from "./src/version.ts";

/** Runs the program with `args` and returns its exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let cli;
  try {
    cli = parseCliArgs(args, (name) => Deno.env.get(name));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    printError(`kafka-lag-deno: ${error.message} (see --help)`);
    return EXIT_USAGE;
  }
  if (cli.help) {
    console.log(USAGE);
    return EXIT_OK;
  }
  if (cli.version) {
    console.log(`kafka-lag-deno ${VERSION} (commit ${COMMIT}, deno ${Deno.version.deno})`);
    return EXIT_OK;
  }

  let config: ExporterConfig;
  try {
    config = await loadConfigInWorker(cli.configFile, () => Deno.hostname());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    printError(`kafka-lag-deno: ${error.message}`);
    return EXIT_USAGE;
  }
  if (cli.checkConfig) {
    const [{ stringify }, { redactConfig }] = await Promise.all([
      import("yaml"),
      import("./src/config/redact.ts"),
    ]);
    for (const warning of config.warnings) printError(`kafka-lag-deno: warning: ${warning}`);
    console.log(`# ${config.file} is valid; effective configuration (secrets redacted):`);
    console.log(stringify(redactConfig(config.effective)).trimEnd());
    return EXIT_OK;
  }

  const { secretValues } = await import("./src/config/redact.ts");
  const logger = createLogger({
    level: cli.logLevel ?? config.app.logLevel,
    format: config.app.logFormat,
    redact: createRedactor(secretValues(config)),
  });
  for (const warning of config.warnings) logger.warn(`config: ${warning}`, { file: config.file });
  logProcessWarnings(logger);
  // A daemon must not die on a stray rejection inside a client library; log it and keep going.
  globalThis.addEventListener("unhandledrejection", (event) => {
    event.preventDefault();
    logger.warn("unhandled rejection", { error: describeError(event.reason) });
  });
  try {
    if (cli.once) {
      const { runOnce } = await import("./src/cli/run_once.ts");
      return await runOnce(config, { format: cli.format, logger });
    }
    const { runService } = await import("./src/app/run_service.ts");
    const webConfigFile = cli.webConfigFile ?? config.metrics.webConfigFile;
    return await runService({ ...config, metrics: { ...config.metrics, webConfigFile } }, {
      logger,
    });
  } catch (error) {
    logger.error("fatal error", { error: describeError(error) });
    return EXIT_RUNTIME;
  }
}

function printError(message: string): void {
  console.error(message);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
