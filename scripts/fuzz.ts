/**
 * A long run of the decoder fuzz suite with a fresh seed (CI runs 400 inputs per target with a
 * fixed one): `deno task fuzz --minutes 10 [--seed N] [--only "record batches"]`. Prints each
 * target's inputs, how many threw (a contained refusal), the slowest input and the largest RSS
 * growth, and exits 1 on any input that broke a bound.
 */
import { parseArgs } from "node:util";
import { runFuzz } from "../tests/fuzz/run_fuzz.ts";
import { fuzzTargets } from "../tests/fuzz/fuzz_targets.ts";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "5" },
    seed: { type: "string" },
    only: { type: "string", multiple: true },
  },
});
const seed = values.seed ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const minutes = Number(values.minutes);
console.log(`fuzzing for ${minutes} min with seed ${seed}`);
const run = await runFuzz({ seed, deadlineMs: Date.now() + minutes * 60_000, only: values.only });
if (run.hang) {
  const name = fuzzTargets()[run.hang.target]?.name;
  console.log(`HANG: ${name}, input ${run.hang.index} (seed ${seed})`);
  Deno.exit(1);
}
let failed = false;
for (const report of run.reports) {
  console.log(
    `${report.name}: ${report.inputs} inputs, ${report.threw} refused, slowest ` +
      `${report.slowestMs.toFixed(1)} ms, RSS +${report.largestRssGrowthMiB.toFixed(1)} MiB`,
  );
  for (const failure of report.failures) {
    failed = true;
    console.log(
      `  FAILED input ${failure.index} (${failure.inputBytes} bytes): ${failure.problem}`,
    );
  }
}
Deno.exit(failed ? 1 : 0);
