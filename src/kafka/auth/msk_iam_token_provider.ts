/**
 * Tokens for AWS MSK IAM (sent over SASL/OAUTHBEARER): a presigned `kafka-cluster:Connect` URL
 * made by AWS's own signer from the standard credential chain (environment, shared
 * config/credentials files, web identity for EKS, ECS and instance roles), a named profile, or
 * an assumed role. Reused until shortly before it expires. The signer and the AWS SDK it brings
 * are loaded only when a cluster uses this mechanism.
 */
import type { MskIamSettings } from "../../config/schema/settings.ts";
import { type FreshToken, TokenCache } from "./token_cache.ts";

/** A token and when it expires (ms since the epoch), as the signer returns them. */
export interface SignedToken {
  token: string;
  expiryTime: number;
}

/** What the provider needs from outside. */
export interface MskIamTokenDeps {
  now(): number;
  /** Signs a token; AWS's signer by default. */
  sign?(settings: MskIamSettings): Promise<SignedToken>;
}

/** Hands out a valid MSK IAM token; one signing at a time. */
export class MskIamTokenProvider {
  readonly #settings: MskIamSettings;
  readonly #deps: MskIamTokenDeps;
  readonly #cache: TokenCache;

  constructor(settings: MskIamSettings, deps: MskIamTokenDeps) {
    this.#settings = settings;
    this.#deps = deps;
    this.#cache = new TokenCache(deps.now);
  }

  /** The token to authenticate with now. */
  async token(): Promise<{ value: string }> {
    return { value: await this.#cache.get(() => this.#signToken()) };
  }

  async #signToken(): Promise<FreshToken> {
    const askedMs = this.#deps.now();
    let signed: SignedToken;
    try {
      signed = await (this.#deps.sign ?? signWithAwsSigner)(this.#settings);
    } catch (error) {
      throw new Error(
        `cannot make an AWS MSK IAM token (region ${this.#settings.region}${
          this.#settings.profile ? `, profile ${this.#settings.profile}` : ""
        }${this.#settings.roleArn ? `, role ${this.#settings.roleArn}` : ""}): ${
          error instanceof Error ? error.message : error
        }`,
        { cause: error },
      );
    }
    return { value: signed.token, lifetimeMs: Math.max(0, signed.expiryTime - askedMs) };
  }
}

async function signWithAwsSigner(settings: MskIamSettings): Promise<SignedToken> {
  const signer = await import("aws-msk-iam-sasl-signer-js");
  if (settings.roleArn !== undefined) {
    return signer.generateAuthTokenFromRole({
      region: settings.region,
      awsRoleArn: settings.roleArn,
      awsRoleSessionName: settings.roleSessionName,
    });
  }
  if (settings.profile !== undefined) {
    return signer.generateAuthTokenFromProfile({
      region: settings.region,
      awsProfileName: settings.profile,
    });
  }
  return signer.generateAuthToken({ region: settings.region });
}
