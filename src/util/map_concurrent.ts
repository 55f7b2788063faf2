/** Bounded-concurrency map over a list. */

/** Runs `task` for every item with at most `concurrency` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(
  { items, concurrency }: { items: readonly T[]; concurrency: number },
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
