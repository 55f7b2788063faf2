/**
 * A small OIDC provider for the OAUTHBEARER tests: a client-credentials token endpoint issuing
 * RS256 JWTs (signed with `jose`) and the JWKS endpoint Kafka's OAuthBearerValidatorCallbackHandler
 * validates them against. Counts the tokens it issued; the lifetime is short on demand.
 */
import { exportJWK, generateKeyPair, SignJWT } from "jose";

/** A running token endpoint + JWKS. */
export interface OidcProvider extends AsyncDisposable {
  tokenUrl: string;
  jwksUrl: string;
  /** Tokens issued so far (successful client-credentials grants). */
  issued(): number;
  /** Requests refused (wrong client or secret). */
  refused(): number;
  /** A token as the endpoint would issue it, for `subject` (e.g. to write into a token file). */
  mint(subject: string): Promise<string>;
}

/** Options of the provider. */
export interface OidcOptions {
  clients: Record<string, string>;
  /** Lifetime of each token in seconds. */
  lifetimeSeconds: number;
  audience: string;
  /** Serve HTTPS with this certificate (PEM) instead of HTTP. */
  tls?: { cert: string; key: string };
}

/** Starts the provider on a free loopback port. */
export async function startOidcProvider(options: OidcOptions): Promise<OidcProvider> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  let issued = 0;
  let refused = 0;
  const mint = (subject: string, scope: string) =>
    new SignJWT({ scope })
      .setProtectedHeader({ alg: "RS256", kid: "test-key" })
      .setSubject(subject)
      .setAudience(options.audience)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1_000) + options.lifetimeSeconds)
      .sign(privateKey);
  const listen = { hostname: "127.0.0.1", port: 0, onListen: () => {}, ...options.tls };
  const server = Deno.serve(listen, async (
    request,
  ) => {
    const path = new URL(request.url).pathname;
    if (path === "/jwks") return Response.json({ keys: [jwk] });
    if (path !== "/token" || request.method !== "POST") {
      return new Response("not found", { status: 404 });
    }
    const form = new URLSearchParams(await request.text());
    let credentials = "";
    try {
      credentials = atob((request.headers.get("authorization") ?? "").replace(/^Basic /, ""));
    } catch {
      // Not basic credentials: refused below like wrong ones.
    }
    const [clientId, secret] = credentials.split(":").map(decodeURIComponent);
    if (form.get("grant_type") !== "client_credentials" || options.clients[clientId] !== secret) {
      refused++;
      return Response.json({ error: "invalid_client" }, { status: 401 });
    }
    issued++;
    const token = await mint(clientId, form.get("scope") ?? "");
    return Response.json({
      access_token: token,
      token_type: "Bearer",
      expires_in: options.lifetimeSeconds,
    });
  });
  const base = `${options.tls ? "https" : "http"}://127.0.0.1:${server.addr.port}`;
  return {
    tokenUrl: `${base}/token`,
    jwksUrl: `${base}/jwks`,
    issued: () => issued,
    refused: () => refused,
    mint: (subject) => mint(subject, "kafka"),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}
