/**
 * Runs `interruptExpiredLeases` on a timer in every replica: a job whose replica died (kill -9, lost
 * network) becomes `interrupted` once its lease runs out, and is never re-run (DESIGN §10: at most once
 * upstream). Any replica may sweep; the store's atomic transition makes concurrent sweeps harmless.
 */
import type { JobStore } from './job-store.js';

export interface LeaseSweeperOptions {
  readonly intervalMs: number;
  /** Told about each job this replica interrupted (to log it, or to send its webhook). */
  readonly onInterrupted?: (jobIds: readonly string[]) => void;
  /** Told when a sweep fails (Redis down); the next tick tries again. */
  readonly onError?: (error: unknown) => void;
}

export interface LeaseSweeper {
  /** One sweep now; resolves with the ids it interrupted. */
  sweepNow(): Promise<readonly string[]>;
  stop(): void;
}

export function startLeaseSweeper(store: JobStore, options: LeaseSweeperOptions): LeaseSweeper {
  let running: Promise<readonly string[]> | undefined;

  // Never two sweeps at once from one replica: a slow Redis must not pile up scripts.
  function sweepNow(): Promise<readonly string[]> {
    running ??= store
      .interruptExpiredLeases()
      .then((ids) => {
        if (ids.length > 0) options.onInterrupted?.(ids);
        return ids;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  const timer = setInterval(() => {
    sweepNow().catch((error: unknown) => options.onError?.(error));
  }, options.intervalMs);
  timer.unref();

  return { sweepNow, stop: () => clearInterval(timer) };
}
