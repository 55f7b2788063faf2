/** Bounds a promise in time: kafkajs can hang on a broker that accepts TCP but never answers. */

/** Raised when an operation outlives its deadline. */
export class DeadlineError extends Error {
  constructor(what: string, deadlineMs: number) {
    super(`${what} did not finish within ${deadlineMs} ms`);
    this.name = "DeadlineError";
  }
}

/** Resolves like `work`, or rejects with DeadlineError (naming `what`) after `deadlineMs`. */
export function withDeadline<T>(
  work: Promise<T>,
  { deadlineMs, what }: { deadlineMs: number; what: string },
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(what, deadlineMs)), deadlineMs);
  });
  // The losing promise may still reject later; that must not surface as an unhandled rejection.
  work.catch(() => {});
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
