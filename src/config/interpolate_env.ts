/** `${ENV_VAR}` and `${ENV_VAR:-default}` substitution in config string values. */

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
