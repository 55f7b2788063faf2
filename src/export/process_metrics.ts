/**
 * The standard process_* metrics every Prometheus exporter has, as far as the binary's
 * permissions allow: CPU, resident memory, heap and start time. `process_open_fds` and
 * `process_max_fds` are left out: Deno lets a program read /proc/self/fd and /proc/self/limits
 * only with --allow-all, and the exporter does not widen its permissions for them.
 */
import process from "node:process";
import { Counter, Gauge, type Registry } from "prom-client";

/** What the process figures are read from (injectable for tests). */
export interface ProcessReadings {
  /** CPU time used, in microseconds (node:process.cpuUsage()). */
  cpuUsage(): { user: number; system: number };
  memoryUsage(): { rss: number; heapTotal: number };
  /** Unix time in seconds when the process started. */
  startTimeSeconds: number;
}

/** Readings of this process. */
export function currentProcess(): ProcessReadings {
  return {
    cpuUsage: () => process.cpuUsage(),
    memoryUsage: () => Deno.memoryUsage(),
    startTimeSeconds: (performance.timeOrigin) / 1_000,
  };
}

/** Registers the process_* metrics on `registers`, read at every scrape. */
export function registerProcessMetrics(registers: Registry[], readings: ProcessReadings): void {
  new Counter({
    name: "process_cpu_seconds_total",
    help: "Total user and system CPU time spent in seconds.",
    registers,
    collect() {
      const { user, system } = readings.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
    },
  });
  new Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes.",
    registers,
    collect() {
      this.set(readings.memoryUsage().rss);
    },
  });
  new Gauge({
    name: "process_heap_bytes",
    help: "Process heap size in bytes (the JavaScript heap reserved by V8).",
    registers,
    collect() {
      this.set(readings.memoryUsage().heapTotal);
    },
  });
  new Gauge({
    name: "process_start_time_seconds",
    help: "Start time of the process since unix epoch in seconds.",
    registers,
    collect() {
      this.set(readings.startTimeSeconds);
    },
  });
}
