/** Config files in memory for the config loader's unit tests. */
import type { LoadConfigDeps } from "../../src/config/load_config.ts";

/** The smallest valid config: one cluster, every other key at its default. */
export const MINIMAL = `
kafka_clusters:
  - name: main
    brokers: ["k1:9092"]
`;

/** Loader deps reading `files` by path and `env` for ${VAR}; the host is "host-1". */
export function deps(
  files: Record<string, string>,
  env: Record<string, string> = {},
): LoadConfigDeps {
  return {
    readTextFile: (path) =>
      path in files ? Promise.resolve(files[path]) : Promise.reject(new Deno.errors.NotFound(path)),
    getEnv: (name) => env[name],
    hostname: () => "host-1",
  };
}
