/**
 * The few assertions the tests need. @std/assert lives on jsr, which these build machines cannot
 * reach, so the tests use node:assert underneath with @std-like names.
 */
import nodeAssert from "node:assert/strict";

/** Fails unless `condition` is truthy. */
export function assert(condition: unknown, message?: string): asserts condition {
  // Two calls: @types/node 26 (pulled in by the AWS signer) has no overload for `string | undefined`.
  if (message === undefined) nodeAssert.ok(condition);
  else nodeAssert.ok(condition, message);
}

/** Deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  if (message === undefined) nodeAssert.deepStrictEqual(actual, expected);
  else nodeAssert.deepStrictEqual(actual, expected, message);
}

/** Numbers equal within `tolerance`. */
export function assertAlmostEquals(
  actual: number,
  expected: number,
  tolerance = 1e-7,
  message?: string,
): void {
  nodeAssert.ok(
    Math.abs(actual - expected) <= tolerance,
    message ?? `expected ${actual} to be within ${tolerance} of ${expected}`,
  );
}

/** Fails unless `text` contains `expected`. */
export function assertStringIncludes(text: string, expected: string, message?: string): void {
  nodeAssert.ok(
    text.includes(expected),
    message ?? `expected ${JSON.stringify(text)} to include ${JSON.stringify(expected)}`,
  );
}

/** Runs `fn` and returns what it threw; fails when it did not throw or threw the wrong type. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  errorClass: new (...args: any[]) => E,
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    nodeAssert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${error}`);
    return error as E;
  }
  throw new nodeAssert.AssertionError({ message: `expected ${errorClass.name} to be thrown` });
}

/** Fails unless `fn` throws an instance of `errorClass`; returns the error. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  // deno-lint-ignore no-explicit-any
  errorClass: new (...args: any[]) => E,
): E {
  try {
    fn();
  } catch (error) {
    nodeAssert.ok(error instanceof errorClass, `expected ${errorClass.name}, got ${error}`);
    return error as E;
  }
  throw new nodeAssert.AssertionError({ message: `expected ${errorClass.name} to be thrown` });
}
