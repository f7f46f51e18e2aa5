/**
 * Merges several async sources into one, running at most `concurrency` of them at a time and starting
 * the next as one finishes. Values are yielded in arrival order. Back-pressure holds: a source is asked
 * for its next value only after its previous one was taken, so at most `concurrency` values wait.
 * If a source throws, or the consumer stops, every running source is closed.
 */
export async function* mergeBounded<T>(
  sources: readonly (() => AsyncIterable<T>)[],
  concurrency: number,
): AsyncGenerator<T> {
  type Pending = Promise<{ readonly iterator: AsyncIterator<T>; readonly result: IteratorResult<T> }>;
  const running = new Map<AsyncIterator<T>, Pending>();
  let nextSource = 0;

  const pull = (iterator: AsyncIterator<T>) => {
    const pending: Pending = iterator.next().then((result) => ({ iterator, result }));
    // A rejection is handled when raced below; this keeps it from being reported as unhandled if the
    // merge is closed before that happens.
    pending.catch(() => undefined);
    running.set(iterator, pending);
  };
  const startNext = () => {
    const factory = sources[nextSource];
    nextSource += 1;
    if (factory !== undefined) pull(factory()[Symbol.asyncIterator]());
  };

  try {
    while (running.size < concurrency && nextSource < sources.length) startNext();
    while (running.size > 0) {
      const { iterator, result } = await Promise.race(running.values());
      if (result.done === true) {
        running.delete(iterator);
        if (nextSource < sources.length) startNext();
        continue;
      }
      yield result.value;
      pull(iterator);
    }
  } finally {
    const open = [...running.keys()];
    running.clear();
    await Promise.allSettled(open.map((iterator) => iterator.return?.()));
  }
}
