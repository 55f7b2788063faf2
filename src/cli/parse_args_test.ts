import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { UsageError } from "../config/config_error.ts";
import { type CliOptions, DEFAULT_CONFIG_FILE, parseCliArgs } from "./parse_args.ts";

const defaults: CliOptions = {
  configFile: DEFAULT_CONFIG_FILE,
  checkConfig: false,
  once: false,
  format: "table",
  logLevel: undefined,
  webConfigFile: undefined,
  version: false,
  help: false,
};

Deno.test("parseCliArgs() accepts what the usage text promises", () => {
  const cases: Array<[string[], Record<string, string>, Partial<CliOptions>]> = [
    [[], {}, {}],
    [[], { CONFIG_FILE: "/etc/env.yaml" }, { configFile: "/etc/env.yaml" }],
    [["-c", "/a.yaml"], { CONFIG_FILE: "/etc/env.yaml" }, { configFile: "/a.yaml" }],
    [["--config-file=/b.yaml"], {}, { configFile: "/b.yaml" }],
    [["--check-config"], {}, { checkConfig: true }],
    [["--once"], {}, { once: true }],
    [["--once", "--format", "json"], {}, { once: true, format: "json" }],
    [["--log-level", "debug"], {}, { logLevel: "debug" }],
    [["--web.config.file", "/etc/web.yml"], {}, { webConfigFile: "/etc/web.yml" }],
    [["--version"], {}, { version: true }],
    [["-h"], {}, { help: true }],
  ];
  for (const [args, env, expected] of cases) {
    assertEquals(
      parseCliArgs(args, (name) => env[name]),
      { ...defaults, ...expected },
      args.join(" "),
    );
  }
});

Deno.test("parseCliArgs() refuses with one line what it cannot accept", async () => {
  const cases: Array<[string[], string]> = [
    [["--format", "json"], "--format is only meaningful with --once"],
    [["--once", "--format", "xml"], '--format: expected table or json, got "xml"'],
    [["--once", "--check-config"], "--once and --check-config cannot be combined"],
    [
      ["--log-level", "trace"],
      '--log-level: expected one of debug, info, warn, error, got "trace"',
    ],
    [["-c", ""], "--config-file: expected a path"],
    [["--bogus"], "Unknown option '--bogus'"],
    [["extra"], "Unexpected argument 'extra'"],
  ];
  for (const [args, message] of cases) {
    const error = await assertRejects(
      () => Promise.resolve().then(() => parseCliArgs(args, () => undefined)),
      UsageError,
    );
    assertEquals(error.message.includes(message), true, `${args.join(" ")}: ${error.message}`);
    assertEquals(error.message.includes("\n"), false, "one line");
  }
});
