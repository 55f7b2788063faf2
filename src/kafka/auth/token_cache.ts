/**
 * One cached SASL token, replaced shortly before it expires: shared by the OAuth and MSK IAM
 * providers. Concurrent authentications wait for the same request.
 */

/** Reused at most until this long before expiry (or half the token's life, if shorter). */
const REFRESH_MARGIN_MS = 60_000;
/**
 * A token handed out has at least this long left: a broker that limits sessions ends each one
 * with its token, and kafkajs re-authenticates 10 s before a session ends, so a token with less
 * left would make it re-authenticate before every request (and a request could reach the broker
 * after the session ended: ILLEGAL_SASL_STATE).
 */
const MIN_REMAINING_MS = 15_000;

/**
 * When a token obtained at `obtainedMs`, valid for `lifetimeMs`, is replaced: a minute before it
 * expires, or at half its life when it is short-lived, and never later than 15 s before expiry
 * (a token living 15 s or less is fetched anew for every authentication).
 */
export function refreshTimeMs(obtainedMs: number, lifetimeMs: number): number {
  const margin = Math.max(Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2), MIN_REMAINING_MS);
  return obtainedMs + Math.max(0, lifetimeMs - margin);
}

/** A token and how long it is valid from when it was asked for. */
export interface FreshToken {
  value: string;
  lifetimeMs: number;
}

/** Holds the current token; `get` fetches a new one only when it is due. */
export class TokenCache {
  readonly #now: () => number;
  #cached?: { value: string; refreshAtMs: number };
  #inFlight?: Promise<string>;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** The cached token, or the one `fetch` brings when the cached one is due for replacement. */
  get(fetch: () => Promise<FreshToken>): Promise<string> {
    const cached = this.#cached;
    if (cached && this.#now() < cached.refreshAtMs) return Promise.resolve(cached.value);
    this.#inFlight ??= (async () => {
      // Measured from when the request was sent: the issuer's clock started no earlier.
      const askedMs = this.#now();
      const fresh = await fetch();
      this.#cached = { value: fresh.value, refreshAtMs: refreshTimeMs(askedMs, fresh.lifetimeMs) };
      return fresh.value;
    })().finally(() => this.#inFlight = undefined);
    return this.#inFlight;
  }
}
