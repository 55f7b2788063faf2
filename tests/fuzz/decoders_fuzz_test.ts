/**
 * The decoder fuzz suite in CI: every decoder of broker or producer bytes, fed its real captured
 * answers and 400 seeded mutations of them each (lengths and counts negative, huge or off by one,
 * truncation, never-ending varints, decompression bombs). Every input must return or throw a
 * contained error within MAX_INPUT_MS and MAX_RSS_GROWTH_MIB; none may hang. A longer run with
 * fresh seeds: `deno task fuzz --minutes 10`.
 */
import { assert, assertEquals } from "../assert.ts";
import { runFuzz } from "./run_fuzz.ts";
import { fuzzTargets } from "./fuzz_targets.ts";

const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 20261204);

Deno.test("every decoder stays within its bounds on 400 mutations of real answers", async () => {
  const run = await runFuzz({ seed: SEED, inputsPerTarget: 400 });
  const names = run.hang ? fuzzTargets().map((target) => target.name) : [];
  assertEquals(
    run.hang,
    undefined,
    run.hang &&
      `hang: ${names[run.hang.target]}, input ${run.hang.index} of seed ${SEED}`,
  );
  for (const report of run.reports) {
    assert(report.seeds > 0, `${report.name}: no seed in the corpus`);
    assertEquals(report.inputs, 400, report.name);
    assertEquals(
      report.failures,
      [],
      `${report.name} (seed ${SEED}): ${JSON.stringify(report.failures)}`,
    );
  }
  assertEquals(run.reports.length, 18);
});
