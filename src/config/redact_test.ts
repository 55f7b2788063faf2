/** secretValues() (what the log redaction is built from) and credentials sent in clear text. */
import { assert, assertEquals, assertRejects, assertStringIncludes } from "../../tests/assert.ts";
import { ConfigError } from "./config_error.ts";
import { loadConfig } from "./load_config.ts";
import { deps, MINIMAL } from "../../tests/fakes/config_files.ts";
import { secretValues } from "./redact.ts";

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

Deno.test("credentials over cleartext: a warning naming the key, or an error when asked", async () => {
  const yaml = MINIMAL.replace(
    "brokers:",
    "sasl: {enabled: true, user: u, password: pw}\n    brokers:",
  );
  const warned = await loadConfig("c.yaml", deps({ "c.yaml": yaml }));
  assert(
    warned.warnings.some((line) =>
      line.startsWith('kafka_clusters[0].sasl: SASL SCRAM-SHA-512 credentials of cluster "main"')
    ),
    warned.warnings.join("\n"),
  );
  const tls = yaml.replace("sasl:", "ssl: {enabled: true}\n    sasl:");
  assertEquals((await loadConfig("c.yaml", deps({ "c.yaml": tls }))).warnings, []);
  const strict = yaml + "app:\n  cleartext_credentials: error\n";
  const error = await assertRejects(
    () => loadConfig("c.yaml", deps({ "c.yaml": strict })),
    ConfigError,
  );
  assertStringIncludes(error.message, "kafka_clusters[0].sasl");
  assertStringIncludes(error.message, "app.cleartext_credentials is error");
});
