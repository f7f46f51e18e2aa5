/**
 * Inserts a heartbeat whenever a source stays silent for `intervalMs`, so long renders keep streams alive
 * through proxies and let clients show progress (DESIGN §4). The source is never read ahead: its next
 * value is requested only after the previous one was taken. One timer per stream, re-armed on every
 * pull (DESIGN §8: no timer allocation per event).
 *
 * `HeartbeatPacer` is the timer alone, for a consumer that pulls from its source itself (the core's
 * run-generation.ts races its own pulls, rather than reading through another generator layer: each
 * costs ≈ 2–3 KiB of garbage per call, issue 15); `withHeartbeats` wraps an iterable with it.
 */

/** What `HeartbeatPacer.race` resolves with when the interval passed before the pull's result. */
export const TICK = Symbol('tick');

export class HeartbeatPacer {
  private readonly timer: NodeJS.Timeout | undefined;
  /** Settles the race in progress with TICK; a race already settled ignores it. */
  private settle: ((tick: typeof TICK) => void) | undefined;

  /** `intervalMs` ≤ 0: no heartbeats, `race` is the pull itself. */
  constructor(intervalMs: number) {
    if (intervalMs <= 0) return;
    this.timer = setTimeout(() => this.settle?.(TICK), intervalMs);
  }

  /** `pending`'s result, or TICK when the interval passes first (again and again with the same pull,
   *  until it settles). A pull left unsettled when the consumer stops is still handled: the race
   *  attached its handlers, so a later rejection is not unhandled.
   *
   *  Not `Promise.race([pending, tick])` with one tick promise for the whole stream: every race would
   *  leave a reaction on that tick holding the race's result, so a stream kept every image it relayed
   *  until its end: the base64 relay's scavenges took ≈ 3× longer, with 8× the full collections
   *  (gateway CPU per MB 0.93–1.01× the simulator's, 0.65× without; issue 15). Here only the race
   *  in progress is referenced. */
  race<T>(pending: Promise<T>): Promise<T | typeof TICK> {
    const { timer } = this;
    if (timer === undefined) return pending;
    timer.refresh();
    return new Promise<T | typeof TICK>((resolve, reject) => {
      this.settle = resolve;
      pending.then(resolve, reject);
    });
  }

  /** Stops the timer; call once the source is done with. */
  stop(): void {
    clearTimeout(this.timer);
    this.settle = undefined;
  }
}

export async function* withHeartbeats<T, H>(
  source: AsyncIterable<T>,
  intervalMs: number,
  heartbeat: () => H,
): AsyncGenerator<T | H> {
  const iterator = source[Symbol.asyncIterator]();
  const pacer = new HeartbeatPacer(intervalMs);
  try {
    for (;;) {
      const pending = iterator.next();
      let result = await pacer.race(pending);
      while (result === TICK) {
        yield heartbeat();
        result = await pacer.race(pending);
      }
      if (result.done === true) return;
      yield result.value;
    }
  } finally {
    pacer.stop();
    await iterator.return?.();
  }
}
