/** The scenarios bench:accuracy runs side by side: how each produces and how its consumer lags. */

/** Records to produce between two instants of the scenario's clock (ms since its start). */
export type ProducePlan = (fromMs: number, toMs: number) => number;
/** The offset the consumer has committed at `elapsedMs`, given the produced records' CreateTimes. */
export type ConsumePlan = (
  elapsedMs: number,
  createTimes: number[],
  startMs: number,
  previous: number,
) => number;

export interface Scenario {
  name: string;
  description: string;
  shortWindow?: boolean;
  produce: ProducePlan;
  consume: ConsumePlan;
  recreateAtMs?: number;
  /** Produced by Kafka's Java producer (ground truth read back from the log at the end). */
  javaProducer?: boolean;
  /** Measured only by the collectors that restart halfway. */
  restart?: boolean;
}

const steadyRate = (perSecond: number, pause?: [number, number]): ProducePlan => (from, to) => {
  const active = (ms: number) => (pause && ms >= pause[0] && ms < pause[1] ? pause[0] : ms);
  const activeMs = (
    ms: number,
  ) => (pause && ms >= pause[1] ? ms - (pause[1] - pause[0]) : active(ms));
  return Math.floor(activeMs(to) * perSecond / 1_000) -
    Math.floor(activeMs(from) * perSecond / 1_000);
};
const behindBy = (delayMs: number): ConsumePlan => (elapsed, createTimes, startMs) => {
  const cutoff = startMs + elapsed - delayMs;
  let committed = 0;
  while (committed < createTimes.length && createTimes[committed] <= cutoff) committed++;
  return committed;
};
const atRate = (perSecond: number): ConsumePlan => (elapsed, createTimes) =>
  Math.min(createTimes.length, Math.floor(elapsed * perSecond / 1_000));

/** The scenarios, timed for a run of `durationMs`. */
export function accuracyScenarios(
  { durationMs, shortWindowMs, backlogAgeMs, cold, restart }: {
    durationMs: number;
    /** The history window of the behind-window scenario's collectors. */
    shortWindowMs: number;
    /** How long before the collectors start the cold-start backlog is written. */
    backlogAgeMs: number;
    cold: { records: number; consumePerSecond: number };
    restart: { producePerSecond: number; behindMs: number };
  },
): Scenario[] {
  const half = Math.round(durationMs / 2);
  return [
    {
      name: "steady",
      description: "20 records/s; consumer 20 s behind",
      produce: steadyRate(20),
      consume: behindBy(20_000),
    },
    {
      name: "bursty",
      description: "300-record bursts every 30 s, quiet in between; consumer 40 s behind",
      produce: (from, to) => Math.floor(to / 30_000) - Math.floor(from / 30_000) > 0 ? 300 : 0,
      consume: behindBy(40_000),
    },
    {
      name: "producer-pause",
      description: `10 records/s, paused from 30 s to ${
        Math.round((30_000 + half) / 1_000)
      } s; consumer at 5 records/s`,
      produce: steadyRate(10, [30_000, 30_000 + half]),
      consume: atRate(5),
    },
    {
      name: "trickle",
      description: "1 record every 5 s; consumer 30 s behind",
      produce: steadyRate(0.2),
      consume: behindBy(30_000),
    },
    {
      name: "behind-window",
      description: `10 records/s; consumer at 2 records/s, history window ${
        shortWindowMs / 1_000
      } s`,
      shortWindow: true,
      produce: steadyRate(10),
      consume: atRate(2),
    },
    {
      name: "stop-catch-up",
      description:
        "10 records/s; consumer 3 s behind, stops from 30 s to 90 s, then reads 40 records/s",
      produce: steadyRate(10),
      consume: (elapsed, createTimes, startMs, previous) => {
        if (elapsed < 30_000) return behindBy(3_000)(elapsed, createTimes, startMs, previous);
        if (elapsed < 90_000) return previous;
        // Time-based, not per call: committing can take longer than the loop's nominal second.
        const atStop = behindBy(3_000)(30_000, createTimes, startMs, previous);
        const caughtUp = behindBy(3_000)(elapsed, createTimes, startMs, previous);
        return Math.min(atStop + Math.floor((elapsed - 90_000) * 40 / 1_000), caughtUp);
      },
    },
    {
      name: "topic-recreated",
      description: `10 records/s; topic deleted and re-created at ${
        half / 1_000
      } s; consumer 15 s behind`,
      produce: steadyRate(10),
      consume: behindBy(15_000),
      recreateAtMs: half,
    },
    {
      name: "cold-start",
      description:
        `${cold.records} records written by the Java producer (snappy, linger 1 s, 1 MB ` +
        `batches) ${
          backlogAgeMs / 1_000
        } s before the collectors start; then no production, consumer at ${cold.consumePerSecond} records/s`,
      produce: () => 0,
      consume: (elapsed) =>
        Math.min(cold.records, Math.floor(elapsed * cold.consumePerSecond / 1_000)),
      javaProducer: true,
    },
    {
      name: "exporter-restart",
      description:
        `${restart.producePerSecond} records/s by the Java producer (snappy, linger 1 s); consumer ` +
        `${restart.behindMs / 1_000} s behind; the collectors restart with no history at ${
          half / 1_000
        } s (measured after the restart)`,
      produce: () => 0,
      consume: (elapsed) =>
        Math.max(0, Math.floor((elapsed - restart.behindMs) * restart.producePerSecond / 1_000)),
      javaProducer: true,
      restart: true,
    },
  ];
}
