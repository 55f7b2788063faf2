/**
 * Tokens for SASL/OAUTHBEARER: fetched with the OIDC client-credentials grant and reused until
 * shortly before they expire, or read from a file someone else keeps fresh (a Kubernetes
 * projected service-account token). kafkajs asks at every (re)authentication; a new kafkajs
 * client (after a failed iteration, an authentication failure included) starts with a new
 * provider, so a rejected token is never offered twice.
 */
import { readTextCapped } from "../../util/read_capped.ts";
import type { OauthSettings } from "../../config/schema/settings.ts";
import { postUnverified } from "../../util/https_post.ts";
import { explainTlsFailure } from "../../util/tls_failure_hint.ts";
import { type FreshToken, TokenCache } from "./token_cache.ts";

/** What kafkajs sends: the token and the SASL extensions. */
export interface OauthBearerToken {
  value: string;
  extensions?: Record<string, string>;
}

/** What the provider needs from outside. */
export interface OauthTokenDeps {
  now(): number;
  readTextFile(path: string): Promise<string>;
  /** POSTs a form to the token endpoint; the default honours the settings' TLS options. */
  post?(url: string, request: { form: URLSearchParams; headers: Record<string, string> }): Promise<
    { status: number; body: string }
  >;
}

/** Lifetime assumed when the endpoint says nothing and the token is not a JWT. */
const DEFAULT_LIFETIME_MS = 5 * 60_000;
const TOKEN_REQUEST_TIMEOUT_MS = 10_000;

/** Hands out a valid token; one request to the endpoint at a time. */
export class OauthTokenProvider {
  readonly #settings: OauthSettings;
  readonly #deps: OauthTokenDeps;
  readonly #cache: TokenCache;

  constructor(settings: OauthSettings, deps: OauthTokenDeps) {
    this.#settings = settings;
    this.#deps = deps;
    this.#cache = new TokenCache(deps.now);
  }

  /** The token to authenticate with now. */
  async token(): Promise<OauthBearerToken> {
    const value = this.#settings.tokenFile !== undefined
      ? await this.#readTokenFile(this.#settings.tokenFile)
      : await this.#cache.get(() => this.#fetchToken());
    const extensions = this.#settings.extensions;
    return Object.keys(extensions).length > 0 ? { value, extensions } : { value };
  }

  async #readTokenFile(path: string): Promise<string> {
    try {
      const value = (await this.#deps.readTextFile(path)).trim();
      if (value === "") throw new Error("the file is empty");
      return value;
    } catch (error) {
      throw new Error(
        `cannot read the OAuth token file ${path}: ${
          error instanceof Error ? error.message : error
        }`,
        { cause: error },
      );
    }
  }

  async #fetchToken(): Promise<FreshToken> {
    const settings = this.#settings;
    const url = settings.tokenEndpointUrl!;
    const form = new URLSearchParams({ grant_type: "client_credentials" });
    if (settings.scope !== undefined) form.set("scope", settings.scope);
    if (settings.audience !== undefined) form.set("audience", settings.audience);
    // RFC 6749 §2.3.1: client id and secret form-encoded, then as HTTP basic credentials.
    const credentials = `${encodeURIComponent(settings.clientId!)}:${
      encodeURIComponent(settings.clientSecret ?? "")
    }`;
    const headers = {
      Authorization: `Basic ${btoa(credentials)}`,
      "Content-Type": "application/x-www-form-urlencoded",
      Accept: "application/json",
    };
    // Errors name the endpoint without credentials or query, and never quote its answer raw.
    const endpoint = endpointForErrors(url);
    const askedMs = this.#deps.now();
    let answer: { status: number; body: string };
    try {
      answer = await (this.#deps.post ?? defaultPost(settings))(url, { form, headers });
    } catch (error) {
      const explained = explainTlsFailure(error, { tls: settings.tls, sslKey: "sasl.oauth" });
      throw new Error(
        `OAuth token endpoint ${endpoint} unreachable: ${
          explained instanceof Error ? explained.message : explained
        }`,
        { cause: error },
      );
    }
    if (answer.status !== 200) {
      throw new Error(
        `OAuth token endpoint ${endpoint} answered ${answer.status} (client ${settings.clientId})${
          oauthErrorOf(answer.body)
        }`,
      );
    }
    let parsed: { access_token?: unknown; expires_in?: unknown };
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      throw new Error(`OAuth token endpoint ${endpoint} answered something other than JSON`);
    }
    if (typeof parsed.access_token !== "string" || parsed.access_token === "") {
      throw new Error(`OAuth token endpoint ${endpoint} answered without an access_token`);
    }
    const lifetimeMs = typeof parsed.expires_in === "number" && parsed.expires_in > 0
      ? parsed.expires_in * 1_000
      : jwtLifetimeMs(parsed.access_token, askedMs) ?? DEFAULT_LIFETIME_MS;
    return { value: parsed.access_token, lifetimeMs };
  }
}

/** The endpoint as errors show it: scheme, host and path (no credentials, no query). */
function endpointForErrors(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return "(invalid URL)";
  }
}

/**
 * RFC 6749 §5.2's `error` and `error_description` of a refusal, short; nothing else of the
 * identity provider's answer reaches a log line or the API.
 */
function oauthErrorOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    const parts = [parsed.error, parsed.error_description]
      .filter((part): part is string => typeof part === "string")
      .map((part) => part.slice(0, 120));
    return parts.length > 0 ? `: ${parts.join(": ")}` : "";
  } catch {
    return "";
  }
}

/** Remaining lifetime of a JWT from its `exp` claim, or undefined when it is not a JWT. */
export function jwtLifetimeMs(token: string, nowMs: number): number | undefined {
  const [, payload] = token.split(".");
  if (payload === undefined) return undefined;
  try {
    const claims = JSON.parse(atob(payload.replace(/-/g, "+").replace(/_/g, "/")));
    return typeof claims.exp === "number" ? Math.max(0, claims.exp * 1_000 - nowMs) : undefined;
  } catch {
    return undefined;
  }
}

function defaultPost(settings: OauthSettings) {
  const ca = settings.tls.caFile ? Deno.readTextFileSync(settings.tls.caFile) : undefined;
  const client = ca ? Deno.createHttpClient({ caCerts: [ca] }) : undefined;
  return async (
    url: string,
    { form, headers }: { form: URLSearchParams; headers: Record<string, string> },
  ) => {
    const body = new TextEncoder().encode(form.toString());
    if (settings.tls.insecureSkipVerify && url.startsWith("https:")) {
      return postUnverified(url, { headers, body, timeoutMs: TOKEN_REQUEST_TIMEOUT_MS, ca });
    }
    const response = await fetch(url, {
      method: "POST",
      headers,
      body,
      client,
      signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
    });
    return { status: response.status, body: await readTextCapped(response) };
  };
}
