import { assertEquals, assertRejects } from "../../tests/assert.ts";
import { DeadlineError, withDeadline } from "./with_deadline.ts";

Deno.test("withDeadline() resolves like the work when it is in time, and clears its timer", async () => {
  // The op sanitizer fails this test if the deadline's timer were left running.
  assertEquals(await withDeadline(Promise.resolve(7), { deadlineMs: 10_000, what: "work" }), 7);
});

Deno.test("withDeadline() rejects with DeadlineError naming the work when it is late", async () => {
  let release = () => {};
  const late = new Promise<void>((resolve) => release = resolve);
  const error = await assertRejects(
    () => withDeadline(late, { deadlineMs: 10, what: "cluster iteration" }),
    DeadlineError,
  );
  assertEquals(error.message, "cluster iteration did not finish within 10 ms");
  release();
});

Deno.test("withDeadline(): work that fails after its deadline is not an unhandled rejection", async () => {
  let fail = (_error: Error) => {};
  const work = new Promise<void>((_, reject) => fail = reject);
  await assertRejects(() => withDeadline(work, { deadlineMs: 5, what: "late" }), DeadlineError);
  fail(new Error("too late"));
  // Let the rejection propagate; an unhandled one would fail this test.
  await new Promise((resolve) => setTimeout(resolve, 0));
});

Deno.test("withDeadline() passes the work's own failure through", async () => {
  const error = await assertRejects(
    () => withDeadline(Promise.reject(new Error("refused")), { deadlineMs: 1_000, what: "work" }),
    Error,
  );
  assertEquals(error.message, "refused");
});
