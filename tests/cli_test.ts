/** The command line as users meet it: exit codes, one-line errors, redaction (no Kafka needed). */
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { isRuntimeFlag, runCli, startTaskRuntimeFlags, writeConfig } from "./harness/exporter.ts";
import { freePort } from "./harness/processes.ts";

const VALID = { kafka_clusters: [{ name: "main", brokers: ["127.0.0.1:1"] }] };

/** A config error must be one line naming the file and key path, never a stack trace. */
function assertOneLineError(stderr: string, ...expected: string[]) {
  const lines = stderr.trim().split("\n");
  assertEquals(lines.length, 1, stderr);
  assert(!/\n\s+at /.test(stderr) && !stderr.includes("Stack"), stderr);
  for (const text of expected) assertStringIncludes(lines[0], text);
}

Deno.test("the start task sets the V8 heap growth and young generation and grants only net, read, env and the hostname", () => {
  assertEquals(startTaskRuntimeFlags(), [
    "--v8-flags=--heap-growing-percent=50,--max-semi-space-size=8",
    "--allow-net",
    "--allow-read",
    "--allow-env",
    "--allow-sys=hostname",
  ]);
  const tasks = JSON.parse(Deno.readTextFileSync(new URL("../deno.json", import.meta.url))).tasks;
  for (const name of ["compile:x64", "compile:arm64"]) {
    const flags = tasks[name].split(/\s+/).filter(isRuntimeFlag);
    assertEquals(flags, startTaskRuntimeFlags(), `${name} must get what the tests run with`);
  }
});

Deno.test({
  name: "CLI exit codes and messages",
  fn: async (t) => {
    await t.step("--help prints usage and exits 0", async () => {
      const result = await runCli(["--help"]);
      assertEquals(result.code, 0);
      assertStringIncludes(result.stdout, "--config-file PATH");
    });
    await t.step("--version exits 0", async () => {
      const result = await runCli(["--version"]);
      assertEquals(result.code, 0);
      assert(/^kafka-lag-deno \d+\.\d+\.\d+/.test(result.stdout), result.stdout);
    });
    await t.step("an unknown flag exits 2 with one line", async () => {
      const result = await runCli(["--bogus"]);
      assertEquals(result.code, 2);
      assertOneLineError(result.stderr, "--bogus");
    });
    await t.step("--format without --once exits 2", async () => {
      const result = await runCli(["--format", "json"]);
      assertEquals(result.code, 2);
      assertOneLineError(result.stderr, "--format");
    });
    await t.step("a missing config file exits 2 naming it", async () => {
      const result = await runCli(["-c", "/nonexistent/config.yaml"]);
      assertEquals(result.code, 2);
      assertOneLineError(result.stderr, "/nonexistent/config.yaml", "no such file");
    });
    await t.step("CONFIG_FILE is used when no flag is given", async () => {
      const result = await runCli(["--check-config"], {
        env: { CONFIG_FILE: "/nonexistent/from-env.yaml" },
      });
      assertEquals(result.code, 2);
      assertOneLineError(result.stderr, "/nonexistent/from-env.yaml");
    });
    const badConfigs: Array<[string, unknown, string]> = [
      [
        "an unknown key",
        { ...VALID, app: { iteration_intervall: "5s" } },
        "app.iteration_intervall: unknown key",
      ],
      [
        "a wrong type",
        { ...VALID, prometheus_local: { metrics_port: "x" } },
        "prometheus_local.metrics_port: expected number",
      ],
      [
        "a bad regex",
        {
          kafka_clusters: [{ ...VALID.kafka_clusters[0] }, {
            name: "b",
            brokers: ["h:1"],
            consumer_groups: { blacklist: "([" },
          }],
        },
        "kafka_clusters[1].consumer_groups.blacklist",
      ],
    ];
    for (const [name, config, expected] of badConfigs) {
      await t.step(`${name} exits 2 with the key path`, async () => {
        const path = await writeConfig(config);
        for (const args of [["--check-config"], ["--once"], []]) {
          const result = await runCli([...args, "-c", path]);
          assertEquals(result.code, 2, `${args}: ${result.stderr}`);
          assertOneLineError(result.stderr, path, expected);
        }
        await Deno.remove(path);
      });
    }
    await t.step("--check-config prints the effective config with secrets redacted", async () => {
      const secretFile = await Deno.makeTempFile();
      await Deno.writeTextFile(secretFile, "file-secret-value\n");
      const path = await writeConfig({
        kafka_clusters: [{
          name: "main",
          brokers: ["${BROKER_HOST:-127.0.0.1}:9092"],
          sasl: { enabled: true, user: "exporter", password: "${KAFKA_PASSWORD}" },
        }],
        prometheus_remote_write: { url: "http://rw/api/v1/write", bearer_token_file: secretFile },
        storage: { redis: { auth: { enabled: true, password: "inline-secret-value" } } },
      });
      const result = await runCli(["--check-config", "-c", path], {
        env: { KAFKA_PASSWORD: "env-secret-value" },
      });
      assertEquals(result.code, 0, result.stderr);
      for (const secret of ["env-secret-value", "file-secret-value", "inline-secret-value"]) {
        assert(
          !result.stdout.includes(secret) && !result.stderr.includes(secret),
          `${secret} leaked`,
        );
      }
      assertStringIncludes(result.stdout, "<redacted>");
      assertStringIncludes(result.stdout, "127.0.0.1:9092");
      assertStringIncludes(result.stdout, "iteration_interval: 30s");
      await Deno.remove(path);
      await Deno.remove(secretFile);
    });
    await t.step("--once exits 1 when no cluster can be read", async () => {
      const path = await writeConfig({
        kafka_clusters: [{
          name: "nowhere",
          brokers: [`127.0.0.1:${freePort()}`],
          client_request_timeout: "1s",
          metadata_fetch_timeout: "500ms",
        }],
        app: { iteration_interval: "2s" },
      });
      const result = await runCli(["--once", "-c", path]);
      assertEquals(result.code, 1, result.stderr);
      assertStringIncludes(result.stdout, "cluster nowhere could not be read");
      await Deno.remove(path);
    });
  },
});
