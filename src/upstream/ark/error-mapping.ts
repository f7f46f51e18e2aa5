/**
 * The one table of Ark errors (reference §2.1) → GatewayError. Arms match the code's family (the part
 * before the first `.`, so `OperationDenied.ServiceOverdue` is `OperationDenied`); a code we do not
 * know falls back to its HTTP status class (status-errors.ts).
 */
import { GatewayError } from '../../errors.js';
import {
  errorFromStatus,
  effectiveStatus,
  invalidArgumentFromUpstream,
  safeMessages,
  upstreamInfo,
  type ErrorContext,
} from '../status-errors.js';
import type { UpstreamFailure } from '../upstream-failure.js';
import { domainFieldFromArkError } from './param-fields.js';

/** Maps an Ark failure (HTTP error answer, SSE error frame) to the GatewayError to throw. */
export function arkErrorFromFailure(failure: UpstreamFailure, ctx: ErrorContext): GatewayError {
  const code = failure.code ?? '';
  const dot = code.indexOf('.');
  const family = dot === -1 ? code : code.slice(0, dot);
  const upstream = upstreamInfo(failure);
  switch (family) {
    // 400 missing / invalid value; `param` (or the code's suffix) names the field.
    case 'MissingParameter':
    case 'InvalidParameter':
      return invalidArgumentFromUpstream(failure, domainFieldFromArkError(failure.param, code, failure.message));
    // 400 empty or undecodable reference image (`InvalidImageURL.EmptyURL` / `.InvalidFormat`).
    case 'InvalidImageURL':
      return invalidArgumentFromUpstream(
        failure,
        domainFieldFromArkError(failure.param, undefined, failure.message) ?? 'referenceImages',
      );
    // 400 moderation of the prompt, a reference or the output: the caller's content; don't retry.
    case 'InputTextSensitiveContentDetected':
    case 'InputImageSensitiveContentDetected':
    case 'OutputImageSensitiveContentDetected':
    case 'SensitiveContentDetected':
      return contentRejected(failure);
    // 401 bad key / account status, 403 billing, permission, service not activated: the operator's
    // problem, with a fixed message (the upstream's wording talks about our key).
    case 'AuthenticationError':
    case 'InvalidAccountStatus':
    case 'AccountOverdueError':
    case 'AccessDenied':
    case 'OperationDenied':
      return new GatewayError('UPSTREAM_AUTH_FAILED', safeMessages.auth, { upstream });
    // 404 model unknown / not activated / needs an endpoint id / not on this plan; 400 endpoint closed.
    case 'InvalidEndpointOrModel':
    case 'ModelNotOpen':
    case 'UnsupportedModel':
    case 'InvalidEndpoint':
      return new GatewayError('MODEL_NOT_FOUND', safeMessages.modelNotFound(ctx), { upstream });
    // 429 free trial or plan quota used up, or the Safe Experience Mode cap: waiting a few seconds
    // will not help, so not retryable (DESIGN §4).
    case 'QuotaExceeded':
    case 'SetLimitExceeded':
      return new GatewayError('QUOTA_EXCEEDED', safeMessages.quota, { upstream });
    // 429 images/requests per minute, burst, in-flight limits: retry after the delay.
    case 'ModelAccountIpmRateLimitExceeded':
    case 'ModelAccountRpmRateLimitExceeded':
    case 'APIAccountRpmRateLimitExceeded':
    case 'RateLimitExceeded':
    case 'RequestBurstTooFast':
    case 'AccountRateLimitExceeded':
    case 'InflightBatchsizeExceeded':
      return new GatewayError('RATE_LIMITED', safeMessages.rateLimited, {
        upstream,
        retryAfterMs: failure.retryAfterMs,
      });
    // 429/5xx the service (not our account) is overloaded, or failed internally: retryable.
    case 'ServerOverloaded':
    case 'InternalServiceError':
      return new GatewayError('UPSTREAM_UNAVAILABLE', safeMessages.unavailable(failure.status), {
        upstream,
        retryable: true,
        retryAfterMs: failure.retryAfterMs,
      });
    default:
      // Moderation codes are many and grow (`.PolicyViolation`, `.DeepFake`, …); any of them is content.
      if (code.includes('SensitiveContentDetected')) return contentRejected(failure);
      // Unknown code: its status class decides; a 400 still names the field when `param` does.
      return errorFromStatus(
        failure,
        ctx,
        effectiveStatus(failure) === 400 ? domainFieldFromArkError(failure.param, undefined, failure.message) : undefined,
      );
  }
}

function contentRejected(failure: UpstreamFailure): GatewayError {
  return new GatewayError('CONTENT_REJECTED', failure.message ?? 'the upstream moderation rejected the request', {
    upstream: upstreamInfo(failure),
  });
}
