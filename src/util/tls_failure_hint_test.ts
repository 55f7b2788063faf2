import { assert, assertEquals, assertStringIncludes } from "../../tests/assert.ts";
import { explainTlsFailure } from "./tls_failure_hint.ts";

Deno.test("a certificate failure on a verifying connection explains the kafka-lag-go difference", () => {
  const failure = new Error("Connection error: invalid peer certificate: UnknownIssuer");
  const explained = explainTlsFailure(failure, {
    tls: { insecureSkipVerify: false },
    sslKey: "ssl",
  });
  assert(explained instanceof Error);
  assertStringIncludes(explained.message, "UnknownIssuer");
  assertStringIncludes(explained.message, "kafka-lag-go skipped this check");
  assertStringIncludes(explained.message, "ssl.ca_file");
  assertStringIncludes(explained.message, "ssl.insecure_skip_verify: true");
  assertEquals(explained.cause, failure);
});

Deno.test("other failures, plaintext and unverified connections are left alone", () => {
  const refused = new Error("Connection error: connect ECONNREFUSED 127.0.0.1:9093");
  assertEquals(
    explainTlsFailure(refused, { tls: { insecureSkipVerify: false }, sslKey: "ssl" }),
    refused,
  );
  const certificate = new Error("self-signed certificate");
  assertEquals(explainTlsFailure(certificate, { tls: undefined, sslKey: "ssl" }), certificate);
  assertEquals(
    explainTlsFailure(certificate, { tls: { insecureSkipVerify: true }, sslKey: "ssl" }),
    certificate,
  );
});
