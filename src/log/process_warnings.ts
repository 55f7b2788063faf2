/**
 * Node-style process warnings (MaxListenersExceededWarning, deprecations from a client library)
 * through the logger: by default they are printed as a bare `(node:PID) …` line on stderr, which
 * breaks JSON-line log parsing. Each distinct warning is logged once, with where it was raised.
 */
import process from "node:process";
import type { Logger } from "./logger.ts";

/** Replaces the default printer of process warnings with `logger`. */
export function logProcessWarnings(logger: Logger): void {
  const seen = new Set<string>();
  process.removeAllListeners("warning");
  process.on("warning", (warning: Error) => {
    const text = `${warning.name}: ${warning.message}`;
    if (seen.has(text)) return;
    seen.add(text);
    logger.warn("process warning", {
      warning: warning.name,
      detail: warning.message,
      // The first frames name the library and call that raised it: what a fix needs.
      at: warning.stack?.split("\n").slice(1, 6).map((frame) => frame.trim()).join(" < "),
    });
  });
}
