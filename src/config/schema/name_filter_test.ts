import { assert, assertEquals } from "../../../tests/assert.ts";
import { compileNameFilter, isIncluded, patternSyntaxError } from "./name_filter.ts";

// Expected results follow Go's regexp documentation (RE2 syntax): flags in `(?flags)`, `\z` is
// the end of text, `\A` its start, `\Q…\E` quotes, POSIX classes in brackets, unanchored search.
const GO_SEMANTICS: Array<[pattern: string, name: string, matches: boolean]> = [
  ["(?i)^orders-", "ORDERS-eu", true],
  ["(?i)^orders-", "x-orders-eu", false],
  ["^orders-", "Orders-eu", false],
  ["-tmp\\z", "billing-tmp", true],
  ["-tmp\\z", "billing-tmp-2", false],
  ["\\Aapp", "app-1", true],
  ["\\Aapp", "my-app", false],
  ["\\Qa.b\\E", "a.b", true],
  ["\\Qa.b\\E", "axb", false],
  ["[[:digit:]]+$", "group-42", true],
  ["[[:digit:]]+$", "group-x", false],
  ["(?s)a.b", "a\nb", true],
  ["a.b", "a\nb", false],
  ["(?m)^b$", "a\nb\nc", true],
  ["\\pL+-\\d", "größe-1", true],
  ["orders", "legacy-orders-v2", true], // unanchored, as Go's MatchString
  ["(?U)a+", "aaa", true],
];

Deno.test("name patterns follow Go's (RE2) regexp semantics", async (t) => {
  for (const [pattern, name, matches] of GO_SEMANTICS) {
    await t.step(`${JSON.stringify(pattern)} on ${JSON.stringify(name)} → ${matches}`, () => {
      assertEquals(isIncluded(compileNameFilter(pattern, undefined), name), matches);
    });
  }
});

Deno.test("patterns Go refuses are refused with its reason", () => {
  // Look-behind and back-references are not RE2; JavaScript would accept them.
  for (const pattern of ["(?<=a)b", "(a)\\1", "a(b", "x**"]) {
    assert(patternSyntaxError(pattern) !== undefined, pattern);
  }
  assertEquals(patternSyntaxError("missing)"), "unexpected ): `missing)`");
  assertEquals(patternSyntaxError("(?i)^ok\\z"), undefined);
});

Deno.test("matching is linear: a catastrophic-backtracking pattern cannot stall", () => {
  const filter = compileNameFilter("(a+)+$", undefined);
  const started = performance.now();
  for (let index = 0; index < 1_000; index++) isIncluded(filter, "a".repeat(40) + "!");
  // A backtracking engine needs minutes for one of these names; RE2 a few microseconds.
  assert(performance.now() - started < 5_000);
});

Deno.test("an empty pattern or list is no filter, as in kafka-lag-go", () => {
  const emptyWhitelist = compileNameFilter("", "^test-");
  assertEquals(emptyWhitelist.whitelist, []);
  assertEquals(isIncluded(emptyWhitelist, "test-1"), false, "blacklist still applies");
  assertEquals(isIncluded(emptyWhitelist, "app-1"), true);
  assertEquals(isIncluded(compileNameFilter([], []), "anything"), true);
  assertEquals(isIncluded(compileNameFilter(["", "^app-"], undefined), "other"), false);
});

Deno.test("a whitelist wins over the blacklist; any listed pattern may match", () => {
  const filter = compileNameFilter(["^app-", "^svc-"], "app-test");
  assertEquals(isIncluded(filter, "app-test"), true);
  assertEquals(isIncluded(filter, "svc-1"), true);
  assertEquals(isIncluded(filter, "batch"), false);
});
