/**
 * Runs the fuzz targets inside a worker, so that the main thread can stop a decoder that never
 * returns. Progress goes to a shared counter the main thread watches; the report is posted at the
 * end.
 */
import { type FuzzRequest, type FuzzTargetReport, judgeInput } from "./fuzz_limits.ts";
import { fuzzTargets } from "./fuzz_targets.ts";
import { mutate, Random } from "./mutate.ts";

/** The input of one (seed, target, index): regenerated alone to replay a failure. */
function inputSeed(seed: number, target: number, index: number): number {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(target + 1, 0xc2b2ae35) +
    Math.imul(index + 1, 0x27d4eb2f)) >>> 0;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<FuzzRequest>) => void) | null;
  postMessage(reply: { reports: FuzzTargetReport[] }): void;
};

scope.onmessage = async (event) => {
  const request = event.data;
  const progress = new Int32Array(request.progress);
  const targets = fuzzTargets().filter((target) =>
    !request.only || request.only.some((name) => target.name.includes(name))
  );
  const reports: FuzzTargetReport[] = targets.map((target) => ({
    name: target.name,
    seeds: target.seeds.length,
    inputs: 0,
    threw: 0,
    slowestMs: 0,
    largestRssGrowthMiB: 0,
    failures: [],
  }));
  const deadline = request.deadlineMs ?? Infinity;
  for (let index = 0;; index++) {
    if (request.inputsPerTarget !== undefined && index >= request.inputsPerTarget) break;
    if (Date.now() > deadline) break;
    for (let targetIndex = 0; targetIndex < targets.length; targetIndex++) {
      const target = targets[targetIndex];
      const report = reports[targetIndex];
      if (target.seeds.length === 0) continue;
      const random = new Random(inputSeed(request.seed, targetIndex, index));
      const seed = target.seeds[index % target.seeds.length];
      // Every seed is run as it is once, then mutated copies.
      const input = index < target.seeds.length
        ? seed
        : mutate(seed, { random, hotspots: target.hotspots, compound: target.compound });
      Atomics.store(progress, 1, targetIndex);
      Atomics.store(progress, 2, index);
      Atomics.add(progress, 0, 1);
      const rssBefore = Deno.memoryUsage().rss;
      const started = performance.now();
      let thrown: unknown;
      try {
        await target.run(input);
      } catch (error) {
        thrown = error;
      }
      const elapsedMs = performance.now() - started;
      const rssGrowthMiB = (Deno.memoryUsage().rss - rssBefore) / (1024 * 1024);
      report.inputs++;
      if (thrown !== undefined) report.threw++;
      report.slowestMs = Math.max(report.slowestMs, elapsedMs);
      report.largestRssGrowthMiB = Math.max(report.largestRssGrowthMiB, rssGrowthMiB);
      const problem = judgeInput({ thrown, elapsedMs, rssGrowthMiB });
      if (problem && report.failures.length < 5) {
        report.failures.push({ index, problem, inputBytes: input.byteLength });
      }
    }
  }
  scope.postMessage({ reports });
};
