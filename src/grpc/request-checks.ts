/**
 * Checks every ImageService call passes before its handler runs (DESIGN §9), each with the caller's
 * status rather than a server fault:
 * - bytes that did not decode as the request message: INVALID_ARGUMENT (grpc-js would say INTERNAL);
 * - the instance is draining: UNAVAILABLE (SHUTTING_DOWN), so the caller retries elsewhere;
 * - the request message does not fit the in-flight body budget shared with REST: RESOURCE_EXHAUSTED,
 *   retryable. The message is held for the whole call, so its bytes are released when the call ends;
 * and hands the handler `callSignal`: the call's cancellation, also aborted by the shutdown past its
 * grace with SHUTTING_DOWN. A CancelController rather than an AbortController (cancel-signal.ts: one
 * AbortController and the listener the core adds on its signal cost ~10–15 µs of a unary call).
 */
import type { CallContext, ServerMiddleware, ServerMiddlewareCall } from 'nice-grpc-common';
import { CancelController, type CancelSignal } from '../cancel-signal.js';
import { GatewayError } from '../errors.js';
import type { Lifecycle } from '../lifecycle.js';
import { bodyBudgetExceeded, type BodyBudget } from '../rest/body-budget.js';
import { MalformedRequest, wireSizeOf } from './service-definition.js';

export interface RequestChecksDeps {
  readonly budget: BodyBudget;
  readonly lifecycle: Lifecycle;
  /** Aborted (with SHUTTING_DOWN) when the shutdown grace runs out: running calls end with it. */
  readonly shutdownSignal?: CancelSignal;
}

/** What the middleware adds to the call context: handlers read this signal, not `context.signal`. */
export interface CallSignalExt {
  readonly callSignal: CancelSignal;
}

/** Creates the middleware; attach it inside auth, so an unknown caller learns nothing more. */
export function createRequestChecksMiddleware(deps: RequestChecksDeps): ServerMiddleware<CallSignalExt> {
  const { budget, lifecycle } = deps;
  return async function* requestChecks<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, CallSignalExt>,
    context: CallContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const request: unknown = call.request;
    if (request instanceof MalformedRequest) {
      throw new GatewayError('INVALID_ARGUMENT', `the request message is not a valid ${request.typeName}: ${request.problem}`);
    }
    if (!lifecycle.serving) {
      throw new GatewayError('SHUTTING_DOWN', 'the gateway is shutting down; retry on another instance', { retryAfterMs: 1000 });
    }
    const bytes = wireSizeOf(request);
    const reservation = budget.tryReserve(bytes);
    if (reservation === undefined) throw bodyBudgetExceeded(budget, bytes);
    const { shutdownSignal } = deps;
    if (shutdownSignal === undefined) {
      try {
        return yield* call.next(call.request, { ...context, callSignal: context.signal });
      } finally {
        reservation.release();
      }
    }
    // The call's signal, also aborted by the shutdown with its reason (listeners, not AbortSignal.any,
    // which would tie every call to the long-lived shutdown signal).
    const controller = new CancelController();
    if (context.signal.aborted) controller.abort(context.signal.reason);
    const onCallerAbort = () => controller.abort(context.signal.reason);
    const onShutdown = () => controller.abort(shutdownSignal.reason);
    context.signal.addEventListener('abort', onCallerAbort, { once: true });
    shutdownSignal.addEventListener('abort', onShutdown, { once: true });
    try {
      return yield* call.next(call.request, { ...context, callSignal: controller });
    } finally {
      context.signal.removeEventListener('abort', onCallerAbort);
      shutdownSignal.removeEventListener('abort', onShutdown);
      reservation.release();
    }
  };
}
