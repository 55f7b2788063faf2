/**
 * Brokers that let a request time out. A hung broker (process stopped, disk stalled) keeps its
 * connections open and answers nothing, so every request to it costs a full request timeout; two
 * such waits in a row would outlast the iteration's deadline and take the whole cluster down. A
 * broker that timed out once is therefore not asked again (its partitions and groups are reported
 * unmeasured at once) until a small probe, sent outside the iterations, gets an answer.
 */

/** A request that was not sent because the broker recently let one time out. */
export class BrokerUnresponsiveError extends Error {
  constructor(nodeId: string) {
    super(`broker ${nodeId} let a request time out and is not asked until it answers again`);
    this.name = "BrokerUnresponsiveError";
  }
}

/** Whether an error (or one it wraps) is a request or connection timeout. */
export function isTimeout(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { name, message, cause, originalError } = current as {
      name?: string;
      message?: string;
      cause?: unknown;
      originalError?: unknown;
    };
    if (name === "KafkaJSRequestTimeoutError") return true;
    if (name === "KafkaJSConnectionError" && /timeout/i.test(message ?? "")) return true;
    current = cause ?? originalError;
  }
  return false;
}

/** The brokers not asked until a probe answers, by node id. */
export class UnresponsiveBrokers {
  readonly #markedAtMs = new Map<string, number>();
  readonly #probing = new Set<string>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Whether requests to the broker are held back. */
  has(nodeId: string): boolean {
    return this.#markedAtMs.has(nodeId);
  }

  /** Node ids held back, with how long (ms) each has been. */
  list(): Array<{ nodeId: string; forMs: number }> {
    const now = this.#now();
    return [...this.#markedAtMs].map(([nodeId, markedAtMs]) => ({
      nodeId,
      forMs: now - markedAtMs,
    }));
  }

  /** Holds the broker back when `error` is a timeout; returns whether it did. */
  noteFailure(nodeId: string, error: unknown): boolean {
    if (!isTimeout(error)) return false;
    if (!this.#markedAtMs.has(nodeId)) this.#markedAtMs.set(nodeId, this.#now());
    return true;
  }

  /** Forgets every mark (after a reconnect). */
  clear(): void {
    this.#markedAtMs.clear();
  }

  /**
   * Probes each held-back broker still among `present` with `ask` (at most one probe per broker in
   * flight) and releases it when the probe answers. Marks of brokers no longer in the cluster's
   * metadata are dropped: when such a broker comes back, it is a fresh registration. Not awaited
   * by iterations: a probe to a hung broker waits a whole request timeout.
   */
  probe(present: ReadonlySet<string>, ask: (nodeId: string) => Promise<void>): Promise<void> {
    const probes: Promise<void>[] = [];
    for (const nodeId of this.#markedAtMs.keys()) {
      if (!present.has(nodeId)) {
        this.#markedAtMs.delete(nodeId);
        continue;
      }
      if (this.#probing.has(nodeId)) continue;
      this.#probing.add(nodeId);
      probes.push(
        ask(nodeId).then(
          () => void this.#markedAtMs.delete(nodeId),
          () => {},
        ).finally(() => this.#probing.delete(nodeId)),
      );
    }
    return Promise.all(probes).then(() => {});
  }
}
