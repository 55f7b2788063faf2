import { assert, assertEquals } from "../../tests/assert.ts";
import { interpolateEnv, MissingEnvError } from "./interpolate_env.ts";

Deno.test("interpolateEnv()", async (t) => {
  const env: Record<string, string> = { A: "alpha", EMPTY: "" };
  const lookup = (name: string) => env[name];
  const cases: Array<[string, string]> = [
    ["${A}", "alpha"],
    ["x-${A}-y", "x-alpha-y"],
    ["${B:-beta}", "beta"],
    ["${A:-beta}", "alpha"],
    ["${EMPTY:-fallback}", "fallback"],
    ["${EMPTY}", ""],
    ["$${A}", "${A}"],
    ["no refs", "no refs"],
  ];
  for (const [text, expected] of cases) {
    await t.step(text, () => assertEquals(interpolateEnv(text, lookup), expected));
  }
  await t.step("unset without default throws", () => {
    let thrown: unknown;
    try {
      interpolateEnv("${NOPE}", lookup);
    } catch (error) {
      thrown = error;
    }
    assert(thrown instanceof MissingEnvError);
  });
});
