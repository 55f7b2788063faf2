/** YAML text → plain tree, refusing what no config file needs: huge files and alias bombs. */
import { parseDocument } from "yaml";
import { ConfigError } from "./config_error.ts";

/** Largest config file read; a real one is a few KiB, even with hundreds of clusters. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Parses `text` (the contents of `file`); every failure is a ConfigError with one line. */
export function parseYaml(file: string, text: string): unknown {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_CONFIG_BYTES) {
    throw new ConfigError(file, [{
      path: "",
      message: `the file is ${(bytes / 1024 / 1024).toFixed(1)} MiB; a config file may be at ` +
        `most ${MAX_CONFIG_BYTES / 1024 / 1024} MiB`,
    }]);
  }
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) {
    // Later YAML errors are mostly echoes of the first one.
    const [first] = document.errors;
    throw new ConfigError(file, [{
      path: lineAndColumn(text, first.pos[0]),
      message: `YAML syntax error: ${first.message.split("\n")[0]}`,
    }]);
  }
  try {
    // The default alias budget (100 expansions) stops a "billion laughs" file early.
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError(file, [{
      path: "",
      message: `YAML aliases expand too far (${
        error instanceof Error ? error.message : String(error)
      }); write the values out instead`,
    }], { cause: error });
  }
}

/** `line L, column C` (both from 1) of the character at `offset`. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `line ${line}, column ${column}`;
}
