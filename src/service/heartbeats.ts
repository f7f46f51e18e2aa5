/**
 * Inserts a heartbeat whenever a source stays silent for `intervalMs`, so long renders keep streams alive
 * through proxies and let clients show progress (DESIGN §4). The source is never read ahead: its next
 * value is requested only after the previous one was taken. One timer per stream, re-armed on every
 * pull (DESIGN §8: no timer allocation per event).
 */
const TICK = Symbol('tick');

export async function* withHeartbeats<T, H>(
  source: AsyncIterable<T>,
  intervalMs: number,
  heartbeat: () => H,
): AsyncGenerator<T | H> {
  const iterator = source[Symbol.asyncIterator]();
  if (intervalMs <= 0) {
    try {
      for (;;) {
        const result = await iterator.next();
        if (result.done === true) return;
        yield result.value;
      }
    } finally {
      await iterator.return?.();
    }
  }
  let fire: () => void = () => undefined;
  let tick = new Promise<typeof TICK>((resolve) => (fire = () => resolve(TICK)));
  const timer = setTimeout(() => fire(), intervalMs);
  try {
    for (;;) {
      const pending = iterator.next();
      pending.catch(() => undefined); // handled below; silences the rejection if we are closed first
      for (;;) {
        timer.refresh();
        const result = await Promise.race([pending, tick]);
        if (result === TICK) {
          tick = new Promise<typeof TICK>((resolve) => (fire = () => resolve(TICK)));
          yield heartbeat();
          continue;
        }
        if (result.done === true) return;
        yield result.value;
        break;
      }
    }
  } finally {
    clearTimeout(timer);
    await iterator.return?.();
  }
}
