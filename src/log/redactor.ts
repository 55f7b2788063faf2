/**
 * One redaction for every text the exporter shows: log lines, the errors the API and `--once`
 * report, config errors. Secret values are known once the config is read; credentials inside
 * URLs (`scheme://user:password@host`) are recognised by their shape.
 */

const REDACTED = "<redacted>";
/** `scheme://userinfo@`: the userinfo part, wherever a URL appears in a text. */
const URL_CREDENTIALS = /\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/?#@\s"']+@/g;
/** Secrets shorter than this are not searched for: they would redact ordinary words. */
const MIN_SECRET_LENGTH = 4;

/** A function that replaces every known secret (raw, JSON-escaped or URL-encoded) in a text. */
export type Redact = (text: string) => string;

/** Builds the redaction for these secret values. */
export function createRedactor(secrets: readonly string[]): Redact {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(encodeURIComponent(secret));
  }
  // Longest first, so that a secret containing another is replaced whole.
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text.replace(URL_CREDENTIALS, `$1${REDACTED}@`);
    for (const form of ordered) {
      if (out.includes(form)) out = out.replaceAll(form, REDACTED);
    }
    return out;
  };
}
