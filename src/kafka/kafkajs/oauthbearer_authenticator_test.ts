import { assertEquals } from "../../../tests/assert.ts";
import { challengeText } from "./oauthbearer_authenticator.ts";

Deno.test("challengeText(): no challenge after a success, the error JSON after a refusal", () => {
  const utf8 = (text: string) => new TextEncoder().encode(text);
  const prefixed = (text: string) => {
    const body = utf8(text);
    const bytes = new Uint8Array(4 + body.length);
    new DataView(bytes.buffer).setInt32(0, body.length);
    bytes.set(body, 4);
    return bytes;
  };
  assertEquals(challengeText(undefined), "");
  assertEquals(challengeText(new Uint8Array()), "");
  assertEquals(challengeText(new Uint8Array(4)), ""); // a zero-length prefix: success
  assertEquals(challengeText(prefixed('{"status":"invalid_token"}')), '{"status":"invalid_token"}');
  assertEquals(challengeText(utf8('{"status":"invalid_token"}')), '{"status":"invalid_token"}');
});
