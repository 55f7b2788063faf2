/**
 * Worker that validates one config file (load_config_in_worker.ts starts it): the YAML parser and
 * the schema library live only in this short-lived isolate, so the exporter's own heap never holds
 * them (about 12 MB resident for as long as the exporter runs).
 */
import { ConfigError } from "./config_error.ts";
import { validateConfigFile } from "./load_config.ts";
import type { ConfigWorkerReply, ConfigWorkerRequest } from "./load_config_in_worker.ts";

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ConfigWorkerRequest>) => void) | null;
  postMessage(reply: ConfigWorkerReply): void;
};

scope.onmessage = async ({ data: { file } }) => {
  try {
    const validated = await validateConfigFile(file, {
      readTextFile: (path) => Deno.readTextFile(path),
      getEnv: (name) => Deno.env.get(name),
    });
    scope.postMessage({ kind: "valid", validated });
  } catch (error) {
    if (error instanceof ConfigError) {
      scope.postMessage({ kind: "invalid", file: error.file, issues: error.issues });
    } else {
      const message = error instanceof Error ? error.stack ?? error.message : String(error);
      scope.postMessage({ kind: "failed", message });
    }
  }
};
