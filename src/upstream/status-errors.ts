/**
 * The vendor-neutral half of upstream error mapping: what an HTTP status class means when the body
 * names no code we know (reference §2.1 "Type" column, §4.4 SDK status classes), and the fixed,
 * safe messages for failures that are not the caller's. Vendor mappers (ark/error-mapping.ts,
 * openai-compatible/error-mapping.ts) handle known codes first and fall back to `errorFromStatus`.
 */
import { GatewayError, type FieldViolation, type UpstreamErrorInfo } from '../errors.js';
import type { UpstreamFailure } from './upstream-failure.js';

/** What the mappers need to know about the call to word a message. */
export interface ErrorContext {
  /** The catalog's display name of the requested model (never an endpoint id: that is operator config). */
  readonly modelName: string;
}

/** Fixed messages: failures that are not the caller's never echo the upstream's wording, which can
 *  mention keys, accounts or internal limits (DESIGN §4, §9). */
export const safeMessages = {
  auth: "the upstream refused the gateway's credentials or account; the operator must check the upstream key and account",
  modelNotFound: (ctx: ErrorContext) => `${ctx.modelName} is not available from the upstream for this gateway`,
  rateLimited: 'the upstream rate limit was reached; retry later',
  quota: "the upstream account's quota or spending limit is used up",
  unavailable: (status: number | undefined) =>
    status === undefined ? 'the upstream failed while generating' : `the upstream is unavailable (HTTP ${status})`,
  badResponse: (status: number) => `the upstream answered with an unexpected HTTP status ${status}`,
} as const;

/** The `upstream` details of a GatewayError (never credentials: status, code and request id only). */
export function upstreamInfo(failure: UpstreamFailure): UpstreamErrorInfo {
  return { status: failure.status, code: failure.code, requestId: failure.requestId };
}

// Error classes (Ark's `type`, OpenAI's `type`; Ark's stream sample even puts `BadRequest` in `code`,
// reference §3.3 ⚠) → the HTTP status they stand for, for error frames inside a 200 stream.
const statusByErrorClass: Readonly<Record<string, number>> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  TooManyRequests: 429,
  InternalServerError: 500,
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  server_error: 500,
  api_error: 500,
};

/** The HTTP status the failure stands for: its own, else the one its `type` or `code` names. */
export function effectiveStatus(failure: UpstreamFailure): number | undefined {
  if (failure.status !== undefined && failure.status !== 200) return failure.status;
  return statusByErrorClass[failure.type ?? ''] ?? statusByErrorClass[failure.code ?? ''];
}

/** INVALID_ARGUMENT naming `field` (when known) with the upstream's cleaned message: the caller must
 *  learn what to change, and these messages describe the request, not the account. */
export function invalidArgumentFromUpstream(failure: UpstreamFailure, field: string | undefined): GatewayError {
  const description = failure.message ?? 'the upstream rejected a parameter';
  const violations: FieldViolation[] = field === undefined ? [] : [{ field, description }];
  const message = field === undefined ? description : `${field}: ${description}`;
  return new GatewayError('INVALID_ARGUMENT', message, { violations, upstream: upstreamInfo(failure) });
}

/** Maps a failure by its status class alone (unknown code, or no usable body). */
export function errorFromStatus(failure: UpstreamFailure, ctx: ErrorContext, field?: string): GatewayError {
  const status = effectiveStatus(failure);
  const upstream = upstreamInfo(failure);
  const retryAfterMs = failure.retryAfterMs;
  switch (true) {
    // No status at all: an error frame in a 200 stream with an unknown code. The upstream failed
    // mid-generation; treat it like a 5xx.
    case status === undefined:
      return new GatewayError('UPSTREAM_UNAVAILABLE', safeMessages.unavailable(undefined), { upstream, retryAfterMs });
    // Our key or account (never the caller's): an operator problem.
    case status === 401 || status === 403:
      return new GatewayError('UPSTREAM_AUTH_FAILED', safeMessages.auth, { upstream });
    // The upstream does not serve this model (or endpoint) to us.
    case status === 404:
      return new GatewayError('MODEL_NOT_FOUND', safeMessages.modelNotFound(ctx), { upstream });
    // Request timeout at the upstream's front door: transient.
    case status === 408:
      return new GatewayError('UPSTREAM_UNAVAILABLE', safeMessages.unavailable(status), { upstream, retryable: true });
    // The body (reference images) is larger than the upstream takes (§5: not documented ⚠).
    case status === 413:
      return new GatewayError('PAYLOAD_TOO_LARGE', 'the request is larger than the upstream accepts', { upstream });
    // Any other 429 is a rate limit: retry after the delay.
    case status === 429:
      return new GatewayError('RATE_LIMITED', safeMessages.rateLimited, { upstream, retryAfterMs });
    // Other 4xx: the upstream judged the request invalid; pass its reason on.
    case status !== undefined && status >= 400 && status < 500:
      return invalidArgumentFromUpstream(failure, field);
    // 5xx: the upstream failed; retryable (DESIGN §4).
    case status !== undefined && status >= 500 && status < 600:
      return new GatewayError('UPSTREAM_UNAVAILABLE', safeMessages.unavailable(status), {
        upstream,
        retryable: true,
        retryAfterMs,
      });
    // 1xx/3xx or nonsense: not the protocol we speak.
    default:
      return new GatewayError('UPSTREAM_BAD_RESPONSE', safeMessages.badResponse(status ?? 0), { upstream });
  }
}
