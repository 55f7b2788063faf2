/** `${ENV_VAR}` and `${ENV_VAR:-default}` substitution in config string values. */
import { type ConfigIssue, formatKeyPath } from "./config_error.ts";

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Thrown when a referenced variable is unset and has no default. */
export class MissingEnvError extends Error {
  constructor(readonly variable: string) {
    super(`environment variable ${variable} is not set and has no default`);
    this.name = "MissingEnvError";
  }
}

/**
 * Replaces every `${NAME}` / `${NAME:-default}` in `text`.
 * `$${...}` escapes a literal `${...}`. An empty variable counts as unset for `:-`, as in POSIX shells.
 */
export function interpolateEnv(
  text: string,
  lookup: (name: string) => string | undefined,
): string {
  const escaped = "\u0000ESCAPED_DOLLAR\u0000";
  const withEscapes = text.replaceAll("$${", escaped);
  const replaced = withEscapes.replace(
    REFERENCE,
    (_whole, name: string, fallback: string | undefined) => {
      const value = lookup(name);
      if (value !== undefined && value !== "") return value;
      if (fallback !== undefined) return fallback;
      if (value !== undefined) return value;
      throw new MissingEnvError(name);
    },
  );
  return replaced.replaceAll(escaped, "${");
}

/** Substitutes `${ENV}` in every string of a parsed YAML tree, recording unset variables by key path. */
export function interpolateTree(
  value: unknown,
  context: {
    getEnv: (name: string) => string | undefined;
    issues: ConfigIssue[];
    /** Where `value` sits in the file (for the messages). */
    path?: PropertyKey[];
  },
): unknown {
  const { getEnv, issues, path = [] } = context;
  if (typeof value === "string") {
    try {
      return interpolateEnv(value, getEnv);
    } catch (error) {
      if (!(error instanceof MissingEnvError)) throw error;
      issues.push({ path: formatKeyPath(path), message: error.message });
      return value;
    }
  }
  if (Array.isArray(value)) {
    return value.map((item, index) =>
      interpolateTree(item, { ...context, path: [...path, index] })
    );
  }
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map((
        [key, item],
      ) => [key, interpolateTree(item, { ...context, path: [...path, key] })]),
    );
  }
  return value;
}
