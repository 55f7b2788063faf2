/** One typed error for every problem found in a config file or on the command line. */

/** A single problem at a key path such as `kafka_clusters[1].sasl.mechanism`. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** All problems of one config file, reported together. */
export class ConfigError extends Error {
  constructor(readonly file: string, readonly issues: ConfigIssue[], options?: ErrorOptions) {
    super(formatIssues(file, issues), options);
    this.name = "ConfigError";
  }
}

/** A bad command line (unknown flag, missing value). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Renders issues as one human message: the file, then each key path and what is expected. */
export function formatIssues(file: string, issues: ConfigIssue[]): string {
  const parts = issues.map((issue) =>
    issue.path ? `${issue.path}: ${issue.message}` : issue.message
  );
  return `invalid config ${file}: ${parts.join("; ")}`;
}

/** Turns a zod/JS path (["kafka_clusters", 1, "sasl"]) into `kafka_clusters[1].sasl`. */
export function formatKeyPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out;
}
