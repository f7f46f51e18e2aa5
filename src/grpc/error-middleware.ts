/**
 * The one place where errors leave the gRPC edge. A GatewayError becomes its canonical status with
 * `google.rpc` details; anything unknown becomes INTERNAL "internal error" with the cause in the log
 * only; nice-grpc's own ServerErrors and aborts pass through. Every outgoing string is scrubbed of the
 * configured secrets and cut to its first line, so neither keys nor stack traces reach a caller (§9).
 */
import { ServerError, type CallContext, type ServerMiddleware, type ServerMiddlewareCall } from 'nice-grpc-common';
import { toGatewayError, type GatewayError } from '../errors.js';
import type { ModelKey } from '../models/types.js';
import type { Logger } from '../telemetry/logger.js';
import { modelKeyOfCase } from '../contract/spec-from-proto.js';
import { serverErrorFromGatewayError } from './status-from-error.js';

export interface ErrorMiddlewareOptions {
  readonly logger: Logger;
  /** Strings that must never appear in a status message or detail (the upstream key). */
  readonly secrets?: readonly string[];
}

/** Longest status message sent; longer ones are cut (messages are for humans, details for machines). */
const MAX_MESSAGE_CHARS = 1024;

/** Creates the error-mapping middleware. Attach it outside every service. */
export function createErrorMiddleware(options: ErrorMiddlewareOptions): ServerMiddleware {
  const redact = createRedactor(options.secrets ?? []);
  const { logger } = options;
  return async function* errorMiddleware<Request, Response>(
    call: ServerMiddlewareCall<Request, Response>,
    context: CallContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    try {
      return yield* call.next(call.request, context);
    } catch (thrown) {
      // Already a status (nice-grpc's own, or health's NOT_FOUND), or the call was aborted: as is.
      if (thrown instanceof ServerError || isAbortError(thrown)) throw thrown;
      const error = toGatewayError(thrown);
      logServerFault(logger, call.method.path, error, thrown);
      throw serverErrorFromGatewayError(error, modelKeyOfRequest(call.request), redact);
    }
  };
}

/** Server-side faults go to the log with their cause; caller faults are only counted by the call log. */
function logServerFault(logger: Logger, method: string, error: GatewayError, thrown: unknown): void {
  switch (error.reason) {
    case 'INTERNAL':
      logger.error({ method, err: error.cause ?? thrown }, 'internal error');
      return;
    case 'UPSTREAM_AUTH_FAILED':
      logger.error({ method, upstream: error.upstream, err: error }, 'the upstream refused the gateway credentials');
      return;
    case 'UPSTREAM_BAD_RESPONSE':
      logger.warn({ method, upstream: error.upstream, err: error }, 'the upstream answered outside its protocol');
      return;
    default:
      return;
  }
}

/** The model oneof member of a generation request, read before conversion so that field violations
 *  get the proto path of the options message the caller actually wrote. */
export function modelKeyOfRequest(request: unknown): ModelKey | undefined {
  if (typeof request !== 'object' || request === null || !('spec' in request)) return undefined;
  const spec = request.spec;
  if (typeof spec !== 'object' || spec === null || !('model' in spec)) return undefined;
  const model = spec.model;
  if (typeof model !== 'object' || model === null || !('$case' in model)) return undefined;
  const member = model.$case;
  return typeof member === 'string' && Object.hasOwn(modelKeyOfCase, member)
    ? modelKeyOfCase[member as keyof typeof modelKeyOfCase]
    : undefined;
}

/** Replaces every secret, keeps the first line only (no stack frames) and bounds the length. */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  // Short strings would redact ordinary words; real keys are long.
  const patterns = secrets.filter((s) => s.length >= 8);
  return (text) => {
    let out = text.split('\n', 1)[0] ?? '';
    for (const secret of patterns) out = out.split(secret).join('[redacted]');
    return out.length > MAX_MESSAGE_CHARS ? `${out.slice(0, MAX_MESSAGE_CHARS - 1)}…` : out;
  };
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}
