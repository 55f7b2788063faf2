/** Process-wide silencing of one known-harmless Node warning raised inside kafkajs. */
import process from "node:process";

/**
 * kafkajs' request queue arms a timer with a negative delay on its first request, which makes
 * Deno's Node layer print a TimeoutNegativeWarning to stderr; the timer still fires at once.
 */
export function silenceKafkajsTimerWarning(): void {
  const emitWarning = process.emitWarning;
  const filtered = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const options = rest[0];
    const type = typeof options === "string"
      ? options
      : (options as { type?: string } | undefined)?.type;
    const name = warning instanceof Error ? warning.name : type;
    if (name === "TimeoutNegativeWarning") return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  };
  process.emitWarning = filtered as typeof process.emitWarning;
}
