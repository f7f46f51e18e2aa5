/**
 * A closed-loop load generator: `concurrency` workers each send the next request as soon as the previous
 * one answered, first for a warm-up, then for a measured window. The first failed call stops every
 * worker and fails the phase: an error response under load is a harness failure, never a silent zero.
 */
import { createLatencyRecorder, type LatencySummary } from './latency.js';

/** One request; resolves when the whole answer was read and checked, throws on anything unexpected. */
export type LoadCall = () => Promise<void>;

export interface ClosedLoopOptions {
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  /** Called (synchronously) at the start and the end of the measured window, e.g. to sample /proc. */
  readonly onWindowStart: () => void;
  readonly onWindowEnd: () => void;
}

export interface ClosedLoopResult {
  /** Calls completed inside the measured window. */
  readonly requests: number;
  /** Length of the measured window, ms. */
  readonly elapsedMs: number;
  /** Latency of calls that started and ended inside the window. */
  readonly latency: LatencySummary;
  /** CPU the harness itself used in the window (load generator, sink), % of one core. */
  readonly loadGeneratorCpuPct: number;
}

export async function runClosedLoop(call: LoadCall, options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const latency = createLatencyRecorder();
  let state: 'warmup' | 'measure' | 'done' = 'warmup';
  let windowStart = 0;
  let windowEnd = 0;
  let requests = 0;
  let failure: unknown;
  let harnessCpu = process.cpuUsage();
  let harnessCpuMicros = 0;

  const warmupTimer = setTimeout(() => {
    options.onWindowStart();
    harnessCpu = process.cpuUsage();
    windowStart = performance.now();
    state = 'measure';
  }, options.warmupMs);
  const endTimer = setTimeout(() => {
    options.onWindowEnd();
    const used = process.cpuUsage(harnessCpu);
    harnessCpuMicros = used.user + used.system;
    windowEnd = performance.now();
    state = 'done';
  }, options.warmupMs + options.measureMs);

  const worker = async () => {
    while (state !== 'done' && failure === undefined) {
      const started = performance.now();
      try {
        await call();
      } catch (error) {
        failure ??= error;
        return;
      }
      if (state !== 'measure') continue;
      requests += 1;
      if (started >= windowStart) latency.record(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  clearTimeout(warmupTimer);
  clearTimeout(endTimer);
  if (failure !== undefined) throw failure;
  const elapsedMs = windowEnd - windowStart;
  return { requests, elapsedMs, latency: latency.summary(), loadGeneratorCpuPct: (harnessCpuMicros / 1000 / elapsedMs) * 100 };
}

/** The same closed loop for `ms`, unmeasured (warming a fresh process); the first failure throws. */
export async function warmUp(call: LoadCall, concurrency: number, ms: number): Promise<void> {
  const until = performance.now() + ms;
  const worker = async () => {
    while (performance.now() < until) await call();
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
