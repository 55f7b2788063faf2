import { assertEquals, assertRejects, assertStringIncludes } from "../../../tests/assert.ts";
import type { OauthSettings } from "../../config/schema/settings.ts";
import { jwtLifetimeMs, OauthTokenProvider } from "./oauth_token_provider.ts";

function settings(overrides: Partial<OauthSettings> = {}): OauthSettings {
  return {
    tokenEndpointUrl: "https://idp.example/token",
    clientId: "lag exporter",
    clientSecret: "s3:cret",
    scope: "kafka",
    audience: undefined,
    extensions: {},
    tokenFile: undefined,
    tls: { caFile: undefined, insecureSkipVerify: false },
    ...overrides,
  };
}

/** A token endpoint answering from a script, recording what it was sent. */
function endpoint(answers: Array<{ status: number; body: string }>) {
  const requests: Array<{ url: string; form: string; headers: Record<string, string> }> = [];
  return {
    requests,
    post: (
      url: string,
      { form, headers }: { form: URLSearchParams; headers: Record<string, string> },
    ) => {
      requests.push({ url, form: form.toString(), headers });
      return Promise.resolve(answers[Math.min(requests.length, answers.length) - 1]);
    },
  };
}

const token = (value: string, expiresIn?: number) => ({
  status: 200,
  body: JSON.stringify({ access_token: value, token_type: "Bearer", expires_in: expiresIn }),
});

Deno.test("client credentials: form and basic auth as RFC 6749 says", async () => {
  const idp = endpoint([token("t1", 3600)]);
  const provider = new OauthTokenProvider(settings({ audience: "kafka-cluster" }), {
    now: () => 0,
    readTextFile: () => Promise.reject(new Error("unused")),
    post: idp.post,
  });
  assertEquals(await provider.token(), { value: "t1" });
  assertEquals(idp.requests[0].url, "https://idp.example/token");
  assertEquals(
    idp.requests[0].form,
    "grant_type=client_credentials&scope=kafka&audience=kafka-cluster",
  );
  // "lag exporter" and "s3:cret" are form-encoded before base64.
  assertEquals(idp.requests[0].headers.Authorization, `Basic ${btoa("lag%20exporter:s3%3Acret")}`);
});

Deno.test("a token is reused until shortly before it expires, then refreshed", async (t) => {
  const cases: Array<[lifetimeS: number, reusedUntilMs: number]> = [
    [3600, 3_540_000], // an hour: refreshed a minute early
    [100, 50_000], // short-lived: refreshed at half its life
    [20, 5_000], // never with less than 15 s left (kafkajs re-authenticates 10 s before the end)
  ];
  for (const [lifetimeS, reusedUntilMs] of cases) {
    await t.step(`${lifetimeS} s token`, async () => {
      let now = 0;
      const idp = endpoint([token("first", lifetimeS), token("second", lifetimeS)]);
      const provider = new OauthTokenProvider(settings(), {
        now: () => now,
        readTextFile: () => Promise.reject(new Error("unused")),
        post: idp.post,
      });
      assertEquals((await provider.token()).value, "first");
      now = reusedUntilMs - 1;
      assertEquals((await provider.token()).value, "first");
      assertEquals(idp.requests.length, 1);
      now = reusedUntilMs;
      assertEquals((await provider.token()).value, "second");
      assertEquals(idp.requests.length, 2);
    });
  }
});

Deno.test("concurrent authentications share one token request", async () => {
  const idp = endpoint([token("t", 3600)]);
  const provider = new OauthTokenProvider(settings(), {
    now: () => 0,
    readTextFile: () => Promise.reject(new Error("unused")),
    post: idp.post,
  });
  const tokens = await Promise.all([provider.token(), provider.token(), provider.token()]);
  assertEquals(tokens.map((entry) => entry.value), ["t", "t", "t"]);
  assertEquals(idp.requests.length, 1);
});

Deno.test("without expires_in a JWT's exp is used; extensions go with the token", async () => {
  const exp = 1_000 + 120; // seconds
  const jwt = `${btoa('{"alg":"none"}')}.${btoa(JSON.stringify({ exp, sub: "x" }))}.`;
  assertEquals(jwtLifetimeMs(jwt, 1_000_000), 120_000);
  assertEquals(jwtLifetimeMs("opaque-token", 0), undefined);
  let now = 1_000_000;
  const idp = endpoint([token(jwt), token("next", 60)]);
  const provider = new OauthTokenProvider(settings({ extensions: { logicalCluster: "lkc-1" } }), {
    now: () => now,
    readTextFile: () => Promise.reject(new Error("unused")),
    post: idp.post,
  });
  assertEquals(await provider.token(), { value: jwt, extensions: { logicalCluster: "lkc-1" } });
  now += 60_000; // half of the JWT's 2 minutes
  assertEquals((await provider.token()).value, "next");
});

Deno.test("endpoint failures are one clear error naming the endpoint and client", async (t) => {
  const cases: Array<[{ status: number; body: string }, string]> = [
    [{ status: 401, body: '{"error":"invalid_client"}' }, "answered 401 (client lag exporter)"],
    [{ status: 200, body: "<html>" }, "answered something other than JSON"],
    [{ status: 200, body: '{"token_type":"Bearer"}' }, "answered without an access_token"],
  ];
  for (const [answer, expected] of cases) {
    await t.step(expected, async () => {
      const provider = new OauthTokenProvider(settings(), {
        now: () => 0,
        readTextFile: () => Promise.reject(new Error("unused")),
        post: endpoint([answer]).post,
      });
      const error = await assertRejects(() => provider.token(), Error);
      assertStringIncludes(error.message, "OAuth token endpoint https://idp.example/token");
      assertStringIncludes(error.message, expected);
      assertEquals(error.message.includes("s3:cret"), false);
    });
  }
});

Deno.test("a token file is re-read at every authentication", async () => {
  const contents = ["token-a\n", "token-b\n", ""];
  let reads = 0;
  const provider = new OauthTokenProvider(
    settings({ tokenFile: "/var/run/secrets/kafka-token", tokenEndpointUrl: undefined }),
    { now: () => 0, readTextFile: () => Promise.resolve(contents[reads++]) },
  );
  assertEquals((await provider.token()).value, "token-a");
  assertEquals((await provider.token()).value, "token-b");
  const error = await assertRejects(() => provider.token(), Error);
  assertStringIncludes(
    error.message,
    "cannot read the OAuth token file /var/run/secrets/kafka-token",
  );
});
