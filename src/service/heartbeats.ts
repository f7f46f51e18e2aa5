/**
 * Inserts a heartbeat whenever a source stays silent for `intervalMs`, so long renders keep streams alive
 * through proxies and let clients show progress (DESIGN §4). The source is never read ahead: its next
 * value is requested only after the previous one was taken.
 */
const TICK = Symbol('tick');

export async function* withHeartbeats<T, H>(
  source: AsyncIterable<T>,
  intervalMs: number,
  heartbeat: () => H,
): AsyncGenerator<T | H> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const pending = iterator.next();
      pending.catch(() => undefined); // handled below; silences the rejection if we are closed first
      for (;;) {
        const result = intervalMs > 0 ? await raceTick(pending, intervalMs) : await pending;
        if (result === TICK) {
          yield heartbeat();
          continue;
        }
        if (result.done === true) return;
        yield result.value;
        break;
      }
    }
  } finally {
    await iterator.return?.();
  }
}

async function raceTick<R>(pending: Promise<R>, ms: number): Promise<R | typeof TICK> {
  let timer: NodeJS.Timeout | undefined;
  const tick = new Promise<typeof TICK>((resolve) => {
    timer = setTimeout(() => resolve(TICK), ms);
  });
  try {
    return await Promise.race([pending, tick]);
  } finally {
    clearTimeout(timer);
  }
}
