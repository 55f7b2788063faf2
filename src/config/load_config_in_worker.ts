/**
 * Loads the config file like loadConfig, but validates it in a worker (config_worker.ts) that ends
 * once the file is read: the process keeps only the settings, not the YAML and schema libraries.
 */
import { ConfigError, type ConfigIssue } from "./config_error.ts";
import type { ValidatedConfigFile } from "./load_config.ts";
import { type ExporterConfig, toSettings } from "./schema/settings.ts";

/** What the exporter asks the config worker. */
export interface ConfigWorkerRequest {
  file: string;
}

/** What the config worker answers: the validated file, its problems, or an unexpected failure. */
export type ConfigWorkerReply =
  | { kind: "valid"; validated: ValidatedConfigFile }
  | { kind: "invalid"; file: string; issues: ConfigIssue[] }
  | { kind: "failed"; message: string };

/** Loads, validates and resolves `file` in a worker; throws ConfigError listing every problem. */
export async function loadConfigInWorker(
  file: string,
  hostname: () => string,
): Promise<ExporterConfig> {
  const worker = new Worker(new URL("./config_worker.ts", import.meta.url), { type: "module" });
  let reply: ConfigWorkerReply;
  try {
    reply = await new Promise<ConfigWorkerReply>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<ConfigWorkerReply>) => resolve(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`the config worker failed: ${event.message}`));
      };
      worker.postMessage({ file } satisfies ConfigWorkerRequest);
    });
  } finally {
    worker.terminate();
  }
  if (reply.kind === "invalid") throw new ConfigError(reply.file, reply.issues);
  if (reply.kind === "failed") throw new Error(`the config worker failed: ${reply.message}`);
  const { data, secrets, warnings } = reply.validated;
  return toSettings(data, { file, secrets, hostname: hostname(), warnings });
}
