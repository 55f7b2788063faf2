/**
 * SASL/OAUTHBEARER for kafkajs, with the server's answer read. kafkajs' own OAUTHBEARER ignores
 * it, but a broker that refuses a token answers with an error challenge (RFC 7628 §3.2.2, e.g.
 * `{"status":"invalid_token"}`) rather than an error code, so kafkajs took the connection as
 * authenticated and failed later with nothing to say why. Here that answer fails the
 * authentication with one clear message.
 */
import type { AuthenticationProviderArgs, Mechanism } from "kafkajs";
import oauthBearer from "kafkajs/src/protocol/sasl/oauthBearer/index.js";
import type { Buffer } from "node:buffer";

/** A token and its SASL extensions, as the token providers return them. */
export interface BearerToken {
  value: string;
  extensions?: Record<string, string>;
}

/** kafkajs' `sasl` option for OAUTHBEARER with tokens from `token`. */
export function oauthBearerMechanism(token: () => Promise<BearerToken>): Mechanism {
  return {
    mechanism: "OAUTHBEARER",
    authenticationProvider: ({ saslAuthenticate }: AuthenticationProviderArgs) => ({
      authenticate: async () => {
        const bearer = await token();
        const challenge = await saslAuthenticate<Uint8Array>({
          // kafkajs' own encoding of the client's first message (GS2 header, token, extensions).
          request: await oauthBearer.request({}, bearer),
          response: { decode: (bytes: Buffer) => bytes, parse: (bytes: Buffer) => bytes },
        });
        const detail = challengeText(challenge);
        if (detail !== "") {
          throw new Error(
            `SASL OAUTHBEARER authentication failed: the broker refused the token (${detail})`,
          );
        }
      },
    }),
  };
}

/** The server's challenge as text ("" when it sent none); kafkajs hands it over length-prefixed. */
export function challengeText(bytes: Uint8Array | void): string {
  if (!bytes || bytes.length === 0) return "";
  let content = bytes;
  if (bytes.length >= 4) {
    const length = new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0);
    if (length === bytes.length - 4 || length <= 0) content = bytes.subarray(4);
  }
  return new TextDecoder().decode(content).replace(/\0/g, "").trim();
}
