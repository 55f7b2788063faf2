/**
 * Tokens for AWS MSK IAM (sent over SASL/OAUTHBEARER): a presigned `kafka-cluster:Connect` URL
 * made by AWS's own signer from the standard credential chain (environment, shared
 * config/credentials files, web identity for EKS, ECS and instance roles), a named profile, or
 * an assumed role. Reused until shortly before it expires. The signer and the AWS SDK it brings
 * are loaded only when a cluster uses this mechanism.
 */
import type { MskIamSettings } from "../config/settings.ts";
import { refreshTimeMs } from "./oauth_token_provider.ts";

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
  #cached?: { value: string; refreshAtMs: number };
  #inFlight?: Promise<string>;

  constructor(settings: MskIamSettings, deps: MskIamTokenDeps) {
    this.#settings = settings;
    this.#deps = deps;
  }

  /** The token to authenticate with now. */
  async token(): Promise<{ value: string }> {
    const cached = this.#cached;
    if (cached && this.#deps.now() < cached.refreshAtMs) return { value: cached.value };
    this.#inFlight ??= this.#signToken().finally(() => this.#inFlight = undefined);
    return { value: await this.#inFlight };
  }

  async #signToken(): Promise<string> {
    const startedMs = this.#deps.now();
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
    const lifetimeMs = Math.max(0, signed.expiryTime - startedMs);
    this.#cached = { value: signed.token, refreshAtMs: refreshTimeMs(startedMs, lifetimeMs) };
    return signed.token;
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
