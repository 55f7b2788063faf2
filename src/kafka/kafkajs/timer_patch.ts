/**
 * kafkajs' request queue arms its "check pending requests" timer with `throttledUntil − now`,
 * which is a large negative number when the broker never throttled (throttledUntil starts at −1).
 * Node and Deno then print a TimeoutNegativeWarning on every new connection and fire the timer at
 * once. This clamps the delay at its source to what the timer did anyway (0), keeping the rest of
 * kafkajs' logic, so no process-wide warning filter is needed.
 */
import RequestQueue from "kafkajs/src/network/requestQueue/index.js";

/** How often kafkajs re-checks a queue that has pending requests but no throttle (its constant). */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

interface QueueInternals {
  throttledUntil: number;
  pending: unknown[];
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  checkPendingRequests(): void;
}

let installed = false;

/** Replaces kafkajs' scheduler of pending-request checks with one that never passes a negative delay. */
export function installNonNegativeQueueTimer(): void {
  if (installed) return;
  installed = true;
  const prototype = (RequestQueue as unknown as { prototype: Record<string, unknown> }).prototype;
  prototype.scheduleCheckPendingRequests = function (this: QueueInternals) {
    if (this.throttleCheckTimeoutId) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    const delayMs = untilUnthrottled > 0
      ? untilUnthrottled
      : this.pending.length > 0
      ? CHECK_PENDING_REQUESTS_INTERVAL_MS
      : 0;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delayMs);
  };
}
