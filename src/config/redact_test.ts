/** secretValues(): what the log redaction is built from. */
import { assert } from "../../tests/assert.ts";
import { loadConfig, type LoadConfigDeps } from "./load_config.ts";
import { secretValues } from "./redact.ts";

const MINIMAL = `
kafka_clusters:
  - name: main
    brokers: ["k1:9092"]
`;

function deps(files: Record<string, string>, env: Record<string, string> = {}): LoadConfigDeps {
  return {
    readTextFile: (path) =>
      path in files ? Promise.resolve(files[path]) : Promise.reject(new Deno.errors.NotFound(path)),
    getEnv: (name) => env[name],
    hostname: () => "host-1",
  };
}

Deno.test("secretValues() finds every secret of the loaded settings, for the log redaction", async () => {
  const yaml =
    MINIMAL.replace("brokers:", 'sasl: {enabled: true, user: u, password: "${PW}"}\n    brokers:') +
    "prometheus_remote_write:\n  url: https://rw-user:rw-pass@x/w\n  headers: {Authorization: Bearer abc, X-Scope-OrgID: t1}\n" +
    "storage:\n  redis: {auth: {enabled: true, password: rpw-secret}}\n";
  const config = await loadConfig("c.yaml", deps({ "c.yaml": yaml }, { PW: "from-env" }));
  const secrets = secretValues(config);
  for (const secret of ["from-env", "Bearer abc", "rpw-secret", "rw-pass"]) {
    assert(secrets.includes(secret), `${secret} not found in ${secrets}`);
  }
  assert(!secrets.includes("t1"));
});
