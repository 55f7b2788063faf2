/** zod's validation issues in the words of a config file: key path, then what was expected. */
import type { z } from "zod";
import { type ConfigIssue, formatKeyPath } from "./config_error.ts";
import { isSecretPath } from "./redact.ts";

/** One ConfigIssue per problem; an unknown key is reported at its own path. */
export function zodIssues(error: z.ZodError): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        issues.push({ path: formatKeyPath([...issue.path, key]), message: "unknown key" });
      }
      continue;
    }
    issues.push({ path: formatKeyPath(issue.path), message: describeZodIssue(issue) });
  }
  return issues;
}

function describeZodIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "invalid_type") {
    if (issue.input === undefined) return `is required (expected ${issue.expected})`;
    // The value of a secret key is never echoed, not even when it is of the wrong type.
    if (isSecretPath(issue.path)) return `expected ${issue.expected}`;
    return `expected ${issue.expected}, got ${describeValue(issue.input)}`;
  }
  if (issue.code === "invalid_value") {
    return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
  }
  if (issue.code === "invalid_union") {
    // A pattern or a list of patterns: name the pattern's own problem when the form was right.
    const formRight = issue.errors.find((branch) =>
      branch.length > 0 && branch.every((inner) => inner.code !== "invalid_type")
    );
    if (formRight) return describeZodIssue(formRight[0]);
    return "expected a regular expression or a list of them";
  }
  return issue.message;
}

function describeValue(input: unknown): string {
  if (Array.isArray(input)) return "a list";
  if (input === null) return "null";
  if (typeof input === "object") return "a mapping";
  const text = JSON.stringify(input);
  return `${typeof input} ${text.length > 60 ? `${text.slice(0, 57)}...` : text}`;
}
