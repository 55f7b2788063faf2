/**
 * Two checkouts of the exporter, back to back against one held broker (benchmark only):
 * `deno task bench:compare --bootstrap 127.0.0.1:PORT --roots /tmp/before,. [--rounds 3]`, with
 * the broker from `deno task bench:scale --hold --sizes 10000 --stores memory`. Each round runs
 * each root's main.ts in turn with the start task's runtime flags (memory store, partition
 * granularity, iterations back to back, `iteration_interval: 1s`), waits for its first iteration,
 * then for `--seconds` scrapes /metrics every 5 s as Prometheus would while sampling /proc every
 * 100 ms. Printed per run: RssAnon peak and end, CPU seconds per second, and the duration of
 * every iteration of the window (read from /api/v1/clusters, polled every 250 ms: a few hundred
 * bytes, unlike a scrape) with the one each scrape showed. Alternating the roots spreads the
 * broker's and the machine's drift over both.
 */
import { parseArgs } from "node:util";
import { startTaskRuntimeFlags, writeConfig } from "../../tests/harness/exporter.ts";
import { eventually, freePort } from "../../tests/harness/processes.ts";
import {
  median,
  percentile,
  procStats,
  recordIterations,
  sampleMemory,
  scrapeExposition,
} from "./scale_probes.ts";
import { sampleValue } from "../../tests/harness/prom_text.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    bootstrap: { type: "string" },
    roots: { type: "string", default: "." },
    rounds: { type: "string", default: "3" },
    seconds: { type: "string", default: "30" },
  },
});
if (!values.bootstrap) throw new Error("--bootstrap HOST:PORT of a held broker is required");
const bootstrap = values.bootstrap;
const roots = values.roots!.split(",").map((root) => Deno.realPathSync(root));
const seconds = Number(values.seconds);

/** The iteration duration one scrape shows (the lag series are streamed past, not kept). */
async function scrapeIteration(url: string): Promise<number | undefined> {
  const { samples } = await scrapeExposition(url);
  return sampleValue(samples, "kafka_lag_exporter_cluster_iteration_duration_seconds");
}

/** The 25th and 75th percentiles of `values`, as text. */
function middleHalf(values: readonly number[]): string {
  const at = (share: number) => percentile(values, share)?.toFixed(3);
  return `${at(0.25)}–${at(0.75)} s`;
}

/** One run of the exporter at `root`: memory, CPU and iteration durations over the window. */
async function measure(root: string) {
  const metricsPort = freePort();
  const configPath = await writeConfig({
    kafka_clusters: [{ name: "bench-0", brokers: [bootstrap], client_request_timeout: "60s" }],
    prometheus_local: { granularity: "partition", metrics_port: metricsPort },
    storage: { type: "memory" },
    app: { iteration_interval: "1s", node_id: "bench", health_check_port: freePort() },
  });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...startTaskRuntimeFlags(), `${root}/main.ts`, "--config-file", configPath],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://127.0.0.1:${metricsPort}/metrics`;
  try {
    await eventually(
      "first iteration",
      async () =>
        (await scrapeIteration(url).catch(() => undefined)) === undefined ? undefined : true,
      180_000,
      500,
    );
    const memory = sampleMemory(child.pid);
    const before = await procStats(child.pid);
    const iterations: number[] = [];
    const startedMs = Date.now();
    const everyIteration = recordIterations(
      `http://127.0.0.1:${metricsPort}/api/v1/clusters`,
      startedMs + seconds * 1_000,
    ).then((byCluster) => byCluster.get("bench-0") ?? []);
    while (Date.now() - startedMs < seconds * 1_000) {
      // sleep-ok: a scrape every 5 s, as Prometheus would
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      const iteration = await scrapeIteration(url);
      if (iteration !== undefined) iterations.push(iteration);
    }
    const after = await procStats(child.pid);
    await memory.stop();
    const allIterations = await everyIteration;
    return {
      anonPeakMb: memory.peak.anonMb,
      anonEndMb: after.anonMb,
      cpuPerSecond: (after.cpuSeconds - before.cpuSeconds) / ((Date.now() - startedMs) / 1_000),
      iterations,
      allIterations,
    };
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
}

console.log(
  `| round | root | RssAnon peak / end | CPU s/s | iteration median (every iteration: count, ` +
    `middle half) | iteration median (at each scrape) |`,
);
console.log(`| --- | --- | --- | --- | --- | --- |`);
for (let round = 1; round <= Number(values.rounds); round++) {
  for (const root of roots) {
    const run = await measure(root);
    console.log(
      `| ${round} | ${root} | ${run.anonPeakMb.toFixed(0)} / ${run.anonEndMb.toFixed(0)} MB | ${
        run.cpuPerSecond.toFixed(2)
      } | ${median(run.allIterations).toFixed(3)} s (${run.allIterations.length}, ${
        middleHalf(run.allIterations)
      }) | ${median(run.iterations).toFixed(2)} s (${
        run.iterations.map((value) => value.toFixed(2)).join(", ")
      }) |`,
    );
  }
}
