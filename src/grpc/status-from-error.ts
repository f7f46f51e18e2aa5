/**
 * GatewayError → gRPC status with `google.rpc` details (DESIGN §4, conventions C.4/C.5): the canonical
 * code from one switch, plus `ErrorInfo` (always), `BadRequest` (field violations, proto paths) and
 * `RetryInfo` (when retrying can help). The REST adapter maps the same reasons to the same codes.
 */
import { Status } from 'nice-grpc-common';
import { BadRequest, ErrorInfo, RetryInfo, RichServerError, type ErrorDetails } from 'nice-grpc-error-details';
import type { ErrorReason, GatewayError } from '../errors.js';
import type { ModelKey } from '../models/types.js';
import { protoFieldPath } from './field-paths.js';

/** `ErrorInfo.domain` of every error the gateway reports. */
export const ERROR_DOMAIN = 'seedream-gateway';

/** Retry delay suggested for retryable errors when the upstream gave none. */
export const DEFAULT_RETRY_DELAY_MS = 1000;

/** Fixed messages for reasons whose own message is not for callers. */
export const INTERNAL_MESSAGE = 'internal error';
export const UPSTREAM_AUTH_MESSAGE = 'the gateway could not authenticate with its upstream image service; contact the gateway operator';

/** The canonical status code of each reason. */
export function statusFromReason(reason: ErrorReason): Status {
  switch (reason) {
    // Bad input; the details name the field. Never worth retrying unchanged.
    case 'INVALID_ARGUMENT':
      return Status.INVALID_ARGUMENT;
    // An unknown model name is a missing resource (HTTP 404), not malformed input.
    case 'MODEL_NOT_FOUND':
      return Status.NOT_FOUND;
    // The caller's gateway key; never used for the gateway's own upstream credentials.
    case 'UNAUTHENTICATED':
      return Status.UNAUTHENTICATED;
    // grpc-js itself answers an oversize message with RESOURCE_EXHAUSTED; a too-large reference image agrees.
    case 'PAYLOAD_TOO_LARGE':
      return Status.RESOURCE_EXHAUSTED;
    // Upstream rate limit: RetryInfo carries the upstream's Retry-After.
    case 'RATE_LIMITED':
      return Status.RESOURCE_EXHAUSTED;
    // Account quota or spending cap: exhausted, but retryable=false so no RetryInfo.
    case 'QUOTA_EXCEEDED':
      return Status.RESOURCE_EXHAUSTED;
    // The gateway's own concurrency limits: retry shortly.
    case 'CONCURRENCY_LIMITED':
      return Status.RESOURCE_EXHAUSTED;
    // Moderation refused the input or every output: the request cannot succeed as it is (HTTP 400).
    case 'CONTENT_REJECTED':
      return Status.FAILED_PRECONDITION;
    // The operator's credentials were refused: the caller can do nothing about it (DESIGN §4).
    case 'UPSTREAM_AUTH_FAILED':
      return Status.INTERNAL;
    // Upstream 5xx, connection failure or timeout: retrying (elsewhere, later) may work.
    case 'UPSTREAM_UNAVAILABLE':
      return Status.UNAVAILABLE;
    // The upstream broke its protocol: a server-side fault, not the caller's.
    case 'UPSTREAM_BAD_RESPONSE':
      return Status.INTERNAL;
    // The caller's deadline passed (upstream work may still be billed, conventions C.4).
    case 'DEADLINE_EXCEEDED':
      return Status.DEADLINE_EXCEEDED;
    // The caller went away; the status mostly reaches nobody, but must not read as a server fault.
    case 'CANCELLED':
      return Status.CANCELLED;
    // This instance is draining: another instance (or this one's successor) can take the call.
    case 'SHUTTING_DOWN':
      return Status.UNAVAILABLE;
    // AIP-155: a request id reused with a different request.
    case 'IDEMPOTENCY_CONFLICT':
      return Status.ALREADY_EXISTS;
    // Unknown, expired or another caller's job: indistinguishable on purpose.
    case 'JOB_NOT_FOUND':
      return Status.NOT_FOUND;
    // A bug: fixed message on the wire, the cause in the log.
    case 'INTERNAL':
      return Status.INTERNAL;
    default: {
      const unreachable: never = reason;
      throw new Error(`unknown error reason ${String(unreachable)}`);
    }
  }
}

/**
 * The message callers see: the error's own (safe by construction), or a fixed one where it is not. A
 * validation message names its field by the domain path first (`imageSet.maxImages: …`); gRPC callers
 * get the proto path they wrote instead (`spec.seedream_4_5.image_set.max_images: …`).
 */
export function publicMessage(error: GatewayError, model: ModelKey | undefined): string {
  if (error.reason === 'INTERNAL') return INTERNAL_MESSAGE;
  if (error.reason === 'UPSTREAM_AUTH_FAILED') return UPSTREAM_AUTH_MESSAGE;
  const first = error.violations[0];
  if (first !== undefined && error.message.startsWith(`${first.field}: `)) {
    return `${protoFieldPath(first.field, model)}${error.message.slice(first.field.length)}`;
  }
  return error.message;
}

/**
 * The status to send for a GatewayError. `model` is the request's oneof member, so field violations
 * can be named by their proto path (`spec.seedream_4_5.size`); `redact` scrubs every outgoing string.
 */
export function serverErrorFromGatewayError(
  error: GatewayError,
  model: ModelKey | undefined,
  redact: (text: string) => string = (text) => text,
): RichServerError {
  const details: ErrorDetails[] = [errorInfoOf(error, redact)];
  if (error.violations.length > 0) {
    details.push(
      BadRequest.fromPartial({
        fieldViolations: error.violations.map((v) => ({ field: protoFieldPath(v.field, model), description: redact(v.description) })),
      }),
    );
  }
  if (error.retryable) {
    const delayMs = Math.max(0, error.retryAfterMs ?? DEFAULT_RETRY_DELAY_MS);
    details.push(
      RetryInfo.fromPartial({ retryDelay: { seconds: Math.floor(delayMs / 1000), nanos: (delayMs % 1000) * 1_000_000 } }),
    );
  }
  return new RichServerError(statusFromReason(error.reason), redact(publicMessage(error, model)), details);
}

function errorInfoOf(error: GatewayError, redact: (text: string) => string): ErrorInfo {
  const metadata: Record<string, string> = {};
  const upstream = error.upstream;
  // Upstream facts help callers quote a request id to the provider; internal reasons carry none of them.
  if (upstream !== undefined && error.reason !== 'INTERNAL') {
    if (upstream.code !== undefined) metadata.upstream_code = redact(upstream.code);
    if (upstream.requestId !== undefined) metadata.upstream_request_id = redact(upstream.requestId);
    if (upstream.status !== undefined) metadata.upstream_status = String(upstream.status);
  }
  return ErrorInfo.fromPartial({ reason: error.reason, domain: ERROR_DOMAIN, metadata });
}
