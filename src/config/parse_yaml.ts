/** YAML text → plain tree, refusing what no config file needs: huge files and alias bombs. */
import { isMap, isScalar, isSeq, type Node, parseDocument } from "yaml";
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
  // The yaml package's own duplicate-key check is quadratic in a mapping's size (seconds at
  // 20,000 labels); duplicates are found below in one pass instead.
  const document = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  if (document.errors.length > 0) {
    // Later YAML errors are mostly echoes of the first one.
    const [first] = document.errors;
    throw new ConfigError(file, [{
      path: lineAndColumn(text, first.pos[0]),
      message: `YAML syntax error: ${first.message.split("\n")[0]}`,
    }]);
  }
  const duplicate = firstDuplicateKey(document.contents);
  if (duplicate) {
    throw new ConfigError(file, [{
      path: lineAndColumn(text, duplicate.offset),
      message: `YAML syntax error: map keys must be unique ("${duplicate.key}" is repeated)`,
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

/** The first key repeated within one mapping (depth first), with where it is written. */
function firstDuplicateKey(
  node: Node | null | unknown,
): { key: string; offset: number } | undefined {
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : JSON.stringify(pair.key);
      if (seen.has(key)) {
        return { key, offset: isScalar(pair.key) ? pair.key.range?.[0] ?? 0 : 0 };
      }
      seen.add(key);
      const inner = firstDuplicateKey(pair.value);
      if (inner) return inner;
    }
  } else if (isSeq(node)) {
    for (const item of node.items) {
      const inner = firstDuplicateKey(item);
      if (inner) return inner;
    }
  }
  return undefined;
}
