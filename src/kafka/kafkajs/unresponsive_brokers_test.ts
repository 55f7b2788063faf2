import { assertEquals } from "../../../tests/assert.ts";
import { isTimeout, UnresponsiveBrokers } from "./unresponsive_brokers.ts";

const named = (name: string, message = "", extra: object = {}) =>
  Object.assign(new Error(message), { name }, extra);

Deno.test("isTimeout: request and connection timeouts, also when wrapped", () => {
  const cases: Array<[string, unknown, boolean]> = [
    ["request timeout", named("KafkaJSRequestTimeoutError", "Request Metadata timed out"), true],
    ["connection timeout", named("KafkaJSConnectionError", "Connection timeout"), true],
    ["connection refused", named("KafkaJSConnectionError", "connect ECONNREFUSED"), false],
    ["protocol error", named("KafkaJSProtocolError", "NOT_LEADER_OR_FOLLOWER"), false],
    [
      "retries exceeded, caused by a timeout",
      named("KafkaJSNumberOfRetriesExceeded", "x", {
        cause: named("KafkaJSRequestTimeoutError", "y"),
      }),
      true,
    ],
    [
      "original error",
      named("KafkaJSNonRetriableError", "x", {
        originalError: named("KafkaJSConnectionError", "Connection timeout"),
      }),
      true,
    ],
    ["not an error", "timeout", false],
    ["undefined", undefined, false],
  ];
  for (const [what, error, expected] of cases) assertEquals(isTimeout(error), expected, what);
});

Deno.test("UnresponsiveBrokers: a timeout holds a broker back until a probe answers", async () => {
  let now = 1_000;
  const brokers = new UnresponsiveBrokers(() => now);
  assertEquals(brokers.noteFailure("1", named("KafkaJSProtocolError")), false);
  assertEquals(brokers.has("1"), false);
  assertEquals(brokers.noteFailure("1", named("KafkaJSRequestTimeoutError")), true);
  now += 500;
  brokers.noteFailure("1", named("KafkaJSRequestTimeoutError")); // keeps the first time
  assertEquals(brokers.list(), [{ nodeId: "1", forMs: 500 }]);

  // A probe that fails keeps it held back; one that answers releases it.
  await brokers.probe(new Set(["1", "2"]), () => Promise.reject(new Error("still hung")));
  assertEquals(brokers.has("1"), true);
  await brokers.probe(new Set(["1", "2"]), () => Promise.resolve());
  assertEquals(brokers.has("1"), false);
});

Deno.test("UnresponsiveBrokers: one probe in flight per broker; gone brokers are forgotten", async () => {
  const brokers = new UnresponsiveBrokers(() => 0);
  brokers.noteFailure("1", named("KafkaJSRequestTimeoutError"));
  brokers.noteFailure("2", named("KafkaJSRequestTimeoutError"));
  const asked: string[] = [];
  const answers = new Map<string, () => void>();
  const hanging = brokers.probe(new Set(["1", "2"]), (nodeId) => {
    asked.push(nodeId);
    return new Promise<void>((resolve) => answers.set(nodeId, resolve));
  });
  // Broker 2 left the metadata (fenced); broker 1's probe is still in flight: not sent again.
  await brokers.probe(new Set(["1"]), (nodeId) => {
    asked.push(nodeId);
    return Promise.resolve();
  });
  assertEquals(asked, ["1", "2"]);
  assertEquals(brokers.has("2"), false);
  assertEquals(brokers.has("1"), true);
  for (const answer of answers.values()) answer();
  await hanging;
  assertEquals(brokers.has("1"), false);
});
