import { assertEquals } from "../../../tests/assert.ts";
import { parseDurationMs } from "./duration.ts";

Deno.test("parseDurationMs()", async (t) => {
  const cases: Array<[string, number | undefined]> = [
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["250ms", 250],
    ["1.5s", 1_500],
    ["0", 0],
    ["", undefined],
    ["30", undefined],
    ["5 m", undefined],
    ["1d", undefined],
  ];
  for (const [text, expected] of cases) {
    await t.step(JSON.stringify(text), () => assertEquals(parseDurationMs(text), expected));
  }
});
