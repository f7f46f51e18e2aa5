/**
 * The gateway's one error type. Every failure the gateway knows about is a `GatewayError` with a
 * reason from a closed set; the edges map reasons to gRPC status codes (src/grpc/) and HTTP statuses
 * with the OpenAI envelope (src/rest/), each in one switch. Anything else that escapes is an internal
 * error: its detail goes to the log and the caller gets a fixed message.
 */

/** The closed set of failure reasons. Stable: clients switch on them (gRPC `ErrorInfo.reason`). */
export type ErrorReason =
  | 'INVALID_ARGUMENT'
  | 'MODEL_NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'QUOTA_EXCEEDED'
  | 'CONCURRENCY_LIMITED'
  | 'CONTENT_REJECTED'
  | 'UPSTREAM_AUTH_FAILED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_BAD_RESPONSE'
  | 'DEADLINE_EXCEEDED'
  | 'CANCELLED'
  | 'SHUTTING_DOWN'
  | 'IDEMPOTENCY_CONFLICT'
  | 'JOB_NOT_FOUND'
  | 'INTERNAL';

interface ReasonMeaning {
  /** What the reason means, for README and for whoever reads the code. */
  readonly meaning: string;
  /** Whether the same call may succeed if retried unchanged (later). */
  readonly retryable: boolean;
  /** Whether the failure is the caller's (bad input, auth) rather than the gateway's or upstream's. */
  readonly callerFault: boolean;
}

/** The one table of what each reason means. */
export const errorReasons: Readonly<Record<ErrorReason, ReasonMeaning>> = Object.freeze({
  INVALID_ARGUMENT: {
    meaning: 'The request breaks a rule (for the model, or of the API); the error names the field.',
    retryable: false,
    callerFault: true,
  },
  MODEL_NOT_FOUND: {
    meaning: 'The model name is not in the catalog, or the upstream does not serve it to this gateway.',
    retryable: false,
    callerFault: true,
  },
  UNAUTHENTICATED: {
    meaning: 'The caller presented no valid gateway key.',
    retryable: false,
    callerFault: true,
  },
  PAYLOAD_TOO_LARGE: {
    meaning: 'The request body or message exceeds the configured size limit.',
    retryable: false,
    callerFault: true,
  },
  RATE_LIMITED: {
    meaning: "A rate limit was hit — the upstream's, every channel's images per minute, or the caller key's own requests/images per minute; retry after the delay.",
    retryable: true,
    callerFault: false,
  },
  QUOTA_EXCEEDED: {
    meaning: "The upstream account quota, or the caller key's daily/monthly budget, is used up; a budget refusal carries the delay until it resets.",
    retryable: false,
    callerFault: false,
  },
  CONCURRENCY_LIMITED: {
    meaning: 'Too many generations are running (for this key or in total); retry shortly.',
    retryable: true,
    callerFault: false,
  },
  CONTENT_REJECTED: {
    meaning: 'Upstream moderation rejected the prompt, a reference image or every generated image.',
    retryable: false,
    callerFault: true,
  },
  UPSTREAM_AUTH_FAILED: {
    meaning:
      "The upstream refused the gateway's own credentials or account (key, billing, activation): an operator problem.",
    retryable: false,
    callerFault: false,
  },
  UPSTREAM_UNAVAILABLE: {
    meaning: 'The upstream failed or could not be reached (5xx, connection error, timeout).',
    retryable: true,
    callerFault: false,
  },
  UPSTREAM_BAD_RESPONSE: {
    meaning: 'The upstream answered with something that does not follow its protocol.',
    retryable: false,
    callerFault: false,
  },
  DEADLINE_EXCEEDED: {
    meaning: "The caller's deadline passed before the generation finished.",
    retryable: false,
    callerFault: false,
  },
  CANCELLED: {
    meaning: 'The caller cancelled the call or went away.',
    retryable: false,
    callerFault: true,
  },
  SHUTTING_DOWN: {
    meaning: 'The gateway instance is shutting down (drain window, or the grace period ran out); retry on another instance.',
    retryable: true,
    callerFault: false,
  },
  IDEMPOTENCY_CONFLICT: {
    meaning: 'The idempotency key (Idempotency-Key / request_id) was already used by this caller for a different request.',
    retryable: false,
    callerFault: true,
  },
  JOB_NOT_FOUND: {
    meaning: 'No job with this id exists for this caller (never created, expired, or another caller\'s).',
    retryable: false,
    callerFault: true,
  },
  INTERNAL: {
    meaning: 'A bug or unexpected state in the gateway; details are in its log only.',
    retryable: false,
    callerFault: false,
  },
});

/** One invalid field. `field` is a domain path (`referenceImages[2]`, `imageSet.maxImages`); each edge
 *  renames it to its wire spelling. */
export interface FieldViolation {
  readonly field: string;
  readonly description: string;
}

/** What the upstream said, kept for error details, logs and traces. Never holds credentials. */
export interface UpstreamErrorInfo {
  /** HTTP status of the upstream answer, when there was one. */
  readonly status?: number;
  /** Upstream error code, e.g. `ModelAccountIpmRateLimitExceeded`. */
  readonly code?: string;
  /** Upstream `x-request-id`. */
  readonly requestId?: string;
}

export interface GatewayErrorOptions {
  readonly violations?: readonly FieldViolation[];
  /** Overrides the reason's default retryability. */
  readonly retryable?: boolean;
  /** How long to wait before retrying, when known (upstream `Retry-After`). */
  readonly retryAfterMs?: number;
  readonly upstream?: UpstreamErrorInfo;
  readonly cause?: unknown;
}

/** The gateway's error: a reason from the closed set, a message safe to show to callers, and details. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly reason: ErrorReason;
  readonly violations: readonly FieldViolation[];
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly upstream: UpstreamErrorInfo | undefined;

  constructor(reason: ErrorReason, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = reason;
    this.violations = options.violations ?? [];
    this.retryable = options.retryable ?? errorReasons[reason].retryable;
    this.retryAfterMs = options.retryAfterMs;
    this.upstream = options.upstream;
  }

  /** The first offending field, if any. */
  get field(): string | undefined {
    return this.violations[0]?.field;
  }
}

/** An INVALID_ARGUMENT error listing every violation; the message names the first. */
export function invalidArgument(violations: readonly FieldViolation[]): GatewayError {
  const [first, ...rest] = violations;
  if (first === undefined) throw new Error('invalidArgument needs at least one violation');
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? 's' : ''})` : '';
  return new GatewayError('INVALID_ARGUMENT', `${first.field}: ${first.description}${more}`, { violations });
}

export function isGatewayError(error: unknown): error is GatewayError {
  return error instanceof GatewayError;
}

/** Any thrown value as a GatewayError: known errors pass through, anything else becomes INTERNAL with a
 *  fixed message (the original stays in `cause`, for the log only). */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError('INTERNAL', 'internal error', { cause: error });
}
