/**
 * What every ImageService (and UsageService) call goes through inside the tracing middleware, in this
 * order: authentication (auth-middleware.ts) → the call's log line (call-log-middleware.ts) → the
 * request checks and the call signal (request-checks.ts) → the handler. One middleware calling three
 * functions rather than three nice-grpc middlewares: each middleware is an async generator around the
 * call plus a spread of the call context, ≈ 11 µs and ≈ 2–3 KiB of garbage per call per layer
 * (issue 15). The effects keep the order the separate middlewares had: a refused caller is neither
 * logged as a call nor checked; a call refused by the checks is logged with its status; the request's
 * bytes are released, and its signal unlinked, before the line is written.
 */
import type { CallContext, ServerMiddleware, ServerMiddlewareCall } from 'nice-grpc-common';
import type { KeyVerifier } from '../auth/api-keys.js';
import { isGatewayError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import { authenticateCall, type CallerContext } from './auth-middleware.js';
import { logCall, type CallLogStart } from './call-log-middleware.js';
import { admitRequest, type AdmittedCall, type CallSignalExt, type RequestChecksDeps } from './request-checks.js';
import { statusNameOf } from './status-name.js';
import type { TraceContextExt } from './tracing-middleware.js';

export interface ImageCallMiddlewareDeps {
  readonly verifier: KeyVerifier;
  readonly logger: Logger;
  readonly checks: RequestChecksDeps;
  /** Clock of the log line's `durationMs`. */
  readonly now?: () => number;
}

/** Creates the middleware; attach it inside tracing. Handlers read `caller` and `callSignal`. */
export function createImageCallMiddleware(deps: ImageCallMiddlewareDeps): ServerMiddleware<CallerContext & CallSignalExt, TraceContextExt> {
  const { verifier, logger, checks } = deps;
  const now = deps.now ?? Date.now;
  return async function* imageCall<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, CallerContext & CallSignalExt>,
    context: CallContext & TraceContextExt,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const method = call.method.path;
    const caller = authenticateCall(verifier, logger, method, context);
    const start: CallLogStart = { started: now(), traceContext: context.traceContext, method, keyName: caller.keyName, request: call.request };
    let status = 'CANCELLED'; // unless set below: the call stopped at a `yield` because the client went away
    let reason: string | undefined;
    let admitted: AdmittedCall | undefined;
    try {
      admitted = admitRequest(checks, call.request, context.signal);
      const result = yield* call.next(call.request, { ...context, caller, callSignal: admitted.callSignal });
      status = 'OK';
      return result;
    } catch (error) {
      status = statusNameOf(error, context.signal.aborted);
      if (isGatewayError(error)) reason = error.reason;
      throw error;
    } finally {
      admitted?.release();
      logCall(logger, now(), start, status, reason);
    }
  };
}
