/**
 * GatewayError → the OpenAI error envelope `{error:{message,type,param,code}}` (reference §4.4) with the
 * HTTP status of the canonical status table (conventions C.4) — the same reason → status mapping the gRPC
 * edge uses, so REST and gRPC callers see the same classification. docs/rest.md lists the table.
 */
import { GatewayError, type ErrorReason, type FieldViolation } from '../errors.js';

/** The OpenAI error envelope. */
export interface OpenAiErrorEnvelope {
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly param: string | null;
    readonly code: string;
  };
}

/** An error response ready to send: status, headers and the envelope. */
export interface HttpError {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly envelope: OpenAiErrorEnvelope;
}

interface WireClass {
  readonly status: number;
  readonly type: string;
  readonly code: string;
}

/** Codes the REST edge itself uses for INVALID_ARGUMENT, more specific than the reason's default. */
export type EdgeErrorCode = 'unknown_parameter' | 'invalid_json' | 'invalid_content_type' | 'invalid_value';

/**
 * An INVALID_ARGUMENT found by the REST edge before the core saw the request (JSON, content type, an
 * unknown or ill-typed field). Its violations already use the caller's spelling of the field.
 */
export class RestRequestError extends GatewayError {
  readonly openAiCode: EdgeErrorCode;
  constructor(code: EdgeErrorCode, message: string, violations: readonly FieldViolation[] = []) {
    super('INVALID_ARGUMENT', message, { violations });
    this.openAiCode = code;
  }
}

/** A RestRequestError listing every violation (already in the caller's spelling); the message names the
 *  first, like the core's invalidArgument. */
export function restInvalidArgument(violations: readonly FieldViolation[]): RestRequestError {
  const [first] = violations;
  if (first === undefined) throw new Error('restInvalidArgument needs at least one violation');
  return new RestRequestError('invalid_value', withMore(`${first.field}: ${first.description}`, violations.length - 1), violations);
}

function withMore(message: string, more: number): string {
  return more > 0 ? `${message} (and ${more} more problem${more > 1 ? 's' : ''})` : message;
}

/** Status, OpenAI `type` and stable lower-snake `code` of each reason. */
export function wireClassOf(reason: ErrorReason): WireClass {
  switch (reason) {
    // The request breaks a rule; message and `param` name the field. Never retried.
    case 'INVALID_ARGUMENT':
      return { status: 400, type: 'invalid_request_error', code: 'invalid_value' };
    // Unknown model name: NOT_FOUND → 404, with OpenAI's own code for it.
    case 'MODEL_NOT_FOUND':
      return { status: 404, type: 'invalid_request_error', code: 'model_not_found' };
    // No valid gateway key: 401 (WWW-Authenticate is added below), OpenAI's `invalid_api_key`.
    case 'UNAUTHENTICATED':
      return { status: 401, type: 'authentication_error', code: 'invalid_api_key' };
    // Body over HTTP_BODY_LIMIT_BYTES (RESOURCE_EXHAUSTED on gRPC; 413 is the precise HTTP status).
    case 'PAYLOAD_TOO_LARGE':
      return { status: 413, type: 'invalid_request_error', code: 'payload_too_large' };
    // Upstream IPM/RPM limit: RESOURCE_EXHAUSTED → 429, retryable (Retry-After).
    case 'RATE_LIMITED':
      return { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' };
    // Upstream quota used up: 429 like OpenAI's `insufficient_quota`, not retryable soon.
    case 'QUOTA_EXCEEDED':
      return { status: 429, type: 'insufficient_quota', code: 'insufficient_quota' };
    // Gateway concurrency cap: RESOURCE_EXHAUSTED → 429, retryable shortly.
    case 'CONCURRENCY_LIMITED':
      return { status: 429, type: 'rate_limit_error', code: 'concurrency_limit_exceeded' };
    // Moderation: FAILED_PRECONDITION → 400; type and code as OpenAI's image moderation (reference §4.4).
    case 'CONTENT_REJECTED':
      return { status: 400, type: 'image_generation_user_error', code: 'moderation_blocked' };
    // The gateway's own upstream credentials failed: the operator's problem, never the caller's 401.
    case 'UPSTREAM_AUTH_FAILED':
      return { status: 500, type: 'server_error', code: 'upstream_auth_failed' };
    // Upstream 5xx or unreachable: UNAVAILABLE → 503, retryable.
    case 'UPSTREAM_UNAVAILABLE':
      return { status: 503, type: 'server_error', code: 'upstream_unavailable' };
    // The upstream broke its protocol: INTERNAL → 500.
    case 'UPSTREAM_BAD_RESPONSE':
      return { status: 500, type: 'server_error', code: 'upstream_bad_response' };
    // The caller's deadline passed: DEADLINE_EXCEEDED → 504.
    case 'DEADLINE_EXCEEDED':
      return { status: 504, type: 'server_error', code: 'deadline_exceeded' };
    // The caller went away: CANCELLED → 499 (nobody reads it; it shows in logs and proxies).
    case 'CANCELLED':
      return { status: 499, type: 'invalid_request_error', code: 'request_cancelled' };
    // The instance is draining: 503 with Retry-After, so clients and balancers go elsewhere.
    case 'SHUTTING_DOWN':
      return { status: 503, type: 'server_error', code: 'shutting_down' };
    // An Idempotency-Key reused with a different request: 422, as the IETF Idempotency-Key draft says.
    case 'IDEMPOTENCY_CONFLICT':
      return { status: 422, type: 'invalid_request_error', code: 'idempotency_key_reused' };
    // Unknown, expired or another caller's job.
    case 'JOB_NOT_FOUND':
      return { status: 404, type: 'invalid_request_error', code: 'job_not_found' };
    // A gateway bug: 500 with a fixed message; the cause goes to the log only.
    case 'INTERNAL':
      return { status: 500, type: 'server_error', code: 'internal_error' };
    default: {
      const unreachable: never = reason;
      throw new Error(`unmapped error reason ${String(unreachable)}`);
    }
  }
}

/** Messages that must not carry upstream detail (DESIGN §4: nothing leaks). */
const fixedMessages: Partial<Record<ErrorReason, string>> = {
  UPSTREAM_AUTH_FAILED: 'the gateway could not authenticate with the image upstream; contact the gateway operator',
  INTERNAL: 'internal error',
};

/**
 * The response for `error`. `paramOf` renames a violation's domain field to the caller's spelling
 * (param-names.ts); edge errors already use it, and unknown names pass through unchanged.
 */
export function openAiErrorFromGatewayError(error: GatewayError, paramOf: (field: string) => string | null = (f) => f): HttpError {
  const wire = wireClassOf(error.reason);
  const first = error.violations[0];
  const param = first === undefined ? null : paramOf(first.field);
  let message = fixedMessages[error.reason] ?? error.message;
  if (error.reason === 'INVALID_ARGUMENT' && first !== undefined && !(error instanceof RestRequestError)) {
    // The core names domain fields (`referenceImages[2]`); say it as the caller wrote it (`image_input[2]`).
    message = withMore(`${param ?? first.field}: ${first.description}`, error.violations.length - 1);
  }
  const headers: Record<string, string> = {};
  if (error.reason === 'UNAUTHENTICATED') headers['www-authenticate'] = 'Bearer realm="seedream-gateway"';
  if (error.retryable) {
    // Seconds for every HTTP client; the OpenAI SDKs also read the more precise `retry-after-ms`.
    const ms = error.retryAfterMs ?? 1000;
    headers['retry-after'] = String(Math.max(1, Math.ceil(ms / 1000)));
    headers['retry-after-ms'] = String(Math.max(0, Math.round(ms)));
  }
  // The OpenAI SDKs retry 408, 409, 429 and 5xx unless told not to: a failure retrying cannot fix
  // (the upstream may already have accepted — and billed — the work) says so (DESIGN §10).
  if (!error.retryable && sdkRetriesStatus(wire.status)) headers['x-should-retry'] = 'false';
  if (error.upstream?.requestId !== undefined) headers['x-upstream-request-id'] = error.upstream.requestId;
  const code = error instanceof RestRequestError ? error.openAiCode : wire.code;
  return { status: wire.status, headers, envelope: { error: { message, type: wire.type, param, code } } };
}

/** Statuses the Stainless-generated OpenAI SDKs retry by default — and 422, the answer to a reused
 *  idempotency key, so no client's own retry rule re-sends it either (DESIGN §10). */
function sdkRetriesStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 422 || status === 429 || status >= 500;
}
