/**
 * Whether a connection's client certificate passes the web config's `client_auth_type` and
 * `client_allowed_sans`, given what the TLS handshake learned: whether a certificate was
 * presented and whether it chains to `client_ca_file`. The handshake itself already refused an
 * unverifiable certificate under RequireAndVerifyClientCert; the rest is decided here.
 */
import type { ClientAuthType } from "./web_config.ts";

/** What the handshake learned about the client's certificate. */
export interface PeerCertificate {
  presented: boolean;
  /** It chains to a trusted client CA (false when none was presented). */
  verified: boolean;
  /** Its subject alternative names, without their kind (`DNS:`, `IP Address:`, `URI:`). */
  subjectAltNames: string[];
}

/** The policy of one listener. */
export interface ClientCertificatePolicy {
  type: ClientAuthType;
  allowedSans: readonly string[];
}

/** Why a connection is refused, or undefined when it may go on. */
export function refusedClientCertificate(
  policy: ClientCertificatePolicy,
  peer: PeerCertificate,
): string | undefined {
  switch (policy.type) {
    case "NoClientCert":
    case "RequestClientCert":
      return undefined;
    case "RequireAnyClientCert":
      return peer.presented ? undefined : "no client certificate";
    case "VerifyClientCertIfGiven":
      return !peer.presented || peer.verified ? undefined : "client certificate not trusted";
    case "RequireAndVerifyClientCert":
      if (!peer.presented) return "no client certificate";
      if (!peer.verified) return "client certificate not trusted";
      if (
        policy.allowedSans.length > 0 &&
        !peer.subjectAltNames.some((name) => policy.allowedSans.includes(name))
      ) return "client certificate names none of client_allowed_sans";
      return undefined;
  }
}

/** The names of node's `subjectaltname` text (`DNS:a, IP Address:10.0.0.1, URI:spiffe://x`). */
export function parseSubjectAltNames(text: string | undefined): string[] {
  if (!text) return [];
  return text.split(", ").map((entry) => entry.slice(entry.indexOf(":") + 1)).filter((name) =>
    name !== ""
  );
}
