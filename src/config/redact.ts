/** Replaces every secret in the effective config with `<redacted>` before it is printed or logged. */

const REDACTED = "<redacted>";
const SECRET_KEYS = new Set(["password", "bearer_token", "client_secret"]);
const SECRET_HEADER = /auth|token|secret|key|password|cookie/i;

/**
 * Returns a deep copy of `config` with secrets redacted: secret keys, header values that look like
 * credentials, and the `user:password@` part of URLs.
 */
export function redactConfig(config: unknown): unknown {
  return redact(config, undefined);
}

/** `scheme://user:password@` at the start of a string value: the credentials part. */
const URL_CREDENTIALS = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/?#@\s]+@/;

function redact(value: unknown, parentKey: string | undefined): unknown {
  if (typeof value === "string") return value.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
  if (Array.isArray(value)) return value.map((item) => redact(item, undefined));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const isSecret = SECRET_KEYS.has(key) || (parentKey === "headers" && SECRET_HEADER.test(key));
    out[key] = isSecret && item !== undefined ? REDACTED : redact(item, key);
  }
  return out;
}
