import { assertEquals } from "../../../tests/assert.ts";
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";
import { installNonNegativeQueueTimer } from "./timer_patch.ts";

Deno.test("kafkajs' request queue never arms a timer with a negative delay", () => {
  installNonNegativeQueueTimer();
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  const queue = new (RequestQueue as unknown as new (options: object) => {
    throttledUntil: number;
    pending: unknown[];
    throttleCheckTimeoutId: number | null;
    scheduleCheckPendingRequests(): void;
  })({
    maxInFlightRequests: null,
    requestTimeout: 1_000,
    enforceRequestTimeout: false,
    clientId: "test",
    broker: "b:9092",
    logger: { namespace: () => logger },
  });
  const delays: number[] = [];
  const realSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = ((handler: () => void, delay: number) => {
    delays.push(delay);
    return realSetTimeout(handler, 0);
  }) as typeof setTimeout;
  try {
    // Never throttled (throttledUntil −1): kafkajs passed −Date.now() here.
    queue.scheduleCheckPendingRequests();
    clearTimeout(queue.throttleCheckTimeoutId!);
    queue.throttleCheckTimeoutId = null;
    // Requests waiting, no throttle: re-checked after kafkajs' interval.
    queue.pending.push({});
    queue.scheduleCheckPendingRequests();
    clearTimeout(queue.throttleCheckTimeoutId!);
    queue.throttleCheckTimeoutId = null;
    // Throttled by the broker for a while: until then.
    queue.throttledUntil = Date.now() + 5_000;
    queue.scheduleCheckPendingRequests();
    clearTimeout(queue.throttleCheckTimeoutId!);
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  assertEquals(delays.length, 3);
  assertEquals(delays[0], 0);
  assertEquals(delays[1], 10);
  assertEquals(delays[2] > 4_900 && delays[2] <= 5_000, true);
});
