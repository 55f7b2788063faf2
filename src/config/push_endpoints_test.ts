import { assertEquals, assertRejects, assertStringIncludes } from "../../tests/assert.ts";
import { deps, MINIMAL } from "../../tests/fakes/config_files.ts";
import { ConfigError } from "./config_error.ts";
import { loadConfig } from "./load_config.ts";

Deno.test("credentials in the remote-write URL become basic auth (fetch refuses such URLs)", async () => {
  const yaml = MINIMAL +
    "prometheus_remote_write:\n  enabled: true\n  url: https://svc%40acme:p%3Ass@rw.example/api/v1/write\n";
  const config = await loadConfig("c.yaml", deps({ "c.yaml": yaml }));
  assertEquals(config.remoteWrite.url, "https://rw.example/api/v1/write");
  assertEquals(config.remoteWrite.basicAuth, { username: "svc@acme", password: "p:ss" });
  const both = yaml + "  bearer_token: t\n";
  const error = await assertRejects(
    () => loadConfig("c.yaml", deps({ "c.yaml": both })),
    ConfigError,
  );
  assertStringIncludes(error.message, "prometheus_remote_write.url: has user:password@");
  // The OTLP block follows the same rules, named by its own key path.
  const otlp = MINIMAL + "otlp:\n  enabled: true\n  url: https://a:b@o/v1/metrics\n";
  const otlpConfig = await loadConfig("c.yaml", deps({ "c.yaml": otlp }));
  assertEquals(otlpConfig.otlp.basicAuth, { username: "a", password: "b" });
  const otlpError = await assertRejects(
    () => loadConfig("c.yaml", deps({ "c.yaml": otlp + "  bearer_token: t\n" })),
    ConfigError,
  );
  assertStringIncludes(otlpError.message, "otlp.url: has user:password@");
  const missingUrl = await assertRejects(
    () => loadConfig("c.yaml", deps({ "c.yaml": MINIMAL + "otlp: {enabled: true}\n" })),
    ConfigError,
  );
  assertStringIncludes(missingUrl.message, "otlp.url: is required when enabled is true");
});
