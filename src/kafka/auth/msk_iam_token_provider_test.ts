import {
  assert,
  assertEquals,
  assertRejects,
  assertStringIncludes,
} from "../../../tests/assert.ts";
import type { MskIamSettings } from "../../config/schema/settings.ts";
import { MskIamTokenProvider } from "./msk_iam_token_provider.ts";

const REGION = "eu-west-1";
const settings = (overrides: Partial<MskIamSettings> = {}): MskIamSettings => ({
  region: REGION,
  profile: undefined,
  roleArn: undefined,
  roleSessionName: undefined,
  ...overrides,
});

/** Runs `work` with these environment variables set (and the AWS ones cleared), then restores. */
async function withEnv<T>(env: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const names = [
    ...new Set([
      ...Object.keys(Deno.env.toObject()).filter((n) => n.startsWith("AWS_")),
      ...Object.keys(env),
    ]),
  ];
  const saved = new Map(names.map((name) => [name, Deno.env.get(name)]));
  for (const name of names) Deno.env.delete(name);
  for (const [name, value] of Object.entries(env)) Deno.env.set(name, value);
  try {
    return await work();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
}

function base64UrlDecode(token: string): string {
  assert(/^[A-Za-z0-9_-]+$/.test(token), "base64url without padding");
  return atob(token.replace(/-/g, "+").replace(/_/g, "/"));
}

const hex = (bytes: ArrayBuffer) =>
  [...new Uint8Array(bytes)].map((byte) => byte.toString(16).padStart(2, "0")).join("");

async function hmac(
  key: ArrayBuffer | Uint8Array<ArrayBuffer>,
  text: string,
): Promise<ArrayBuffer> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return crypto.subtle.sign("HMAC", cryptoKey, new TextEncoder().encode(text));
}

/** Query parameters outside the signature: the signature itself, and the signer's User-Agent (added after signing). */
const UNSIGNED = new Set(["X-Amz-Signature", "User-Agent"]);

/** SigV4 of a presigned GET, computed here from the documented algorithm (not the SDK's code). */
async function expectedSignature(url: URL, secretKey: string): Promise<string> {
  const encode = (text: string) =>
    encodeURIComponent(text).replace(
      /[!'()*]/g,
      (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
    );
  const query = [...url.searchParams].filter(([name]) => !UNSIGNED.has(name))
    .map(([name, value]) => `${encode(name)}=${encode(value)}`).sort().join("&");
  const emptyHash = hex(await crypto.subtle.digest("SHA-256", new Uint8Array()));
  const canonical = ["GET", "/", query, `host:${url.host}`, "", "host", emptyHash].join("\n");
  const amzDate = url.searchParams.get("X-Amz-Date")!;
  const scope = `${amzDate.slice(0, 8)}/${REGION}/kafka-cluster/aws4_request`;
  const toSign = [
    "AWS4-HMAC-SHA256",
    amzDate,
    scope,
    hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonical))),
  ].join("\n");
  let key: ArrayBuffer = await hmac(
    new TextEncoder().encode(`AWS4${secretKey}`),
    amzDate.slice(0, 8),
  );
  for (const part of [REGION, "kafka-cluster", "aws4_request"]) key = await hmac(key, part);
  return hex(await hmac(key, toSign));
}

Deno.test("AWS's signer makes a presigned kafka-cluster:Connect URL from the environment's credentials", async () => {
  const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  const token = await withEnv(
    { AWS_ACCESS_KEY_ID: "AKIDENVEXAMPLE", AWS_SECRET_ACCESS_KEY: secret },
    () => new MskIamTokenProvider(settings(), { now: Date.now }).token(),
  );
  const url = new URL(base64UrlDecode(token.value));
  assertEquals(url.origin, `https://kafka.${REGION}.amazonaws.com`);
  assertEquals(url.searchParams.get("Action"), "kafka-cluster:Connect");
  assertEquals(url.searchParams.get("X-Amz-Algorithm"), "AWS4-HMAC-SHA256");
  const credential = url.searchParams.get("X-Amz-Credential")!.split("/");
  assertEquals(credential[0], "AKIDENVEXAMPLE");
  assertEquals(credential.slice(2), [REGION, "kafka-cluster", "aws4_request"]);
  assertEquals(url.searchParams.get("X-Amz-Expires"), "900");
  assertEquals(url.searchParams.get("X-Amz-SignedHeaders"), "host");
  const signedAt = url.searchParams.get("X-Amz-Date")!;
  assert(/^\d{8}T\d{6}Z$/.test(signedAt), signedAt);
  const signedAtMs = Date.parse(
    signedAt.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"),
  );
  assert(Math.abs(signedAtMs - Date.now()) < 60_000, "signed now");
  assertEquals(credential[1], signedAt.slice(0, 8));
  assertEquals(url.searchParams.get("X-Amz-Signature"), await expectedSignature(url, secret));
});

Deno.test("a named profile of the shared credentials file is used", async () => {
  const fixtures = new URL("../../../tests/fixtures/aws/", import.meta.url).pathname;
  const env = {
    AWS_SHARED_CREDENTIALS_FILE: `${fixtures}credentials`,
    AWS_CONFIG_FILE: `${fixtures}config`,
  };
  const keyIdOf = async (profile: string | undefined, extra: Record<string, string> = {}) => {
    const token = await withEnv(
      { ...env, ...extra },
      () => new MskIamTokenProvider(settings({ profile }), { now: Date.now }).token(),
    );
    return new URL(base64UrlDecode(token.value)).searchParams.get("X-Amz-Credential")!
      .split("/")[0];
  };
  assertEquals(await keyIdOf("lag-reader"), "AKIDPROFILE");
  // The default chain honours AWS_PROFILE, as every AWS tool does.
  assertEquals(await keyIdOf(undefined, { AWS_PROFILE: "lag-reader" }), "AKIDPROFILE");
  assertEquals(await keyIdOf(undefined), "AKIDDEFAULT");
});

Deno.test("a token is reused until shortly before it expires, then signed anew", async () => {
  let now = 1_000_000;
  let signed = 0;
  const provider = new MskIamTokenProvider(settings(), {
    now: () => now,
    sign: () => Promise.resolve({ token: `t${++signed}`, expiryTime: now + 900_000 }),
  });
  const first = await Promise.all([provider.token(), provider.token()]);
  assertEquals(first.map((token) => token.value), ["t1", "t1"]);
  now += 840_000 - 1; // 15 minutes minus the one-minute margin
  assertEquals((await provider.token()).value, "t1");
  now += 1;
  assertEquals((await provider.token()).value, "t2");
});

Deno.test("a failure names the region, profile or role", async () => {
  const provider = new MskIamTokenProvider(settings({ profile: "missing" }), {
    now: Date.now,
    sign: () => Promise.reject(new Error("Could not load credentials from any providers")),
  });
  const error = await assertRejects(() => provider.token(), Error);
  assertStringIncludes(
    error.message,
    "cannot make an AWS MSK IAM token (region eu-west-1, profile missing)",
  );
  assertStringIncludes(error.message, "Could not load credentials");
});
