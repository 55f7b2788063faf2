import { assertEquals } from "../../tests/assert.ts";
import {
  type ClientCertificatePolicy,
  parseSubjectAltNames,
  type PeerCertificate,
  refusedClientCertificate,
} from "./client_certificates.ts";
import { CLIENT_AUTH_TYPES } from "./web_config.ts";

const NONE: PeerCertificate = { presented: false, verified: false, subjectAltNames: [] };
const UNTRUSTED: PeerCertificate = {
  presented: true,
  verified: false,
  subjectAltNames: ["scraper.example"],
};
const TRUSTED: PeerCertificate = { ...UNTRUSTED, verified: true };

Deno.test("refusedClientCertificate(): every policy against every kind of peer", () => {
  // [policy, no certificate, untrusted certificate, trusted certificate]; "" = let in.
  const table: Array<[ClientCertificatePolicy["type"], string, string, string]> = [
    ["NoClientCert", "", "", ""],
    ["RequestClientCert", "", "", ""],
    ["RequireAnyClientCert", "no client certificate", "", ""],
    ["VerifyClientCertIfGiven", "", "client certificate not trusted", ""],
    [
      "RequireAndVerifyClientCert",
      "no client certificate",
      "client certificate not trusted",
      "",
    ],
  ];
  assertEquals(table.map(([type]) => type), [...CLIENT_AUTH_TYPES]);
  for (const [type, none, untrusted, trusted] of table) {
    const policy = { type, allowedSans: [] };
    assertEquals(
      [NONE, UNTRUSTED, TRUSTED].map((peer) => refusedClientCertificate(policy, peer) ?? ""),
      [none, untrusted, trusted],
      type,
    );
  }
});

Deno.test("refusedClientCertificate(): client_allowed_sans needs one of its names", () => {
  const policy = (allowedSans: string[]): ClientCertificatePolicy => ({
    type: "RequireAndVerifyClientCert",
    allowedSans,
  });
  assertEquals(refusedClientCertificate(policy(["other", "scraper.example"]), TRUSTED), undefined);
  assertEquals(
    refusedClientCertificate(policy(["other"]), TRUSTED),
    "client certificate names none of client_allowed_sans",
  );
  // A name is matched whole, never as a prefix or a domain suffix.
  assertEquals(
    refusedClientCertificate(policy(["example"]), TRUSTED),
    "client certificate names none of client_allowed_sans",
  );
  assertEquals(
    refusedClientCertificate(policy(["scraper.example"]), { ...TRUSTED, subjectAltNames: [] }),
    "client certificate names none of client_allowed_sans",
  );
});

Deno.test("parseSubjectAltNames() reads node's subjectaltname text", () => {
  const table: Array<[string | undefined, string[]]> = [
    [undefined, []],
    ["", []],
    ["DNS:localhost", ["localhost"]],
    [
      "DNS:client.example, IP Address:127.0.0.1, URI:spiffe://cluster/ns/prometheus, email:a@b.c",
      ["client.example", "127.0.0.1", "spiffe://cluster/ns/prometheus", "a@b.c"],
    ],
  ];
  for (const [text, names] of table) assertEquals(parseSubjectAltNames(text), names, text);
});
