import { uncompress } from "snappyjs";
import { assert, assertEquals } from "../../../tests/assert.ts";
import { createLogger } from "../../log/logger.ts";
import {
  backoffMs,
  isRetryable,
  RemoteWriter,
  type SendResult,
  seriesHash,
} from "./remote_writer.ts";

const logger = createLogger({ level: "error", format: "text", write: () => {} });

function setup(
  responses: Array<number | Error>,
  options = { queueMaxSamples: 100, maxSamplesPerSend: 10 },
) {
  const counters = { sent: 0, failed: 0, dropped: 0, requests: 0 };
  const bodies: Uint8Array[] = [];
  const writer = new RemoteWriter(options, {
    send: (body) => {
      counters.requests++;
      bodies.push(new Uint8Array(uncompress(body)));
      const next = responses.length > 0 ? responses.shift()! : 204;
      return next instanceof Error
        ? Promise.reject(next)
        : Promise.resolve<SendResult>({ status: next, body: "" });
    },
    sleep: () => Promise.resolve(),
    logger,
    onSent: (n) => counters.sent += n,
    onFailed: (n) => counters.failed += n,
    onDropped: (n) => counters.dropped += n,
    observeRequest: () => {},
    now: () => 0,
  });
  return { writer, counters, bodies };
}

const values = (groups: string[]) =>
  groups.map((group) => ({ labels: { __name__: "lag", group }, value: 1 }));

Deno.test("isRetryable() and backoffMs()", async (t) => {
  await t.step("5xx and 429 are retried, other 4xx are not", () => {
    assertEquals([500, 502, 503, 429, 400, 401, 404, 413].map(isRetryable), [
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
  await t.step("backoff doubles up to the cap, with ±20 % jitter", () => {
    assertEquals(
      [0, 1, 2, 3, 10].map((attempt) =>
        backoffMs(attempt, { initialMs: 500, maxMs: 30_000, random: () => 0.5 })
      ),
      [
        500,
        1_000,
        2_000,
        4_000,
        30_000,
      ],
    );
    assertEquals(backoffMs(0, { initialMs: 1_000, maxMs: 30_000, random: () => 0 }), 800);
    assertEquals(backoffMs(0, { initialMs: 1_000, maxMs: 30_000, random: () => 1 }), 1_200);
  });
});

Deno.test("RemoteWriter", async (t) => {
  await t.step("splits a push into requests of at most maxSamplesPerSend", async () => {
    const { writer, counters } = setup([]);
    await writer.push(() => values(Array.from({ length: 25 }, (_, i) => `g${i}`)), 1_000);
    await writer.flush(1);
    assertEquals(counters, { sent: 25, failed: 0, dropped: 0, requests: 3 });
  });
  await t.step("a vanished series gets a staleness marker in the next push", async () => {
    const { writer, bodies } = setup([]);
    await writer.push(() => values(["a", "b"]), 1_000);
    await writer.push(() => values(["a"]), 2_000);
    await writer.flush(1);
    const last = bodies.at(-1)!;
    // the stale marker's bytes: tag 0x09 then 0x7ff0000000000002 little-endian
    const marker = [0x09, 0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f];
    const found = last.some((_, index) =>
      marker.every((byte, offset) => last[index + offset] === byte)
    );
    assert(found, "stale marker not in the second request");
  });
  await t.step("the last push is read again only when some of its series went away", async () => {
    const { writer, bodies } = setup([]);
    const reads = { first: 0, second: 0, third: 0 };
    const source = (name: keyof typeof reads, groups: string[]) => () => {
      reads[name]++;
      return values(groups);
    };
    await writer.push(source("first", ["a", "b"]), 1_000);
    await writer.push(source("second", ["b", "a"]), 2_000);
    assertEquals(reads, { first: 1, second: 1, third: 0 });
    await writer.push(source("third", ["a"]), 3_000);
    assertEquals(reads, { first: 1, second: 2, third: 1 });
    await writer.flush(1);
    assertEquals(bodies.length, 3);
  });
  await t.step("5xx and network errors are retried until delivered", async () => {
    const { writer, counters } = setup([503, new Error("ECONNREFUSED"), 500]);
    await writer.push(() => values(["a"]), 1_000);
    const stop = new AbortController();
    const running = writer.run(stop.signal);
    while (counters.sent === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    stop.abort();
    await running;
    assertEquals(counters, { sent: 1, failed: 0, dropped: 0, requests: 4 });
  });
  await t.step("a 4xx drops the batch without retrying", async () => {
    const { writer, counters } = setup([400]);
    await writer.push(() => values(["a"]), 1_000);
    await writer.flush(1);
    assertEquals(counters, { sent: 0, failed: 1, dropped: 0, requests: 1 });
  });
  await t.step(
    "the queue never holds more than its bound: the oldest samples are dropped",
    async () => {
      const { writer, counters } = setup([], { queueMaxSamples: 30, maxSamplesPerSend: 10 });
      for (let push = 0; push < 10; push++) {
        await writer.push(() => values(Array.from({ length: 10 }, (_, i) => `g${i}`)), push);
      }
      assert(writer.queuedSamples() <= 30, `queued ${writer.queuedSamples()}`);
      assertEquals(counters.dropped, 100 - writer.queuedSamples());
    },
  );
  await t.step(
    "a push larger than the bound is kept whole; it drops the pushes before it",
    async () => {
      const { writer, counters } = setup([], { queueMaxSamples: 30, maxSamplesPerSend: 10 });
      const fifty = Array.from({ length: 50 }, (_, i) => `g${i}`);
      await writer.push(() => values(fifty), 1);
      assertEquals([writer.queuedSamples(), counters.dropped], [50, 0]);
      await writer.push(() => values(fifty), 2);
      assertEquals([writer.queuedSamples(), counters.dropped], [50, 50]);
    },
  );
});

Deno.test("seriesHash() ignores label order and tells 640,000 series apart", () => {
  assertEquals(
    seriesHash({ __name__: "m", group: "g", topic: "t" }),
    seriesHash({ topic: "t", group: "g", __name__: "m" }),
  );
  assert(seriesHash({ a: "bc" }) !== seriesHash({ ab: "c" }), "name/value boundary counts");
  assert(seriesHash({ a: "b", c: "" }) !== seriesHash({ a: "bc" }));
  const seen = new Set<number>();
  for (let group = 0; group < 10_000; group++) {
    for (let partition = 0; partition < 64; partition++) {
      const hash = seriesHash({
        __name__: "kafka_consumer_group_lag_in_offsets",
        clustername: "main",
        group: `group-${group}`,
        topic: `topic-${partition % 8}`,
        partition: String(partition),
      });
      assert(Number.isSafeInteger(hash) && hash >= 0);
      seen.add(hash);
    }
  }
  assertEquals(seen.size, 640_000);
});
