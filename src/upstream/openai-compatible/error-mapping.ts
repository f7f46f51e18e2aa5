/**
 * OpenAI-style relay errors (reference §4.4: `{error:{message,type,param,code}}`) → GatewayError. The
 * relay's own OpenAI codes are handled here; anything else goes through Ark's table, since Seedream
 * relays commonly forward Ark's codes (and status classes) unchanged.
 */
import { GatewayError } from '../../errors.js';
import { arkErrorFromFailure } from '../ark/error-mapping.js';
import { safeMessages, upstreamInfo, type ErrorContext } from '../status-errors.js';
import type { UpstreamFailure } from '../upstream-failure.js';

/** Maps a relay failure (HTTP error answer, SSE error frame) to the GatewayError to throw. */
export function relayErrorFromFailure(failure: UpstreamFailure, ctx: ErrorContext): GatewayError {
  const upstream = upstreamInfo(failure);
  switch (failure.code) {
    // 429 requests/tokens per minute: retry after the delay.
    case 'rate_limit_exceeded':
      return new GatewayError('RATE_LIMITED', safeMessages.rateLimited, { upstream, retryAfterMs: failure.retryAfterMs });
    // 429 (or 402/403) out of credit: waiting will not help, not retryable.
    case 'insufficient_quota':
    case 'billing_hard_limit_reached':
    case 'quota_exceeded':
      return new GatewayError('QUOTA_EXCEEDED', safeMessages.quota, { upstream });
    // 400 the safety system refused the prompt or an image (`moderation_blocked`, reference §4.4).
    case 'moderation_blocked':
    case 'content_policy_violation':
    case 'content_filter':
      return new GatewayError('CONTENT_REJECTED', failure.message ?? 'the upstream moderation rejected the request', {
        upstream,
      });
    // 401/403 the relay refused our key or account: the operator's problem, fixed message.
    case 'invalid_api_key':
    case 'account_deactivated':
    case 'billing_not_active':
    case 'unsupported_country_region_territory':
      return new GatewayError('UPSTREAM_AUTH_FAILED', safeMessages.auth, { upstream });
    // 404 the relay does not route this model.
    case 'model_not_found':
      return new GatewayError('MODEL_NOT_FOUND', safeMessages.modelNotFound(ctx), { upstream });
    // 5xx overloaded or failed: retryable.
    case 'server_error':
    case 'engine_overloaded':
      return new GatewayError('UPSTREAM_UNAVAILABLE', safeMessages.unavailable(failure.status), {
        upstream,
        retryable: true,
        retryAfterMs: failure.retryAfterMs,
      });
    // Ark codes forwarded by the relay, `invalid_request_error` with a `param` (400 → the field),
    // and bodies without a code: Ark's table and the status classes.
    default:
      return arkErrorFromFailure(failure, ctx);
  }
}
