/**
 * Whitelist/blacklist matching for consumer groups and topics, with kafka-lag-go's semantics and
 * Go's regular-expression syntax (RE2, via re2js): `(?i)`, `\z` and friends mean what they meant
 * there, and matching is linear in the name, so no pattern can stall an iteration.
 */
import { RE2JS } from "re2js";

/** A compiled pattern; `test` is true when it matches anywhere in the name (unanchored, as in Go). */
export interface NamePattern {
  readonly source: string;
  test(name: string): boolean;
}

/** Compiled include/exclude patterns; an empty include list means "everything". */
export interface NameFilter {
  whitelist: NamePattern[];
  blacklist: NamePattern[];
}

/** Compiles one pattern with RE2 syntax; throws RE2JSSyntaxException on a bad one. */
export function compileNamePattern(source: string): NamePattern {
  const compiled = RE2JS.compile(source);
  return { source, test: (name) => compiled.matcher(name).find() };
}

/** Why `source` is not a valid RE2 pattern, or undefined when it is. */
export function patternSyntaxError(source: string): string | undefined {
  try {
    RE2JS.compile(source);
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error))
      .replace(/^error parsing regexp: /, "");
  }
}

/**
 * Compiles the one-or-many pattern form of the config file. An empty string or list is no filter,
 * as kafka-lag-go treats an empty pattern.
 */
export function compileNameFilter(
  whitelist: string | string[] | undefined,
  blacklist: string | string[] | undefined,
): NameFilter {
  const compile = (patterns: string | string[] | undefined) =>
    (patterns === undefined ? [] : Array.isArray(patterns) ? patterns : [patterns])
      .filter((pattern) => pattern !== "")
      .map(compileNamePattern);
  return { whitelist: compile(whitelist), blacklist: compile(blacklist) };
}

/**
 * True when `name` passes the filter. As in kafka-lag-go: when a whitelist is set only matching
 * names pass and the blacklist is ignored; patterns match anywhere in the name (unanchored).
 */
export function isIncluded(filter: NameFilter, name: string): boolean {
  // Loops, not callbacks: asked for every committed partition of every iteration.
  const { whitelist, blacklist } = filter;
  if (whitelist.length > 0) {
    for (const pattern of whitelist) if (pattern.test(name)) return true;
    return false;
  }
  for (const pattern of blacklist) if (pattern.test(name)) return false;
  return true;
}
