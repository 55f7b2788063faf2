import { assertEquals } from "../../tests/assert.ts";
import { createRedactor } from "./redactor.ts";

Deno.test("createRedactor()", async (t) => {
  const redact = createRedactor(['s3cr"et/pass', "tok-123456", "abc"]);
  const cases: Array<[string, string, string]> = [
    ["a raw secret", 'SASL failed for s3cr"et/pass', "SASL failed for <redacted>"],
    ["its JSON-escaped form", '{"msg":"s3cr\\"et/pass"}', '{"msg":"<redacted>"}'],
    ["its URL-encoded form", "client_secret=s3cr%22et%2Fpass&x=1", "client_secret=<redacted>&x=1"],
    ["every occurrence", "tok-123456 and tok-123456", "<redacted> and <redacted>"],
    [
      "credentials inside URLs",
      "POST https://user:pw@idp.example/token failed",
      "POST https://<redacted>@idp.example/token failed",
    ],
    ["too short to search for", "abc is a word", "abc is a word"],
    ["nothing secret", "cluster down", "cluster down"],
  ];
  for (const [name, text, expected] of cases) {
    await t.step(name, () => assertEquals(redact(text), expected));
  }
});
