/** Go-style duration parsing (`30s`, `5m`, `1h30m`, `250ms`), as the seed's config uses. */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
};

const PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;

/** Parses a Go duration string into milliseconds; returns undefined when it is not one. */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "0") return 0;
  if (trimmed === "") return undefined;
  let totalMs = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < trimmed.length) {
    const match = PART.exec(trimmed);
    if (match === null) return undefined;
    totalMs += Number(match[1]) * UNIT_MS[match[2]];
  }
  return totalMs;
}
