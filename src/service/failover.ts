/**
 * The next attempt of an upstream request when the gateway has several channels (DESIGN §12): a failure
 * of the channel key (refused, rate-limited, unhealthy) fails over at once to a channel key the request
 * has not tried yet, without backoff — that account is not the one in trouble. Everything else follows
 * the retry rules (retry-policy.ts). Either way only within the attempts allowed, before the request's
 * first event (the caller decides that), and within the deadline (the retry loop checks it).
 */
import { canFailOver } from '../channels/failure-kind.js';
import type { GatewayError } from '../errors.js';
import type { AttemptRoute } from '../upstream/types.js';
import { retryDelay, type RetryPolicy } from './retry-policy.js';

/** Delay before the next attempt, or undefined for none. */
export function nextAttemptDelay(policy: RetryPolicy, attempt: number, error: GatewayError, route: AttemptRoute, random: () => number): number | undefined {
  if (route.alternative === true && attempt < policy.maxAttempts && canFailOver(error)) return 0;
  return retryDelay(policy, attempt, error, random);
}
