import { assert, assertEquals, assertRejects } from "../../tests/assert.ts";
import { ConfigError } from "./config_error.ts";
import { loadConfig } from "./load_config.ts";
import { loadConfigInWorker } from "./load_config_in_worker.ts";

const FIXTURES = new URL("../../tests/fixtures/kafka_lag_go/", import.meta.url).pathname;
const realDeps = {
  readTextFile: (path: string) => Deno.readTextFile(path),
  getEnv: (name: string) => Deno.env.get(name),
  hostname: () => "host-1",
};

/** The settings (as data: name filters by their sources), or the problems, a loader gives. */
async function outcome(load: () => Promise<unknown>): Promise<unknown> {
  try {
    return { settings: JSON.parse(JSON.stringify(await load())) };
  } catch (error) {
    assert(error instanceof ConfigError, `not a ConfigError: ${error}`);
    return { file: error.file, issues: error.issues, message: error.message };
  }
}

Deno.test("loadConfigInWorker() gives what loadConfig() gives, settings or problems", async (t) => {
  const files = [...Deno.readDirSync(FIXTURES)]
    .filter((entry) => entry.name.endsWith(".yaml"))
    .map((entry) => `${FIXTURES}${entry.name}`);
  assert(files.length >= 5, "the kafka-lag-go fixtures are there");
  for (const file of [...files, `${FIXTURES}missing.yaml`, `${FIXTURES}README.md`]) {
    await t.step(file.slice(FIXTURES.length), async () => {
      assertEquals(
        await outcome(() => loadConfigInWorker(file, () => "host-1")),
        await outcome(() => loadConfig(file, realDeps)),
      );
    });
  }
});

Deno.test("loadConfigInWorker() reports a bad file as a ConfigError naming it", async () => {
  const error = await assertRejects(
    () => loadConfigInWorker(`${FIXTURES}README.md`, () => "host-1"),
    ConfigError,
  );
  assertEquals(error.file, `${FIXTURES}README.md`);
  assert(error.issues.length > 0);
});
