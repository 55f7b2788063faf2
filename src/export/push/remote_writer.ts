/**
 * Pushes the exporter's series to a remote-write endpoint: one push per iteration interval,
 * staleness markers for series that disappeared, a bounded queue that drops the oldest samples
 * when the remote end is away for long, one sender (remote write wants each series in time
 * order) retrying with exponential backoff on 5xx, 429 and network errors, and a final flush.
 */
import { describeError, type Logger } from "../../log/logger.ts";
import { encodeRemoteWriteBody, type TimeSeries } from "./write_request.ts";

/** A series' current value as /metrics shows it; labels include `__name__`. */
export interface SeriesValue {
  labels: Record<string, string>;
  value: number;
}

/**
 * The series of one push, produced on demand from immutable snapshots. Called again on a later
 * push only if some series went away, to find their labels for the staleness markers.
 */
export type SeriesSource = () => Iterable<SeriesValue>;

/** The answer of one HTTP attempt. */
export interface SendResult {
  status: number;
  body: string;
}

/** What the writer talks to and reports into. */
export interface RemoteWriterDeps {
  /** One POST of an encoded request; throws on network errors and timeouts. */
  send(body: Uint8Array<ArrayBuffer>): Promise<SendResult>;
  /** The request body for some series (remote write 1.0 when absent; 2.0 and OTLP otherwise). */
  encode?(series: readonly TimeSeries[]): Uint8Array<ArrayBuffer>;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  logger: Logger;
  onSent(samples: number): void;
  onFailed(samples: number): void;
  onDropped(samples: number): void;
  observeRequest(seconds: number): void;
  now(): number;
}

/** Queue and retry settings. */
export interface RemoteWriterOptions {
  /** Samples kept while the remote end is away; beyond this the oldest are dropped. */
  queueMaxSamples: number;
  maxSamplesPerSend: number;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

interface Batch {
  /** The encoded request: a push is held as compressed bytes, not as objects per series. */
  body: Uint8Array<ArrayBuffer>;
  samples: number;
  /** Which push the batch belongs to. */
  push: number;
}

/** Whether an HTTP status is worth retrying: server errors and rate limiting. */
export function isRetryable(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Exponential backoff with ±20 % jitter, capped. */
export function backoffMs(
  attempt: number,
  { initialMs, maxMs, random = Math.random }: {
    initialMs: number;
    maxMs: number;
    random?: () => number;
  },
): number {
  const base = Math.min(maxMs, initialMs * 2 ** attempt);
  return Math.round(base * (0.8 + 0.4 * random()));
}

/**
 * A series' identity as a 52-bit hash of its sorted labels (two 32-bit FNV-1a variants). A string
 * key per series held ~200 MB between pushes at 10,000 groups; a collision (odds ~1e-5 at a
 * million series) only costs one staleness marker, and Prometheus marks the series stale later.
 */
export function seriesHash(labels: Record<string, string>): number {
  let low = 0x811c9dc5;
  let high = 0x050c5d1f;
  const mix = (text: string) => {
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      low = Math.imul(low ^ code, 0x01000193);
      high = Math.imul(high ^ code, 0x5bd1e995);
    }
    low = Math.imul(low ^ 0xff, 0x01000193); // separator: "a"+"bc" differs from "ab"+"c"
    high = Math.imul(high ^ 0xff, 0x5bd1e995);
  };
  for (const name of Object.keys(labels).sort()) {
    mix(name);
    mix(labels[name]);
  }
  return (high >>> 12) * 2 ** 32 + (low >>> 0);
}

/** The remote-write queue and sender. */
export class RemoteWriter {
  readonly #deps: RemoteWriterDeps;
  readonly #options: Required<RemoteWriterOptions>;
  readonly #queue: Batch[] = [];
  #queuedSamples = 0;
  #pushes = 0;
  /** The last push: its source and the hashes of its series. */
  #previous?: { source: SeriesSource; hashes: Set<number> };
  #wake?: () => void;
  #remoteHealthy = true;

  constructor(options: RemoteWriterOptions, deps: RemoteWriterDeps) {
    this.#deps = deps;
    this.#options = { initialBackoffMs: 500, maxBackoffMs: 30_000, ...options };
  }

  /** Samples waiting to be sent. */
  queuedSamples(): number {
    return this.#queuedSamples;
  }

  /**
   * Queues the current values with `timestampMs`, plus a staleness marker for every series that
   * was pushed last time and is gone now (a deleted group reads as stale at once in Prometheus).
   * Series are encoded a request at a time as they are produced, yielding to the event loop
   * between requests: at 10,000 groups a push is ~640,000 series.
   */
  async push(source: SeriesSource, timestampMs: number): Promise<void> {
    const push = this.#pushes++;
    const hashes = new Set<number>();
    const previous = this.#previous;
    let stillThere = 0;
    let pending: TimeSeries[] = [];
    const flushPending = async () => {
      if (pending.length === 0) return;
      const body = (this.#deps.encode ?? encodeRemoteWriteBody)(pending);
      this.#queue.push({ body, samples: pending.length, push });
      this.#queuedSamples += pending.length;
      pending = [];
      this.#enforceBound(push);
      this.#wake?.();
      await new Promise((resolve) => setTimeout(resolve, 0));
    };
    for (const { labels, value } of source()) {
      if (!Number.isFinite(value)) continue;
      const hash = seriesHash(labels);
      hashes.add(hash);
      if (previous?.hashes.has(hash)) stillThere++;
      pending.push({ labels, samples: [{ value, timestampMs }] });
      if (pending.length >= this.#options.maxSamplesPerSend) await flushPending();
    }
    // Only when some series went away is the last push produced again, for their labels.
    if (previous && stillThere < previous.hashes.size) {
      for (const { labels, value } of previous.source()) {
        if (!Number.isFinite(value) || hashes.has(seriesHash(labels))) continue;
        pending.push({ labels, samples: [{ stale: true, timestampMs }] });
        if (pending.length >= this.#options.maxSamplesPerSend) await flushPending();
      }
    }
    await flushPending();
    this.#previous = { source, hashes };
  }

  /** Sends queued batches until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      const batch = this.#queue[0];
      if (!batch) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
        this.#wake = undefined;
        continue;
      }
      const outcome = await this.#sendOnce(batch);
      if (outcome === "retry") {
        await this.#deps.sleep(
          backoffMs(attempt++, {
            initialMs: this.#options.initialBackoffMs,
            maxMs: this.#options.maxBackoffMs,
          }),
          signal,
        );
      } else {
        attempt = 0;
      }
    }
  }

  /** Sends what is queued, without retrying past `deadlineMs` (used on shutdown). */
  async flush(deadlineMs: number): Promise<void> {
    let attempt = 0;
    while (this.#queue.length > 0 && this.#deps.now() < deadlineMs) {
      const outcome = await this.#sendOnce(this.#queue[0]);
      if (outcome === "retry") {
        const wait = backoffMs(attempt++, {
          initialMs: this.#options.initialBackoffMs,
          maxMs: this.#options.maxBackoffMs,
        });
        if (this.#deps.now() + wait >= deadlineMs) break;
        await this.#deps.sleep(wait);
      }
    }
    if (this.#queuedSamples > 0) {
      this.#deps.logger.warn("remote write: samples not delivered before shutdown", {
        samples: this.#queuedSamples,
      });
    }
  }

  async #sendOnce(batch: Batch): Promise<"done" | "retry"> {
    const startedMs = this.#deps.now();
    let result: SendResult | undefined;
    let failure: unknown;
    try {
      result = await this.#deps.send(batch.body);
    } catch (error) {
      failure = error;
    }
    this.#deps.observeRequest((this.#deps.now() - startedMs) / 1_000);
    if (result && result.status >= 200 && result.status < 300) {
      this.#remove(batch);
      this.#deps.onSent(batch.samples);
      if (!this.#remoteHealthy) this.#deps.logger.info("remote write: delivering again");
      this.#remoteHealthy = true;
      return "done";
    }
    if (result && !isRetryable(result.status)) {
      // The remote end refuses this data for good (bad labels, out of order, auth): retrying
      // would only block the queue.
      this.#remove(batch);
      this.#deps.onFailed(batch.samples);
      this.#deps.logger.error("remote write: request rejected, samples dropped", {
        status: result.status,
        response: result.body.slice(0, 300),
        samples: batch.samples,
      });
      return "done";
    }
    if (this.#remoteHealthy) {
      this.#deps.logger.warn("remote write: remote end unavailable, retrying with backoff", {
        status: result?.status,
        error: failure === undefined ? undefined : describeError(failure),
      });
    }
    this.#remoteHealthy = false;
    return "retry";
  }

  #remove(batch: Batch) {
    const index = this.#queue.indexOf(batch);
    if (index === -1) return; // already dropped by the bound while in flight
    this.#queue.splice(index, 1);
    this.#queuedSamples -= batch.samples;
  }

  #enforceBound(newest: number) {
    let dropped = 0;
    // The newest push stays whole even when it alone is over the bound (hundreds of thousands of
    // series at 10,000 groups): dropping part of it would lose series, not just old values.
    while (
      this.#queuedSamples > this.#options.queueMaxSamples && this.#queue[0]?.push !== newest
    ) {
      const oldest = this.#queue.shift()!;
      this.#queuedSamples -= oldest.samples;
      dropped += oldest.samples;
    }
    if (dropped > 0) this.#deps.onDropped(dropped);
  }
}
