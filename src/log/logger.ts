/** Structured logging to stderr as text or JSON lines, with level filtering and context fields. */

/** Log levels, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Context attached to a log line (cluster, group, error…). */
export type LogFields = Record<string, unknown>;

/** A logger with bound context. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
  /** Whether lines at `level` are written (to skip building costly debug fields). */
  enabled(level: LogLevel): boolean;
  /** The text with every known secret replaced, as every line is: for errors shown elsewhere. */
  redact(text: string): string;
}

/** Logger settings. */
export interface LoggerOptions {
  level: LogLevel;
  format: "text" | "json";
  /** Where lines go; stderr by default. */
  write?: (line: string) => void;
  now?: () => Date;
  /** Applied to every line before it is written (secret values, URL credentials). */
  redact?: (text: string) => string;
}

/**
 * How severe a level is. A switch rather than an object read by a variable name: `enabled()` is
 * inlined into loops run for every group-partition, and such a read made them deoptimize again
 * and again (--trace-deopt: "unexpected name in keyed access", about 4 times per iteration).
 */
function severityOf(level: LogLevel): number {
  switch (level) {
    case "debug":
      return 0;
    case "info":
      return 1;
    case "warn":
      return 2;
    default:
      return 3;
  }
}

/** Creates the root logger. */
export function createLogger(options: LoggerOptions): Logger {
  const encoder = new TextEncoder();
  const write = options.write ??
    ((line: string) => Deno.stderr.writeSync(encoder.encode(line + "\n")));
  const now = options.now ?? (() => new Date());
  const redact = options.redact ?? ((text: string) => text);
  return buildLogger({ ...options, write, now, redact }, {});
}

function buildLogger(
  options: Required<LoggerOptions>,
  bound: LogFields,
): Logger {
  const threshold = severityOf(options.level);
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (severityOf(level) < threshold) return;
    const all = { ...bound, ...fields };
    options.write(options.redact(
      options.format === "json"
        ? JSON.stringify({ time: options.now().toISOString(), level, msg: message, ...plain(all) })
        : `${options.now().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}${
          textFields(all)
        }`,
    ));
  };
  return {
    debug: (message, fields) => emit("debug", message, fields),
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields) => emit("error", message, fields),
    child: (fields) => buildLogger(options, { ...bound, ...fields }),
    enabled: (level) => severityOf(level) >= threshold,
    redact: options.redact,
  };
}

function plain(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out[key] = value instanceof Error ? describeError(value) : value;
  }
  return out;
}

function textFields(fields: LogFields): string {
  let out = "";
  for (const [key, value] of Object.entries(plain(fields))) {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    out += ` ${key}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
  }
  return out;
}

/** An error's message with its causes, without a stack trace. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause !== undefined ? `: ${describeError(error.cause)}` : "";
  return `${error.message}${cause}`;
}
