/**
 * Caps generations running at once, in total and per caller key (DESIGN §4 limits). Over the cap a call
 * is refused at once with CONCURRENCY_LIMITED rather than queued: a queued image request would hold a
 * connection for minutes, and the client can retry with backoff.
 */
import { GatewayError } from '../errors.js';

export interface ConcurrencyLimiter {
  /** Takes a slot for `keyName` (at most `perKey` for it, default the configured cap), or throws
   *  CONCURRENCY_LIMITED. Call the returned function once to free it. */
  acquire(keyName: string, perKey?: number): () => void;
  /** Generations running now (for metrics and tests). */
  readonly active: number;
}

/** Suggested wait before retrying a refused call. */
const RETRY_AFTER_MS = 1000;

export function createConcurrencyLimiter(limits: { readonly total: number; readonly perKey: number }): ConcurrencyLimiter {
  let active = 0;
  const perKey = new Map<string, number>();
  return {
    get active() {
      return active;
    },
    acquire(keyName, perKeyLimit = limits.perKey) {
      const mine = perKey.get(keyName) ?? 0;
      if (active >= limits.total) {
        throw new GatewayError('CONCURRENCY_LIMITED', `the gateway is running its maximum of ${limits.total} generations; retry shortly`, { retryAfterMs: RETRY_AFTER_MS });
      }
      if (mine >= perKeyLimit) {
        throw new GatewayError('CONCURRENCY_LIMITED', `this key is running its maximum of ${perKeyLimit} generations; retry shortly`, { retryAfterMs: RETRY_AFTER_MS });
      }
      active += 1;
      perKey.set(keyName, mine + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        active -= 1;
        const left = (perKey.get(keyName) ?? 1) - 1;
        if (left === 0) perKey.delete(keyName);
        else perKey.set(keyName, left);
      };
    },
  };
}
