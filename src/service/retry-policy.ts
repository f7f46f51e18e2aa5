/**
 * When to retry a failed upstream request, and after how long: only retryable failures (DESIGN §4),
 * exponential backoff with full jitter, at least the upstream's Retry-After, never past the deadline.
 */
import type { GatewayError } from '../errors.js';
import type { CancelSignal } from '../cancel-signal.js';

export interface RetryPolicy {
  /** Attempts in total, including the first. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * The delay before the next attempt, or undefined when the failure must not be retried: it is not
 * retryable, the attempts are used up, or the upstream asks for a longer pause than we are willing to
 * wait (then the caller gets the error with its retry delay and decides).
 *
 * @param attempt attempts made so far (1 after the first failure)
 * @param random a number in [0, 1); injectable for tests
 */
export function retryDelay(policy: RetryPolicy, attempt: number, error: GatewayError, random: () => number): number | undefined {
  if (!error.retryable || attempt >= policy.maxAttempts) return undefined;
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const jittered = Math.floor(random() * backoff);
  if (error.retryAfterMs === undefined) return jittered;
  if (error.retryAfterMs > policy.maxDelayMs) return undefined;
  return Math.max(error.retryAfterMs, jittered);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: CancelSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
