import { EventEmitter } from "node:events";
import process from "node:process";
import { assertEquals } from "../../tests/assert.ts";
import type { LogFields, Logger } from "./logger.ts";
import { logProcessWarnings } from "./process_warnings.ts";

Deno.test("process warnings go to the logger, each distinct one once, not to stderr", async () => {
  const lines: Array<{ message: string; fields?: LogFields }> = [];
  const record = (message: string, fields?: LogFields) => lines.push({ message, fields });
  const logger: Logger = {
    debug: record,
    info: record,
    warn: record,
    error: record,
    child: () => logger,
    enabled: () => true,
    redact: (text) => text,
  };
  const before = process.listeners("warning");
  try {
    logProcessWarnings(logger);
    assertEquals(process.listenerCount("warning"), 1);
    const emitter = new EventEmitter();
    for (let index = 0; index < 12; index++) emitter.on("connect", () => {});
    process.emitWarning("a deprecated call", "DeprecationWarning");
    process.emitWarning("a deprecated call", "DeprecationWarning");
    // sleep-ok: warnings are emitted on the next tick
    await new Promise((resolve) => setTimeout(resolve, 20));
    assertEquals(lines.map((line) => [line.message, line.fields?.warning]), [
      ["process warning", "MaxListenersExceededWarning"],
      ["process warning", "DeprecationWarning"],
    ]);
  } finally {
    process.removeAllListeners("warning");
    for (const listener of before) process.on("warning", listener as () => void);
  }
});
