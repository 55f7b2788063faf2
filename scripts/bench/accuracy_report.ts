/** What bench:accuracy reports: per scenario and mode, how close lag in seconds came to the truth. */
import type { Scenario } from "./accuracy_scenarios.ts";

/** One lagging partition of one iteration of one collector. */
export interface Sample {
  scenario: string;
  mode: string;
  /** Known at once for the kafkajs scenarios; filled in from the broker's log for the others. */
  trueSeconds?: number;
  value?: number;
  method?: string;
  committedOffset: number;
  observedAtMs: number;
  /** 1 for the first iteration of the collector (or of its restart). */
  iteration: number;
}

/** What one collector's iterations cost. */
export interface IterationCost {
  iterations: number;
  totalMs: number;
  fetchRequests: number;
  fetchMs: number;
  /** Records read from Kafka. */
  lookups: number;
  /** Records whose timestamp was wanted (from Kafka or the cache), and of those found. */
  wanted: number;
  found: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
const mean = (list: number[]) => list.reduce((sum, value) => sum + value, 0) / list.length;
const format = (value: number, digits = 2) => Number.isFinite(value) ? value.toFixed(digits) : "-";

/** One row per scenario and mode: errors against the truth, and where values were missing. */
export function accuracyRows(
  { scenarios, measured, intervalSeconds }: {
    scenarios: readonly Scenario[];
    /** Samples whose true lag is known. */
    measured: readonly Sample[];
    intervalSeconds: number;
  },
): Array<Record<string, string | number>> {
  const rows: Array<Record<string, string | number>> = [];
  for (const scenario of scenarios) {
    for (const mode of ["default", "exact"]) {
      const own = measured.filter((sample) =>
        sample.scenario === scenario.name && sample.mode === mode
      );
      const valued = own.filter((sample) => sample.value !== undefined);
      const errorOf = (sample: Sample) => Math.abs(sample.value! - sample.trueSeconds!);
      const errors = valued.map(errorOf).sort((a, b) => a - b);
      const relative = valued.filter((sample) => sample.trueSeconds! >= 1).map((sample) =>
        errorOf(sample) / sample.trueSeconds!
      )
        .sort((a, b) => a - b);
      const withinBound = valued.filter((sample) =>
        errorOf(sample) <= Math.max(intervalSeconds, 0.1 * sample.trueSeconds!)
      ).length;
      // The first value a scrape would show after the collector (re)started.
      const firstValued = valued.reduce<Sample | undefined>(
        (first, sample) =>
          !first || sample.iteration < first.iteration ? sample : first,
        undefined,
      );
      const noValueAfterFirst = own.filter((sample) =>
        sample.iteration > 1 && sample.value === undefined
      ).length;
      const bad = valued.filter((sample) =>
        !Number.isFinite(sample.value!) || sample.value! < 0
      ).length;
      rows.push({
        scenario: scenario.name,
        mode,
        samples: own.length,
        "no value": `${format(100 * (own.length - valued.length) / Math.max(1, own.length), 1)}%`,
        "true lag p50 (s)": format(
          percentile(own.map((sample) => sample.trueSeconds!).sort((a, b) => a - b), 0.5),
          1,
        ),
        "mean abs err (s)": format(mean(errors)),
        "p95 abs err (s)": format(percentile(errors, 0.95)),
        "p95 rel err": `${format(100 * percentile(relative, 0.95), 1)}%`,
        "within max(interval, 10%)": `${
          format(100 * withinBound / Math.max(1, valued.length), 1)
        }%`,
        "first value err (s)": firstValued
          ? `${format(errorOf(firstValued))} (it. ${firstValued.iteration})`
          : "-",
        "no value after 1st it.": noValueAfterFirst,
        "NaN/neg": bad,
      });
    }
  }
  return rows;
}

/** The rows as a Markdown table. */
export function markdownTable(rows: ReadonlyArray<Record<string, string | number>>): string {
  const headers = Object.keys(rows[0]);
  return [
    `| ${headers.join(" | ")} |`,
    `| ${headers.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${headers.map((header) => row[header]).join(" | ")} |`),
  ].join("\n");
}

/** One line per collector: iterations, their mean time, and the record reads they made. */
export function costLines(costs: ReadonlyMap<string, IterationCost>): string[] {
  return [...costs].map(([label, cost]) =>
    `${label}: ${cost.iterations} iterations, mean ${
      format(cost.totalMs / cost.iterations, 1)
    } ms/iteration` +
    (cost.fetchRequests > 0
      ? `; ${format(cost.fetchRequests / cost.iterations, 2)} Fetch requests/iteration (${
        format(cost.fetchMs / cost.fetchRequests, 1)
      } ms each), ${format(cost.lookups / cost.iterations, 1)} records read/iteration, ${
        format(cost.wanted / cost.iterations, 1)
      } timestamps used/iteration (${
        format(100 * cost.found / Math.max(1, cost.wanted), 1)
      }% found)`
      : "")
  );
}
