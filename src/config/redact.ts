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

/** Keys of the settings (camelCase) and of the file (snake_case) that hold a secret value. */
const SECRET_SETTING = /^(password|bearer_?token|client_?secret|secret|token)$/i;

/**
 * Every secret value in loaded settings: values of secret keys and of credential-like headers,
 * and the password of credentials in URLs. Given to the log redaction.
 */
export function secretValues(settings: unknown): string[] {
  const found = new Set<string>();
  const walk = (
    value: unknown,
    { key, parentKey }: { key?: string; parentKey?: string },
  ) => {
    if (typeof value === "string") {
      const secretKey = key !== undefined &&
        (SECRET_SETTING.test(key) || (parentKey === "headers" && SECRET_HEADER.test(key)));
      if (secretKey && value !== "") found.add(value);
      const inUrl = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#@\s:]*:([^/?#@\s]+)@/.exec(value);
      if (inUrl) found.add(inUrl[1]);
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) walk(item, { parentKey: key });
      return;
    }
    if (value === null || typeof value !== "object") return;
    for (const [childKey, item] of Object.entries(value)) {
      walk(item, { key: childKey, parentKey: key });
    }
  };
  walk(settings, {});
  return [...found];
}

/** Whether a config key path (`kafka_clusters[0].sasl.password`) holds a secret value. */
export function isSecretPath(path: readonly PropertyKey[]): boolean {
  const key = path.at(-1);
  const parent = path.at(-2);
  if (typeof key !== "string") return false;
  return SECRET_KEYS.has(key) || (parent === "headers" && SECRET_HEADER.test(key));
}
