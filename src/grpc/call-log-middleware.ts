/**
 * One log line per ImageService call (DESIGN §6): method, caller key name, model, outcome and duration.
 * Runs behind auth (it needs the caller) and inside the error middleware (it sees the domain error, and
 * names the status the error middleware will send).
 */
import type { CallContext, ServerMiddleware, ServerMiddlewareCall } from 'nice-grpc-common';
import { isGatewayError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import { traceIdsOf } from '../telemetry/trace-context.js';
import type { CallerContext } from './auth-middleware.js';
import { modelKeyOfRequest } from './error-middleware.js';
import { statusNameOf } from './status-name.js';
import type { TraceContextExt } from './tracing-middleware.js';

/** Creates the call-log middleware. */
export function createCallLogMiddleware(logger: Logger, now: () => number = Date.now): ServerMiddleware<{}, CallerContext & TraceContextExt> {
  return async function* callLogMiddleware<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, CallerContext & TraceContextExt>,
    context: CallContext & CallerContext & TraceContextExt,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const started = now();
    const fields = { ...traceIdsOf(context.traceContext), method: call.method.path, keyName: context.caller.keyName, model: modelKeyOfRequest(call.request) };
    let status = 'CANCELLED'; // unless set below: the call stopped at a `yield` because the client went away
    let reason: string | undefined;
    try {
      const result = yield* call.next(call.request, context);
      status = 'OK';
      return result;
    } catch (error) {
      status = statusNameOf(error, context.signal.aborted);
      if (isGatewayError(error)) reason = error.reason;
      throw error;
    } finally {
      logger.info({ ...fields, status, reason, durationMs: now() - started }, 'call');
    }
  };
}
