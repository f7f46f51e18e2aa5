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
 * Run by the image-call middleware (image-call-middleware.ts) after authentication, so an unknown
 * caller learns nothing more.
 */
import { CancelController, type CancelSignal } from '../cancel-signal.js';
import { GatewayError } from '../errors.js';
import type { Lifecycle } from '../lifecycle.js';
import { bodyBudgetExceeded, type BodyBudget, type BodyReservation } from '../rest/body-budget.js';
import { MalformedRequest, wireSizeOf } from './service-definition.js';

export interface RequestChecksDeps {
  readonly budget: BodyBudget;
  readonly lifecycle: Lifecycle;
  /** Aborted (with SHUTTING_DOWN) when the shutdown grace runs out: running calls end with it. */
  readonly shutdownSignal?: CancelSignal;
}

/** What the checks add to the call context: handlers read this signal, not `context.signal`. */
export interface CallSignalExt {
  readonly callSignal: CancelSignal;
}

/** A call that passed the checks: its signal, and what to undo when it ends (`release`, once). */
export interface AdmittedCall {
  readonly callSignal: CancelSignal;
  release(): void;
}

/** Checks `request` and reserves its bytes; throws the caller's status when a check fails. */
export function admitRequest(deps: RequestChecksDeps, request: unknown, signal: AbortSignal): AdmittedCall {
  if (request instanceof MalformedRequest) {
    throw new GatewayError('INVALID_ARGUMENT', `the request message is not a valid ${request.typeName}: ${request.problem}`);
  }
  if (!deps.lifecycle.serving) {
    throw new GatewayError('SHUTTING_DOWN', 'the gateway is shutting down; retry on another instance', { retryAfterMs: 1000 });
  }
  const bytes = wireSizeOf(request);
  const reservation = deps.budget.tryReserve(bytes);
  if (reservation === undefined) throw bodyBudgetExceeded(deps.budget, bytes);
  const { shutdownSignal } = deps;
  if (shutdownSignal === undefined) return new PlainAdmission(signal, reservation);
  return new ShutdownAwareAdmission(signal, shutdownSignal, reservation);
}

/** Without a shutdown signal the call's own signal is the call signal. */
class PlainAdmission implements AdmittedCall {
  constructor(
    readonly callSignal: CancelSignal,
    private readonly reservation: BodyReservation,
  ) {}

  release(): void {
    this.reservation.release();
  }
}

/** The call's signal, also aborted by the shutdown with its reason (listeners, not AbortSignal.any,
 *  which would tie every call to the long-lived shutdown signal). */
class ShutdownAwareAdmission implements AdmittedCall {
  readonly callSignal: CancelController;

  constructor(
    private readonly caller: AbortSignal,
    private readonly shutdown: CancelSignal,
    private readonly reservation: BodyReservation,
  ) {
    const controller = new CancelController();
    this.callSignal = controller;
    if (caller.aborted) controller.abort(caller.reason);
    caller.addEventListener('abort', this.onCallerAbort, { once: true });
    shutdown.addEventListener('abort', this.onShutdown, { once: true });
  }

  private readonly onCallerAbort = (): void => this.callSignal.abort(this.caller.reason);
  private readonly onShutdown = (): void => this.callSignal.abort(this.shutdown.reason);

  release(): void {
    this.caller.removeEventListener('abort', this.onCallerAbort);
    this.shutdown.removeEventListener('abort', this.onShutdown);
    this.reservation.release();
  }
}
