/** What bench:scale measures of the exporter process and its exposition (scale.ts runs it). */
import { startTaskRuntimeFlags } from "../../tests/harness/exporter.ts";
import { parsePrometheusText, sampleValue } from "../../tests/harness/prom_text.ts";

/** CPU seconds and resident memory of a process, from /proc. */
export async function procStats(pid: number) {
  const stat = (await Deno.readTextFile(`/proc/${pid}/stat`)).split(") ")[1].split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]); // utime + stime
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kb = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? 0);
  return {
    cpuSeconds: ticks / 100,
    rssMb: kb("VmRSS") / 1024,
    peakRssMb: kb("VmHWM") / 1024,
    anonMb: kb("RssAnon") / 1024,
    fileMb: kb("RssFile") / 1024,
  };
}

/**
 * Samples the process's anonymous and file-backed resident memory every 100 ms until stopped:
 * the kernel keeps a peak only of the two together (VmHWM), and what is ours is the anonymous part.
 */
export function sampleMemory(pid: number) {
  const peak = { anonMb: 0, fileMb: 0 };
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      const stats = await procStats(pid).catch(() => undefined);
      if (!stats) return;
      peak.anonMb = Math.max(peak.anonMb, stats.anonMb);
      peak.fileMb = Math.max(peak.fileMb, stats.fileMb);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    peak,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

type Samples = ReturnType<typeof parsePrometheusText>;

/**
 * One scrape, read as a stream (at 100,000 groups the exposition is larger than a JavaScript
 * string may be): time, bytes, the lag series counted and the rest parsed. Uncompressed unless
 * `gzip` (then as Prometheus asks for it, inflated by fetch; `bytes` counts the text).
 */
export async function scrapeExposition(
  metricsUrl: string,
  /** Called with each line of the per-partition lag families (bench:scale's agreement check). */
  onLagLine?: (line: string) => void,
  { gzip = false }: { gzip?: boolean } = {},
) {
  const startedMs = performance.now();
  // Deno's fetch asks for gzip and inflates it itself unless told otherwise.
  const response = await fetch(
    metricsUrl,
    gzip ? {} : { headers: { "accept-encoding": "identity" } },
  );
  const decoder = new TextDecoder();
  let bytes = 0;
  let lagSeries = 0;
  let kept = "";
  let partial = "";
  for await (const chunk of response.body!) {
    bytes += chunk.byteLength;
    const lines = (partial + decoder.decode(chunk, { stream: true })).split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith("kafka_consumer_group_")) {
        lagSeries++;
        onLagLine?.(line);
      } else kept += `${line}\n`;
    }
  }
  const ms = performance.now() - startedMs;
  return { samples: parsePrometheusText(kept + partial), ms, bytes, lagSeries };
}

/** A scrape as Prometheus sends it (Accept-Encoding: gzip), by curl: bytes on the wire. */
export async function gzipScrapeOf(metricsUrl: string) {
  const output = await new Deno.Command("curl", {
    args: [
      "-s",
      "-o",
      "/dev/null",
      "-H",
      "Accept-Encoding: gzip",
      "-w",
      "%{size_download} %{time_total}",
      metricsUrl,
    ],
  }).output();
  const [bytes, seconds] = new TextDecoder().decode(output.stdout).split(" ").map(Number);
  return { bytes, ms: seconds * 1_000 };
}

/** Kafka requests so far, by API (the request-duration histogram's counts). */
export function requests(samples: Samples) {
  const byApi: Record<string, number> = {};
  for (const sample of samples) {
    if (sample.name === "kafka_lag_exporter_kafka_request_duration_seconds_count") {
      byApi[sample.labels.api] = (byApi[sample.labels.api] ?? 0) + sample.value;
    }
  }
  return byApi;
}

/** Remote write per iteration (one push each), and the lag series Prometheus ended up with. */
export async function remoteWriteSummary(
  prometheus: { query(promql: string): Promise<Array<{ value: [number, string] }>> },
  { before, after, pushes, shown }: {
    before: Samples;
    after: Samples;
    pushes: number;
    /** Lag series in the last scrape. */
    shown: number;
  },
): Promise<string> {
  const delta = (name: string, labels: Record<string, string> = {}) =>
    (sampleValue(after, name, labels) ?? 0) - (sampleValue(before, name, labels) ?? 0);
  const samples = (result: string) =>
    delta("kafka_lag_exporter_remote_write_samples_total", { result }) / pushes;
  const requestName = "kafka_lag_exporter_remote_write_request_duration_seconds";
  const [held] = await prometheus.query('count({__name__=~"kafka_consumer_group_.*"})');
  return `remote write per iteration (one push each): ${samples("sent").toFixed(0)} sent, ${
    samples("dropped").toFixed(0)
  } dropped, ${samples("failed").toFixed(0)} failed, ${
    (delta(`${requestName}_count`) / pushes).toFixed(0)
  } requests in ${(delta(`${requestName}_sum`) / pushes).toFixed(1)} s; Prometheus holds ${
    held?.value[1] ?? 0
  } of ${shown} lag series`;
}

/**
 * Every iteration's duration per cluster until `untilMs`, read from the JSON API (polled every
 * 250 ms: a few hundred small requests a minute), rather than the few a scrape every 10 s shows.
 */
export async function recordIterations(
  apiUrl: string,
  untilMs: number,
): Promise<Map<string, number[]>> {
  const durations = new Map<string, number[]>();
  const lastSuccess = new Map<string, string>();
  while (Date.now() < untilMs) {
    try {
      const { clusters } = await (await fetch(apiUrl)).json();
      for (const cluster of clusters as ApiCluster[]) {
        const before = lastSuccess.get(cluster.name);
        if (before !== undefined && cluster.last_success !== before) {
          const list = durations.get(cluster.name) ?? [];
          list.push(cluster.iteration_seconds);
          durations.set(cluster.name, list);
        }
        lastSuccess.set(cluster.name, cluster.last_success);
      }
    } catch {
      // a poll that lands while the exporter is busy may fail: the next one reads it
    }
    // sleep-ok: polling at a quarter of the iteration interval sees every iteration
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return durations;
}

/** What recordIterations() reads of a cluster in /api/v1/clusters. */
interface ApiCluster {
  name: string;
  last_success: string;
  iteration_seconds: number;
}

export const median = (list: number[]) =>
  list.toSorted((a, b) => a - b)[Math.floor(list.length / 2)];
/** The value `share` of the way up a list (0: smallest, 1: largest); undefined when empty. */
export const percentile = (list: readonly number[], share: number): number | undefined =>
  list.toSorted((a, b) => a - b)[Math.floor(share * (list.length - 1))];
/** "median (min–max)" of a list, each formatted by `format`. */
export const spread = (list: number[], format: (value: number) => string) =>
  list.length === 0
    ? "-"
    : `${format(median(list))} (${format(Math.min(...list))}–${format(Math.max(...list))})`;

/** Kafka requests per iteration by API, between two readings of `requests()`. */
export function requestsPerIteration(
  before: Record<string, number>,
  { after, iterations }: { after: Record<string, number>; iterations: number },
): string {
  return Object.entries(after)
    .map(([api, count]) => [api, (count - (before[api] ?? 0)) / iterations] as const)
    .filter(([, count]) => count > 0)
    .map(([api, count]) => `${api} ${count.toFixed(0)}`)
    .join(", ");
}

/** Redis work per iteration between two readings of its INFO. */
export function redisPerIteration(
  before: { evalsha: number; inputBytes: number; outputBytes: number },
  { after, iterations }: {
    after: { evalsha: number; inputBytes: number; outputBytes: number };
    iterations: number;
  },
): string {
  const per = (value: number) => value / iterations;
  return `${per(after.evalsha - before.evalsha).toFixed(0)} EVALSHA, ${
    (per(after.inputBytes - before.inputBytes) / 1024).toFixed(0)
  } KiB in / ${(per(after.outputBytes - before.outputBytes) / 1024).toFixed(0)} KiB out`;
}

/** The report: what ran where, the table of sizes, notes and inspections. */
export async function printScaleReport(
  { heading, rows, notes, inspections }: {
    heading: string;
    rows: string[];
    notes: string[];
    inspections: string[];
  },
): Promise<void> {
  const cpuModel = (await Deno.readTextFile("/proc/cpuinfo").catch(() => ""))
    .split("\n").find((line) => line.startsWith("model name"))?.split(":")[1]?.trim() ??
    "unknown CPU";
  console.log(
    `Scale benchmark: ${heading}; ${
      Deno.env.get("HOSTNAME") ?? "local"
    }: ${cpuModel}, ${navigator.hardwareConcurrency} cores, ${
      (Deno.systemMemoryInfo().total / 1_073_741_824).toFixed(0)
    } GiB; Deno ${Deno.version.deno}; exporter flags: ${startTaskRuntimeFlags().join(" ")}\n` +
      "Iteration and scrape figures: median (min–max) over the scrapes of the measured window.\n",
  );
  console.log(
    "| groups | store | iteration (median) | broker floor (iteration ÷ floor) | CPU / iteration | RssAnon peak / end | RssFile peak / end | V8 heap used / total (end) | anon bytes per group-partition | peak RSS (VmHWM) | /metrics scrape / size | gzip scrape / on the wire | Kafka requests / iteration | Redis / iteration |",
  );
  console.log(
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  );
  console.log(rows.join("\n"));
  console.log("");
  console.log(notes.map((line) => `- ${line}`).join("\n"));
  if (inspections.length > 0) console.log(["", "```", ...inspections, "```"].join("\n"));
}
