/**
 * Runs the decoder fuzz suite in a worker and watches it: a decoder that stops making progress
 * for HANG_MS is a hang (the worker is terminated and the input named).
 */
import { type FuzzRequest, type FuzzTargetReport, HANG_MS } from "./fuzz_limits.ts";

/** The outcome of a run: per-target reports, and the input that hung, if one did. */
export interface FuzzRun {
  seed: number;
  reports: FuzzTargetReport[];
  hang?: { target: number; index: number };
}

/** Runs the targets with `seed`, for a number of inputs per target or until a deadline. */
export async function runFuzz(
  options: Omit<FuzzRequest, "progress">,
): Promise<FuzzRun> {
  const progress = new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT);
  const counters = new Int32Array(progress);
  const worker = new Worker(new URL("./fuzz_worker.ts", import.meta.url), { type: "module" });
  try {
    const done = new Promise<FuzzTargetReport[]>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data.reports);
      worker.onerror = (event) => {
        event.preventDefault();
        reject(new Error(`fuzz worker failed: ${event.message}`));
      };
    });
    worker.postMessage({ ...options, progress } satisfies FuzzRequest);
    let lastCount = -1;
    let lastChangeMs = Date.now();
    for (;;) {
      const outcome = await Promise.race([
        done,
        new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 200)),
      ]);
      if (outcome) return { seed: options.seed, reports: outcome };
      const count = Atomics.load(counters, 0);
      if (count !== lastCount) {
        lastCount = count;
        lastChangeMs = Date.now();
      } else if (Date.now() - lastChangeMs > HANG_MS) {
        return {
          seed: options.seed,
          reports: [],
          hang: { target: Atomics.load(counters, 1), index: Atomics.load(counters, 2) },
        };
      }
    }
  } finally {
    worker.terminate();
  }
}
