// Differential testing, scheduling: runs async tasks a few at a time, so that opa processes
// overlap with the engine's (synchronous) work on the other cases.

/** Runs `task` on every item with at most `concurrency` in flight; resolves when all are done. */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      await task(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, lane));
}
