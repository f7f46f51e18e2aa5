/**
 * What an attempt's failure says about the channel key that served it (DESIGN §12):
 * - `refused`: the upstream refused the key itself (401/403, account quota) — it leaves rotation and the
 *   request may go to another key: retrying the same one would fail the same way forever;
 * - `rate-limited`: the account's rate limit (429) — another channel may have room; no breaker count;
 * - `unhealthy`: 5xx, connection errors, timeouts, broken answers — counts towards the breaker;
 * - `request`: the request's own fault (bad input, moderation, cancel, deadline) — says nothing about
 *   the key.
 */
import type { GatewayError } from '../errors.js';

export type FailureKind = 'refused' | 'rate-limited' | 'unhealthy' | 'request';

export function failureKind(error: GatewayError): FailureKind {
  switch (error.reason) {
    case 'UPSTREAM_AUTH_FAILED':
      return 'refused';
    // Only the upstream's quota is about the key; the gateway's own caller quotas never reach here.
    case 'QUOTA_EXCEEDED':
      return error.upstream !== undefined ? 'refused' : 'request';
    case 'RATE_LIMITED':
      return 'rate-limited';
    case 'UPSTREAM_UNAVAILABLE':
    case 'UPSTREAM_BAD_RESPONSE':
    case 'INTERNAL':
      return 'unhealthy';
    default:
      return 'request';
  }
}

/** Whether another channel key may take the request: the failure was the key's or its account's. */
export function canFailOver(error: GatewayError): boolean {
  const kind = failureKind(error);
  return kind === 'refused' || kind === 'rate-limited' || (kind === 'unhealthy' && error.retryable);
}
