import { assertEquals } from "../../tests/assert.ts";
import {
  advanceProgress,
  consumeRateOf,
  type ConsumerStatus,
  copyProgress,
  groupRatesOf,
  newProgress,
  partitionStatus,
  produceRateOf,
  timeToCatchUpSeconds,
} from "./consumer_status.ts";

/** Readings as [seconds, committed offset, lag], judged after the last one. */
type Reading = [number, number, number];

function statusAfter(
  readings: Reading[],
  { windowSeconds = 60, members = true }: { windowSeconds?: number; members?: boolean } = {},
): ConsumerStatus {
  const progress = newProgress(1);
  let previousAtMs = NaN;
  let previousCommittedOffset = NaN;
  for (const [seconds, committedOffset, lagOffsets] of readings) {
    advanceProgress(progress, 0, {
      nowMs: seconds * 1_000,
      previousAtMs,
      previousCommittedOffset,
      committedOffset,
      lagOffsets,
      rateTimeConstantMs: windowSeconds * 1_000,
    });
    previousAtMs = seconds * 1_000;
    previousCommittedOffset = committedOffset;
  }
  return partitionStatus(progress, 0, {
    nowMs: readings.at(-1)![0] * 1_000,
    windowMs: windowSeconds * 1_000,
    groupHasMembers: members,
  });
}

/** Readings every `step` seconds from 0 to `until`, from a function of the time. */
function every(
  step: number,
  until: number,
  reading: (seconds: number) => [number, number],
): Reading[] {
  const readings: Reading[] = [];
  for (let seconds = 0; seconds <= until; seconds += step) {
    readings.push([seconds, ...reading(seconds)]);
  }
  return readings;
}

Deno.test("partition status: Burrow's rules and our edge cases", async (t) => {
  const cases: Array<{
    name: string;
    readings: Reading[];
    members?: boolean;
    expected: ConsumerStatus;
  }> = [
    // Burrow's rule 1: any zero lag in the window means OK.
    { name: "a new partition, lag at once", readings: [[0, 10, 5]], expected: "OK" },
    {
      name: "caught up now after being stuck",
      readings: [...every(10, 120, () => [10, 5]), [130, 15, 0]],
      expected: "OK",
    },
    {
      name: "zero lag inside the window, stuck since",
      readings: [...every(10, 50, () => [10, 5]), [60, 15, 0], [70, 15, 3], [100, 15, 9]],
      expected: "OK",
    },
    // Burrow's rule 2: offset not moving with lag all window long (STALL / STOP by membership).
    {
      name: "committed offset still, lag, members present",
      readings: every(10, 120, (s) => [10, 5 + s]),
      expected: "STALL",
    },
    {
      name: "committed offset still, lag, nobody in the group",
      readings: every(10, 120, () => [10, 5]),
      members: false,
      expected: "STOP",
    },
    {
      name: "still but the window is not full yet",
      readings: every(10, 50, () => [10, 5]),
      expected: "OK",
    },
    {
      name: "zero lag only before the window, stuck since",
      readings: [[0, 10, 0], ...every(10, 120, () => [10, 5]).slice(1)],
      expected: "STALL",
    },
    {
      name: "empty group that had read everything",
      readings: every(10, 300, () => [10, 0]),
      members: false,
      expected: "OK",
    },
    // Burrow's rule 3: committing, but the lag at each commit larger than at the one before.
    {
      name: "committing with growing lag all window long",
      readings: every(10, 120, (s) => [10 + s, 5 + s / 5]),
      expected: "WARN",
    },
    {
      name: "growing lag, but one commit inside the window with less lag",
      readings: every(10, 120, (s) => [10 + s, s === 100 ? 1 : 5 + s / 5]),
      expected: "OK",
    },
    {
      name: "between commits the lag rises and falls (saw-tooth), commits at steady lag",
      readings: every(5, 120, (s) => s % 20 === 0 ? [s, 3] : [s - (s % 20), 3 + (s % 20)]),
      expected: "OK",
    },
    {
      name: "committing and lag shrinking",
      readings: every(10, 120, (s) => [10 + 2 * s, 500 - s]),
      expected: "OK",
    },
    {
      name: "growing lag only read between commits counts at commits",
      readings: [
        ...every(10, 120, (s) => [10 + s, 5 + s]),
        [125, 130, 1], // no commit since 120: not a commit point
        [130, 140, 200],
      ],
      expected: "WARN",
    },
    // Rewinds: reported while the window holds them, unless caught up.
    {
      name: "committed offset went backwards",
      readings: [...every(10, 60, (s) => [100 + s, 5]), [70, 20, 90]],
      expected: "REWIND",
    },
    {
      name: "rewound, then consumed normally for a whole window",
      readings: [
        ...every(10, 60, (s) => [100 + s, 5]),
        [70, 20, 90],
        ...every(10, 150, (s) => [20 + 10 * s, 90 - s / 2]).slice(8),
      ],
      expected: "OK",
    },
    {
      name: "rewound, then caught up",
      readings: [...every(10, 60, (s) => [100 + s, 5]), [70, 20, 90], [80, 110, 0]],
      expected: "OK",
    },
    {
      name: "reset forward to the end (kafka-consumer-groups --to-latest)",
      readings: [...every(10, 120, () => [10, 50]), [130, 60, 0]],
      expected: "OK",
    },
    {
      name: "rewound and stuck: REWIND first, STALL once the rewind leaves the window",
      readings: [[0, 100, 5], [10, 20, 90], ...every(10, 100, () => [20, 90]).slice(2)],
      expected: "STALL",
    },
  ];
  for (const { name, readings, members, expected } of cases) {
    await t.step(name, () => assertEquals(statusAfter(readings, { members }), expected));
  }
});

/** The progress after readings of [seconds, committed offset, log-end offset]. */
function progressAfter(readings: Array<[number, number, number]>, timeConstantSeconds = 60) {
  const progress = newProgress(1);
  let previousAtMs = NaN;
  let previousCommittedOffset = NaN;
  for (const [seconds, committedOffset, endOffset] of readings) {
    advanceProgress(progress, 0, {
      nowMs: seconds * 1_000,
      previousAtMs,
      previousCommittedOffset,
      committedOffset,
      lagOffsets: endOffset - committedOffset,
      rateTimeConstantMs: timeConstantSeconds * 1_000,
    });
    previousAtMs = seconds * 1_000;
    previousCommittedOffset = committedOffset;
  }
  return progress;
}

Deno.test("rates and time to catch up: sane through resets, never negative or infinite", async (t) => {
  const cases: Array<{
    name: string;
    readings: Array<[number, number, number]>;
    expected: { consumeRate?: number; produceRate?: number; catchUp?: number };
  }> = [
    {
      name: "one reading: no rate yet, so no estimate",
      readings: [[0, 100, 700]],
      expected: {},
    },
    {
      name: "consuming 10/s against 4/s produced, 420 behind: 70 s",
      readings: [[0, 0, 600], [10, 100, 640], [20, 200, 680], [30, 300, 720]],
      expected: { consumeRate: 10, produceRate: 4, catchUp: 420 / 6 },
    },
    {
      name: "falling behind: no estimate rather than a negative one",
      readings: [[0, 0, 600], [10, 40, 700], [20, 80, 800]],
      expected: { consumeRate: 4, produceRate: 10 },
    },
    {
      name: "keeping pace exactly: no estimate rather than Infinity",
      readings: [[0, 0, 600], [10, 50, 650], [20, 100, 700]],
      expected: { consumeRate: 5, produceRate: 5 },
    },
    {
      name: "caught up: 0 s, whatever the rates",
      readings: [[0, 0, 600], [10, 700, 700]],
      expected: { consumeRate: 70, produceRate: 10, catchUp: 0 },
    },
    {
      name: "idle group on an idle topic, caught up",
      readings: [[0, 5, 5], [10, 5, 5]],
      expected: { consumeRate: 0, produceRate: 0, catchUp: 0 },
    },
    {
      name: "offsets reset backwards: consumption starts over",
      readings: [[0, 500, 600], [10, 600, 700], [20, 100, 800]],
      expected: { produceRate: 10 },
    },
    {
      name: "after a reset, the next reading gives a rate again",
      readings: [[0, 500, 600], [10, 600, 700], [20, 100, 800], [30, 300, 900]],
      expected: { consumeRate: 20, produceRate: 10, catchUp: 60 },
    },
    {
      name: "topic re-created (log end went down): production starts over",
      readings: [[0, 0, 600], [10, 100, 700], [20, 0, 50]],
      expected: {},
    },
    {
      name: "a rate change is weighted in over the time constant",
      readings: [[0, 0, 10_000], [60, 600, 10_000], [120, 1_800, 10_000]],
      expected: {
        consumeRate: 10 + (1 - Math.exp(-1)) * 10,
        produceRate: 0,
        catchUp: 8_200 / (10 + (1 - Math.exp(-1)) * 10),
      },
    },
  ];
  for (const { name, readings, expected } of cases) {
    await t.step(name, () => {
      const progress = progressAfter(readings);
      const rounded = (value: number | undefined) =>
        value === undefined ? undefined : Math.round(value * 1e6) / 1e6;
      assertEquals(
        {
          consumeRate: rounded(consumeRateOf(progress, 0)),
          produceRate: rounded(produceRateOf(progress, 0)),
          catchUp: rounded(timeToCatchUpSeconds(progress, 0)),
        },
        {
          consumeRate: rounded(expected.consumeRate),
          produceRate: rounded(expected.produceRate),
          catchUp: rounded(expected.catchUp),
        },
      );
    });
  }
});

Deno.test("a group's rates: known rates summed, the slowest partition's time to catch up", async (t) => {
  // Partitions as two readings 10 s apart (progressAfter; a first rate is the sample itself).
  // 20/s consumed, 10/s produced, 400 behind: 40 s to catch up.
  const fast: Array<[number, number, number]> = [[0, 500, 1_000], [10, 700, 1_100]];
  // 10/s consumed, 5/s produced, 450 behind: 90 s.
  const slow: Array<[number, number, number]> = [[0, 500, 1_000], [10, 600, 1_050]];
  // 5/s both, nothing behind: 0 s.
  const caughtUp: Array<[number, number, number]> = [[0, 0, 0], [10, 50, 50]];
  // Seen once: no rate yet, time unknown.
  const once: Array<[number, number, number]> = [[10, 0, 100]];
  // 1/s consumed, 10/s produced: losing ground, time unknown.
  const losing: Array<[number, number, number]> = [[0, 0, 100], [10, 10, 200]];
  const cases: Array<{
    name: string;
    partitions: Array<Array<[number, number, number]>>;
    expected: { consumeRate?: number; produceRate?: number; catchUpSeconds?: number };
  }> = [
    { name: "no partition", partitions: [], expected: { catchUpSeconds: 0 } },
    {
      name: "one partition",
      partitions: [fast],
      expected: { consumeRate: 20, produceRate: 10, catchUpSeconds: 40 },
    },
    {
      name: "the slowest decides the time, rates add up",
      partitions: [fast, slow, caughtUp],
      expected: { consumeRate: 35, produceRate: 20, catchUpSeconds: 90 },
    },
    {
      name: "a partition without rates adds none and makes the time unknown",
      partitions: [fast, once],
      expected: { consumeRate: 20, produceRate: 10 },
    },
    {
      name: "a partition losing ground makes the time unknown, whatever comes after",
      partitions: [losing, fast, caughtUp],
      expected: { consumeRate: 26, produceRate: 25 },
    },
    { name: "nothing known", partitions: [once], expected: {} },
  ];
  for (const { name, partitions, expected } of cases) {
    await t.step(name, () => {
      const progress = newProgress(partitions.length);
      partitions.forEach((readings, index) =>
        copyProgress(progressAfter(readings), 0, progress, index)
      );
      assertEquals({ ...groupRatesOf(progress, partitions.length) }, {
        consumeRate: expected.consumeRate,
        produceRate: expected.produceRate,
        catchUpSeconds: expected.catchUpSeconds,
      });
    });
  }
});
