/**
 * The one metric model: every series family the exporter derives from its state — its own
 * per-cluster gauges, the native lag series and the kafka_exporter and kafka-lag-exporter names —
 * is a MetricFamily in a table, and one walker visits the tables with one of two sinks: text
 * exposition for /metrics, or values with labels for remote write and OTLP. prom-client keeps
 * what is counted as events rather than read from the state (histograms of request durations,
 * push counters, process metrics): metrics_registry.ts puts the two together.
 */
import type { ClusterStatus } from "../collect/cluster_snapshot.ts";
import type { SeriesValue } from "./push/remote_writer.ts";
import { ByteChunks, BytePrefix, type ChunkPool, escapeLabelValue } from "./text_stream.ts";

/** Series granularity, coarsest first: a family of `partition` level needs `partition`. */
export type Granularity = "partition" | "topic" | "group";

/** Label name/value pairs of one sample, in output order (the user's labels follow). */
export type Labels = Array<[string, string]>;

/** Where a family's samples go; `labels` may be reused by the family once the call returns. */
export interface SampleEmitter {
  /**
   * One sample. `same`: how many leading labels are those of the family's previous sample (a
   * hint a family walking a group's partitions gives; 0 when it does not know).
   */
  sample(labels: Labels, value: number, same?: number): void;
}

/** What one scrape or push reads: the clusters' last statuses and the process's own state. */
export interface ScrapeState {
  statuses: readonly ClusterStatus[];
  /** The slowest cluster's last iteration, when any has ended. */
  iterationSeconds?: number;
  liveInstances: number;
  memory: { rss: number; heapUsed: number };
}

/** One family: its name, help and type, and how its samples are found in the state. */
export interface MetricFamily {
  name: string;
  help: string;
  /** Coarsest granularity at which the family is exported; always when absent. */
  level?: Granularity;
  /**
   * Empty label values written as `name=""` (the projects whose names we speak do), rather than
   * left out (ours: Prometheus treats both alike).
   */
  keepEmptyLabels?: boolean;
  /** Visits the samples; a generator yields between groups, so large output streams. */
  samples(state: ScrapeState, emit: SampleEmitter): Iterable<void> | void;
}

/** Whether series of `level` are exported at `granularity` (group ⊂ topic ⊂ partition). */
export function exportedAt(level: Granularity, granularity: Granularity): boolean {
  return GRANULARITY_RANK[level] <= GRANULARITY_RANK[granularity];
}

const GRANULARITY_RANK: Record<Granularity, number> = { group: 0, topic: 1, partition: 2 };

/** What the walker writes into. */
interface Sink extends SampleEmitter {
  family(family: MetricFamily): void;
}

/**
 * The walker: every family exported at `granularity`, its samples into `sink`; yields whenever
 * a family pauses between groups, so that the sink can hand out what it holds.
 */
function* walk(
  families: readonly MetricFamily[],
  { state, granularity, sink }: { state: ScrapeState; granularity: Granularity; sink: Sink },
): Generator<void> {
  for (const family of families) {
    if (family.level && !exportedAt(family.level, granularity)) continue;
    sink.family(family);
    const pauses = family.samples(state, sink);
    if (pauses) { for (const _ of pauses) yield; }
    yield;
  }
}

/** The families in Prometheus text format (HELP and TYPE for each), in chunks of 64 KiB. */
export function* familyByteChunks(
  families: readonly MetricFamily[],
  { state, granularity, labels, pool }: {
    state: ScrapeState;
    granularity: Granularity;
    /** The user's extra labels, on every sample. */
    labels: Record<string, string>;
    /** Where chunks come from, when the reader hands them back (ChunkPool). */
    pool?: ChunkPool;
  },
): Generator<Uint8Array<ArrayBuffer>> {
  const extra = Object.entries(labels)
    .map(([name, value]) => `,${name}="${escapeLabelValue(value)}"`).join("");
  const out = new ByteChunks(pool);
  /** What ends a line before its value: after a label set, after a bare name. */
  const closeLabels = encodedPrefix(extra + "} ");
  const closeBare = encodedPrefix(extra === "" ? " " : "{" + extra.slice(1) + "} ");
  let keepEmpty = false;
  // Consecutive samples mostly share their first labels (cluster, group, topic): the line's bytes
  // up to each label (the family's name, then `{` and the labels) are kept, and rebuilt only from
  // the first label that changed.
  const lastRaw: string[] = [];
  const lastName: string[] = [];
  /** prefixes[i]: the line up to label i (`name{a="x",b="y"` or `name`), encoded. */
  const prefixes: BytePrefix[] = [new BytePrefix()];
  /** Whether prefixes[i] has opened its label set. */
  const opened: boolean[] = [false];
  let valid = 0; // prefixes[0..valid] hold for lastRaw/lastName[0..valid)
  // The last label's opening (`,partition="` or `{partition="`), kept while its name is the same.
  const lastOpening = [new BytePrefix(), new BytePrefix()];
  const lastOpeningName = ["", ""];
  const sink: Sink = {
    family(family) {
      const name = family.name;
      keepEmpty = family.keepEmptyLabels ?? false;
      prefixes[0].clear();
      prefixes[0].text(name);
      valid = 0;
      // No blank line between families: OpenMetrics forbids it, Prometheus text does not need it.
      out.text(`# HELP ${name} ${family.help}\n# TYPE ${name} gauge\n`);
    },
    sample(sampleLabels, value, same = 0) {
      const count = sampleLabels.length;
      // The labels before the last are kept as bytes; the last (a partition, mostly) is written
      // straight into the line.
      const kept = count > 0 ? count - 1 : 0;
      let from = same < valid ? same : valid;
      while (
        from < valid && from < kept && lastRaw[from] === sampleLabels[from][1] &&
        lastName[from] === sampleLabels[from][0]
      ) from++;
      for (let index = from; index < kept; index++) {
        const label = sampleLabels[index];
        const raw = label[1];
        lastRaw[index] = raw;
        lastName[index] = label[0];
        const prefix = prefixes[index + 1] ??= new BytePrefix();
        prefix.copy(prefixes[index]);
        if (raw !== "" || keepEmpty) {
          prefix.text((opened[index] ? "," : "{") + label[0] + '="');
          prefix.text(raw, true);
          prefix.text('"');
          opened[index + 1] = true;
        } else {
          opened[index + 1] = opened[index];
        }
      }
      valid = kept;
      let open = opened[kept];
      let opening: BytePrefix | undefined;
      let raw = "";
      if (count > 0) {
        const last = sampleLabels[kept];
        raw = last[1];
        if (raw !== "" || keepEmpty) {
          const which = open ? 1 : 0;
          opening = lastOpening[which];
          if (lastOpeningName[which] !== last[0]) {
            lastOpeningName[which] = last[0];
            opening.clear();
            opening.text((open ? "," : "{") + last[0] + '="');
          }
          open = true;
        }
      }
      out.line(prefixes[kept], opening, raw, open ? closeLabels : closeBare, value);
    },
  };
  for (const _ of walk(families, { state, granularity, sink })) yield* out.takeFull();
  yield* out.takeAll();
}

function encodedPrefix(text: string): BytePrefix {
  const prefix = new BytePrefix();
  prefix.text(text);
  return prefix;
}

/** familyByteChunks() as text (for tests and tools that read the exposition as strings). */
export function* familyTextChunks(
  families: readonly MetricFamily[],
  options: { state: ScrapeState; granularity: Granularity; labels: Record<string, string> },
): Generator<string> {
  const decoder = new TextDecoder();
  for (const chunk of familyByteChunks(families, options)) {
    yield decoder.decode(chunk, { stream: true });
  }
  const rest = decoder.decode();
  if (rest !== "") yield rest;
}

/** The same samples as values with labels (`__name__` included), for remote write and OTLP. */
export function* familySeriesValues(
  families: readonly MetricFamily[],
  { state, granularity, labels }: {
    state: ScrapeState;
    granularity: Granularity;
    labels: Record<string, string>;
  },
): Generator<SeriesValue> {
  let name = "";
  const values: SeriesValue[] = [];
  const sink: Sink = {
    family(family) {
      name = family.name;
    },
    sample(sampleLabels, value) {
      const all: Record<string, string> = { __name__: name };
      for (const [labelName, raw] of sampleLabels) if (raw !== "") all[labelName] = raw;
      for (const labelName in labels) all[labelName] = labels[labelName];
      values.push({ labels: all, value });
    },
  };
  for (const _ of walk(families, { state, granularity, sink })) yield* values.splice(0);
}
