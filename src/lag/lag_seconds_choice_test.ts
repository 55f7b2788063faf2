import { assertEquals } from "../../tests/assert.ts";
import {
  chooseFromHistory,
  chooseWithRecordAge,
  type LagSecondsChoice,
  type RecordToDate,
  recordToDate,
} from "./lag_seconds_choice.ts";
import type { TimeLagMethod } from "./time_lag.ts";
import type { LagSecondsMethod } from "./lag_values.ts";

Deno.test("rule 1: the history's estimate counts when the history was read, or at 0 lag", () => {
  const cases: Array<
    [string, { known: boolean; method: TimeLagMethod; historyRead: boolean }, LagSecondsChoice]
  > = [
    [
      "interpolated from a read history",
      { known: true, method: "interpolated", historyRead: true },
      {
        seconds: 12,
        method: "interpolated",
      },
    ],
    ["caught up needs no history", { known: true, method: "caught-up", historyRead: false }, {
      seconds: 12,
      method: "caught-up",
    }],
    ["the store failed: no value", { known: true, method: "extrapolated", historyRead: false }, {
      seconds: NaN,
      method: undefined,
    }],
    [
      "a non-finite estimate: no value",
      { known: false, method: "interpolated", historyRead: true },
      {
        seconds: NaN,
        method: undefined,
      },
    ],
  ];
  for (const [name, estimate, expected] of cases) {
    const choice: LagSecondsChoice = { seconds: 99, method: "record-timestamp" };
    chooseFromHistory(choice, { ...estimate, seconds: 12 });
    assertEquals(choice, expected, name);
  }
});

Deno.test("rules 2 and 3: which record's age is asked for", () => {
  const base = { committedOffset: 50, endOffset: 80, logStartOffset: 0, exact: false };
  const cases: Array<
    [
      string,
      Partial<typeof base> & { method: LagSecondsMethod | undefined },
      RecordToDate | undefined,
    ]
  > = [
    ["no estimate: the committed record", { method: undefined }, "committed"],
    ["extrapolated: the committed record dates it better", { method: "extrapolated" }, "committed"],
    ["a lower bound: the committed record", { method: "lower-bound" }, "committed"],
    ["interpolated: the history dates it, no read", { method: "interpolated" }, undefined],
    ["exact mode: even interpolated", { method: "interpolated", exact: true }, "committed"],
    ["caught up: nothing to date", { method: "caught-up", committedOffset: 80 }, undefined],
    [
      "committed record deleted: the oldest left bounds it",
      { method: "extrapolated", logStartOffset: 60 },
      "oldest-left",
    ],
    [
      "committed record deleted, but interpolated: kept",
      { method: "interpolated", logStartOffset: 60 },
      undefined,
    ],
    [
      "committed record deleted, exact mode: still the oldest left (the committed one is gone)",
      { method: undefined, logStartOffset: 60, exact: true },
      "oldest-left",
    ],
    [
      "every record deleted (log start = end): nothing to read",
      { method: undefined, logStartOffset: 80 },
      undefined,
    ],
  ];
  for (const [name, overrides, expected] of cases) {
    assertEquals(recordToDate({ ...base, ...overrides }), expected, name);
  }
});

Deno.test("rules 2–4: what a record's age makes of the choice", () => {
  const cases: Array<[string, LagSecondsChoice, RecordToDate, number, LagSecondsChoice]> = [
    [
      "the committed record's age replaces an estimate",
      {
        seconds: 30,
        method: "extrapolated",
      },
      "committed",
      45,
      { seconds: 45, method: "record-timestamp" },
    ],
    [
      "the committed record's age replaces even a larger estimate",
      {
        seconds: 90,
        method: "lower-bound",
      },
      "committed",
      45,
      { seconds: 45, method: "record-timestamp" },
    ],
    [
      "the oldest record left gives a value where there was none",
      {
        seconds: NaN,
        method: undefined,
      },
      "oldest-left",
      45,
      { seconds: 45, method: "lower-bound" },
    ],
    [
      "of two lower bounds the larger is kept (the record's)",
      {
        seconds: 30,
        method: "lower-bound",
      },
      "oldest-left",
      45,
      { seconds: 45, method: "lower-bound" },
    ],
    [
      "of two lower bounds the larger is kept (the history's)",
      {
        seconds: 60,
        method: "extrapolated",
      },
      "oldest-left",
      45,
      { seconds: 60, method: "extrapolated" },
    ],
    [
      "an equal bound changes nothing",
      {
        seconds: 45,
        method: "extrapolated",
      },
      "oldest-left",
      45,
      { seconds: 45, method: "extrapolated" },
    ],
  ];
  for (const [name, before, record, ageSeconds, expected] of cases) {
    const choice = { ...before };
    chooseWithRecordAge(choice, { record, ageSeconds });
    assertEquals(choice, expected, name);
  }
});
