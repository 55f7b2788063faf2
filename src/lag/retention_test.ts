import { assertEquals } from "../../tests/assert.ts";
import { type RetainedPosition, retentionRatioInto } from "./retention.ts";

/** The ratio, undefined where there is none (NaN). */
function retentionRatio(position: RetainedPosition): number | undefined {
  const share = { ratio: 0 };
  retentionRatioInto(position, share);
  return Number.isNaN(share.ratio) ? undefined : share.ratio;
}

Deno.test("retention ratio: unread share of the retained log, within [0, 1]", async (t) => {
  const cases: Array<[string, [number, number, number], number | undefined]> = [
    ["caught up", [100, 100, 0], 0],
    ["a quarter of the log unread", [75, 100, 0], 0.25],
    ["retention moved the start: the same lag weighs more", [75, 100, 50], 0.5],
    ["next record is the oldest kept", [50, 100, 50], 1],
    ["committed below the log start: records already lost", [10, 100, 50], 1],
    ["empty log (everything deleted): nothing to lose", [100, 100, 100], undefined],
    ["committed past the end (truncation): not negative", [120, 100, 0], 0],
  ];
  for (const [name, [committedOffset, endOffset, logStartOffset], expected] of cases) {
    await t.step(
      name,
      () => assertEquals(retentionRatio({ committedOffset, endOffset, logStartOffset }), expected),
    );
  }
});
