/**
 * One planned upstream request, with retries. Yields the upstream's events tagged with the request's
 * position among the `n` fanned-out requests. A failure of this request alone does not throw: it ends
 * with a `failed` outcome, so sibling requests keep going. Only the call's own end (cancel, deadline)
 * throws.
 *
 * Retries happen only before this request produced its first event (DESIGN §4): once an image of it may
 * have reached the caller, repeating the request could duplicate or re-bill images. Failures of the
 * upstream's own making (`retryable` image failures, e.g. InternalServiceError on image 0) are held
 * until the attempt's first image: an attempt that ends with only such failures delivered nothing, so
 * it is retried like a failed request (issue 10) — nothing of it reached the caller, nothing was billed.
 * Held failures are passed on, in order, before the first image or with `completed` when retries are
 * used up.
 */
import { GatewayError, toGatewayError } from '../errors.js';
import type { CancelSignal } from '../cancel-signal.js';
import type { AttemptRoute, ImageUpstream, UpstreamEvent, UpstreamImageRequest } from '../upstream/types.js';
import type { UpstreamWaitClock } from '../telemetry/call-overhead.js';
import type { GenerationTelemetry } from './core-telemetry.js';
import { nextAttemptDelay } from './failover.js';
import { sleep, type RetryPolicy } from './retry-policy.js';

export type RequestOutcome =
  | { readonly kind: 'event'; readonly requestIndex: number; readonly event: UpstreamEvent }
  | { readonly kind: 'failed'; readonly requestIndex: number; readonly error: GatewayError };

export interface UpstreamRequestRun {
  readonly upstream: ImageUpstream;
  readonly request: UpstreamImageRequest;
  readonly requestIndex: number;
  /** Aborted when the call ends (cancel, deadline, consumer gone); its reason is a GatewayError. */
  readonly signal: CancelSignal;
  readonly retry: RetryPolicy;
  /** Upper bound of one attempt (config UPSTREAM_TIMEOUT_MS). */
  readonly attemptTimeoutMs: number;
  /** The time (epoch ms) by which the upstream work must end: the caller's deadline minus the margin. */
  readonly upstreamDeadline: number | undefined;
  readonly now: () => number;
  readonly random: () => number;
  /** Span per attempt; its context travels upstream as `traceparent`. */
  readonly telemetry: GenerationTelemetry;
  /** Told the channel of each attempt (src/channels/ routing), for usage accounting. */
  readonly onChannel?: (requestIndex: number, channel: string) => void;
  /** Told of every wait on the upstream (the call's overhead signal). */
  readonly wait?: UpstreamWaitClock;
}

export async function* runUpstreamRequest(run: UpstreamRequestRun): AsyncGenerator<RequestOutcome> {
  const { requestIndex, signal } = run;
  // Channel routing state across this request's attempts (failover to keys not tried yet).
  const route: AttemptRoute = { tried: new Set() };
  for (let attempt = 1; ; attempt += 1) {
    let produced = false;
    const span = run.telemetry.startAttempt(attempt);
    let ended = false;
    // Each outcome names the channel itself (undefined without routing): no copy of it to add one.
    const endSpan = (outcome: Parameters<typeof span.end>[0]) => {
      if (!ended) span.end(outcome);
      ended = true;
    };
    try {
      const timeoutMs = attemptTimeout(run);
      const events = run.upstream.generate(run.request, { signal, timeoutMs, headers: span.headers, route, wait: run.wait });
      let requestId: string | undefined;
      const held: UpstreamEvent[] = [];
      for await (const event of events) {
        if (!produced && event.type === 'failure' && event.retryable === true) {
          held.push(event);
          continue;
        }
        if (event.type === 'completed') {
          requestId = event.requestId;
          run.telemetry.noteRequestId(requestId);
          if (!produced && held.length > 0) nothingButPassingFailures([...held, event], requestId);
        }
        if (!produced && route.channel !== undefined) run.onChannel?.(requestIndex, route.channel);
        produced = true;
        for (const failure of held.splice(0)) yield { kind: 'event', requestIndex, event: failure };
        yield { kind: 'event', requestIndex, event };
      }
      endSpan({ ok: true, requestId, channel: route.channel });
      return;
    } catch (thrown) {
      if (signal.aborted) {
        endSpan({ ok: false, error: toGatewayError(signal.reason), channel: route.channel });
        throw signal.reason;
      }
      const error = pastDeadline(run) ?? toGatewayError(thrown instanceof PassingFailuresOnly ? thrown.error : thrown);
      if (route.channel !== undefined) run.onChannel?.(requestIndex, route.channel);
      endSpan({ ok: false, error, channel: route.channel });
      run.telemetry.noteRequestId(error.upstream?.requestId);
      const delay = produced ? undefined : nextAttemptDelay(run.retry, attempt, error, route, run.random);
      if (delay === undefined || !fitsDeadline(run, delay)) {
        // Out of retries for an attempt that failed only its images: they are what the caller gets.
        if (thrown instanceof PassingFailuresOnly && error === thrown.error) {
          for (const event of thrown.events) yield { kind: 'event', requestIndex, event };
          return;
        }
        yield { kind: 'failed', requestIndex, error };
        return;
      }
      await sleep(delay, signal);
    } finally {
      // The consumer stopped reading mid-attempt (the call ended): the attempt was cut short.
      if (!ended) endSpan({ ok: false, error: toGatewayError(signal.aborted ? signal.reason : CALL_ENDED), channel: route.channel });
    }
  }
}

/** The reason an attempt or call is closed when its consumer is gone. Shared: it never reaches a caller,
 *  and building an Error (with its stack) on every call's normal end costs measurable CPU (DESIGN §8). */
export const CALL_ENDED = new GatewayError('CANCELLED', 'the call ended');

/** The time one attempt may take: the configured cap, or less when the deadline is closer. */
function attemptTimeout(run: UpstreamRequestRun): number {
  if (run.upstreamDeadline === undefined) return run.attemptTimeoutMs;
  const remaining = run.upstreamDeadline - run.now();
  if (remaining <= 0) throw deadlineError();
  return Math.min(run.attemptTimeoutMs, remaining);
}

/** A failure at or after the deadline is the deadline's doing, whatever the upstream client reported. */
function pastDeadline(run: UpstreamRequestRun): GatewayError | undefined {
  return run.upstreamDeadline !== undefined && run.now() >= run.upstreamDeadline ? deadlineError() : undefined;
}

/** A retry is pointless if, after the delay, less than a second would be left for the attempt. */
function fitsDeadline(run: UpstreamRequestRun, delayMs: number): boolean {
  return run.upstreamDeadline === undefined || run.now() + delayMs + 1000 < run.upstreamDeadline;
}

/** An attempt that completed with only retryable image failures: its events (`completed` last), and
 *  the error it counts as for the retry policy. */
class PassingFailuresOnly extends Error {
  constructor(
    readonly events: readonly UpstreamEvent[],
    readonly error: GatewayError,
  ) {
    super(error.message);
  }
}

function nothingButPassingFailures(held: UpstreamEvent[], requestId: string | undefined): never {
  const first = held[0];
  const code = first?.type === 'failure' ? first.code : undefined;
  const error = new GatewayError('UPSTREAM_UNAVAILABLE', 'the upstream failed every image of the request with an internal error', {
    retryable: true,
    upstream: { ...(code !== undefined && { code }), ...(requestId !== undefined && { requestId }) },
  });
  throw new PassingFailuresOnly(held, error);
}

export function deadlineError(): GatewayError {
  return new GatewayError('DEADLINE_EXCEEDED', 'the deadline passed before the images were generated');
}
