/**
 * One log line per ImageService call (DESIGN §6): method, caller key name, model, outcome and duration.
 * Runs behind auth (it needs the caller) and inside the error middleware (it sees the domain error, and
 * names the status the error middleware will send).
 */
import { ServerError, Status, type CallContext, type ServerMiddleware, type ServerMiddlewareCall } from 'nice-grpc-common';
import { isGatewayError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import type { CallerContext } from './auth-middleware.js';
import { modelKeyOfRequest } from './error-middleware.js';
import { statusFromReason } from './status-from-error.js';

/** Creates the call-log middleware. */
export function createCallLogMiddleware(logger: Logger, now: () => number = Date.now): ServerMiddleware<{}, CallerContext> {
  return async function* callLogMiddleware<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, CallerContext>,
    context: CallContext & CallerContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const started = now();
    const fields = { method: call.method.path, keyName: context.caller.keyName, model: modelKeyOfRequest(call.request) };
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

function statusNameOf(error: unknown, aborted: boolean): string {
  if (isGatewayError(error)) return Status[statusFromReason(error.reason)];
  if (error instanceof ServerError) return Status[error.code];
  return aborted ? 'CANCELLED' : 'INTERNAL';
}
