/**
 * Runs a validated plan: fans the upstream request out `n` times with bounded concurrency, numbers the
 * images uniquely, inserts heartbeats, accounts usage, and decides the outcome (DESIGN §4):
 * - images are yielded the moment they arrive;
 * - failures (a moderated image, a request that failed after retries) are events once at least one image
 *   has been delivered; before that they are held, because the call fails as a whole when nothing can be
 *   delivered — then the caller gets one error instead of a stream of failures;
 * - a deterministic failure (not retryable) before any image ends the call at once: every request carries
 *   the same input, so the others would fail the same way;
 * - cancel and deadline abort every upstream request through one AbortSignal.
 */
import type { Context } from '@opentelemetry/api';
import { GatewayError, isGatewayError, toGatewayError } from '../errors.js';
import type { PriceTable } from '../models/pricing.js';
import { CancelController } from '../cancel-signal.js';
import type { ImageUpstream, UpstreamEvent, UpstreamImage } from '../upstream/types.js';
import { startGenerationTelemetry, type CoreTelemetry } from './core-telemetry.js';
import type { AdmittedCall } from './call-admission.js';
import { HeartbeatPacer, TICK } from './heartbeats.js';
import { mergeBounded } from './merge.js';
import type { GenerationPlan } from './plan-generation.js';
import type { RetryPolicy } from './retry-policy.js';
import { CALL_ENDED, deadlineError, runUpstreamRequest, type RequestOutcome } from './upstream-request.js';
import type { DeliveredImage, GenerateContext, GenerationEvent, ImageFailure, ImageFailureKind } from './types.js';
import { createUsageMeter } from './usage-meter.js';

export interface RunDeps {
  readonly upstream: ImageUpstream;
  readonly retry: RetryPolicy;
  readonly attemptTimeoutMs: number;
  readonly deadlineMarginMs: number;
  readonly fanoutConcurrency: number;
  readonly heartbeatIntervalMs: number;
  readonly prices: PriceTable;
  readonly now: () => number;
  readonly random: () => number;
  readonly telemetry: CoreTelemetry;
}

/** Upstream URLs live 24 hours (reference §2); used when the upstream client could not tell. */
const URL_LIFETIME_MS = 24 * 3600_000;

/**
 * Runs `plan`; `parent` is the trace context of the edge's span, captured when the call was made.
 * `admit`, when given, is called first (the concurrency slot and accounting, call-admission.ts): it is
 * told every event given to the caller and ended after everything else, as a wrapper around the run
 * would be — without the generator layer a wrapper costs.
 */
export async function* runGeneration(
  plan: GenerationPlan,
  ctx: GenerateContext,
  deps: RunDeps,
  parent: Context,
  admit?: () => Promise<AdmittedCall>,
): AsyncGenerator<GenerationEvent> {
  const admitted = admit === undefined ? undefined : await admit();
  // Every event given to the caller passes here: accounting sees it (a `completed` marks success).
  const given = <E extends GenerationEvent>(event: E): E => {
    admitted?.observe(event);
    return event;
  };
  try {
    const started = deps.now();
    const telemetry = startGenerationTelemetry(deps.telemetry, parent, plan, deps.upstream, ctx.caller.keyName, deps.now);
    let finished = false;
    // One plain controller for every upstream request of the call (cancel-signal.ts: an AbortController
    // and its listeners cost tens of µs per call on Node 20).
    const controller = new CancelController();
    // The edge's reason when it gave one (SHUTTING_DOWN past the shutdown grace), else a cancel.
    const onCallerAbort = () =>
      controller.abort(isGatewayError(ctx.signal.reason) ? ctx.signal.reason : new GatewayError('CANCELLED', 'the caller cancelled the call'));
    if (ctx.signal.aborted) onCallerAbort();
    else ctx.signal.addEventListener('abort', onCallerAbort, { once: true });

    const upstreamDeadline = ctx.deadline === undefined ? undefined : ctx.deadline - deps.deadlineMarginMs;
    let deadlineTimer: NodeJS.Timeout | undefined;
    if (upstreamDeadline !== undefined) {
      deadlineTimer = setTimeout(() => controller.abort(deadlineError()), Math.max(0, upstreamDeadline - started));
    }

    const meter = createUsageMeter(plan.entry, deps.prices, plan.request.images.length);
    const held: ImageFailure[] = [];
    let firstError: GatewayError | undefined;
    let model = plan.request.modelId;
    // The last image index each upstream request reported (by request index). Arrays, not a Map and a
    // Set: both are indexed by small integers, and this runs on every call.
    const lastIndex: (number | undefined)[] = [];
    // Every image index an upstream request has reported, as call-wide indexes: one seen twice would be
    // delivered and billed twice.
    const reported: boolean[] = [];

    const source = (requestIndex: number) =>
      runUpstreamRequest({
        upstream: deps.upstream,
        request: plan.request,
        requestIndex,
        signal: controller,
        retry: deps.retry,
        attemptTimeoutMs: deps.attemptTimeoutMs,
        upstreamDeadline,
        now: deps.now,
        random: deps.random,
        telemetry,
        // Accounting's hook replaces the edge's, as a wrapper passing its own context would.
        onChannel: admitted?.onChannel ?? ctx.onChannel,
        wait: ctx.upstreamWait,
      });
    const heartbeat = (): GenerationEvent => ({
      type: 'heartbeat',
      elapsedMs: deps.now() - started,
      imagesDelivered: meter.delivered,
      imagesFailed: meter.failed,
    });
    // With one request there is nothing to merge: skip a layer every event would pass through.
    const merged = plan.n === 1 ? source(0) : mergeBounded(Array.from({ length: plan.n }, (_, requestIndex) => () => source(requestIndex)), deps.fanoutConcurrency);
    const outcomes: AsyncIterator<RequestOutcome> = merged[Symbol.asyncIterator]();
    // Heartbeats are raced here against each pull rather than inserted by withHeartbeats around the
    // outcomes: one async-generator layer less for every event (≈ 2.7 KiB of garbage per call, issue 15).
    let pacer: HeartbeatPacer | undefined;

    const failure = (requestIndex: number, setIndex: number, kind: ImageFailureKind, code: string, message: string): ImageFailure => ({
      index: requestIndex * plan.imagesPerRequest + setIndex,
      requestIndex,
      setIndex,
      kind,
      code,
      message,
    });

    try {
      if (controller.aborted) throw controller.reason;
      pacer = new HeartbeatPacer(deps.heartbeatIntervalMs);
      for (;;) {
        // The next outcome is asked for only once the previous one was handled (never read ahead).
        const pending = outcomes.next();
        let next = await pacer.race(pending);
        while (next === TICK) {
          yield given(heartbeat());
          next = await pacer.race(pending);
        }
        if (next.done === true) break;
        const outcome = next.value;
        if (outcome.kind === 'event') {
          const { requestIndex, event } = outcome;
          if (event.type === 'completed') {
            model = event.model || model;
            meter.addWebSearches(event.webSearches);
            continue;
          }
          checkIndex(event, plan.imagesPerRequest);
          const index = requestIndex * plan.imagesPerRequest + event.index;
          if (reported[index] === true) {
            throw new GatewayError('UPSTREAM_BAD_RESPONSE', `the upstream reported image ${event.index} twice`);
          }
          reported[index] = true;
          lastIndex[requestIndex] = event.index;
          if (event.type === 'failure') {
            const kind = /SensitiveContent/.test(event.code) ? 'content_moderated' : 'generation_failed';
            meter.fail(kind);
            const f = failure(requestIndex, event.index, kind, event.code, event.message);
            if (meter.delivered === 0) held.push(f);
            else yield given({ type: 'failure', failure: f });
            continue;
          }
          const image = deliveredImage(event, requestIndex, plan, deps.now());
          meter.deliver(image);
          yield given({ type: 'image', image });
          for (const f of held.splice(0)) yield given({ type: 'failure', failure: f });
          continue;
        }
        // The request failed as a whole after its retries.
        const { requestIndex, error } = outcome;
        const previous = lastIndex[requestIndex];
        const setIndex = previous === undefined ? 0 : previous + 1;
        if (setIndex >= plan.imagesPerRequest) continue; // its set was already complete
        const kind: ImageFailureKind = previous === undefined ? 'request_failed' : 'generation_failed';
        meter.fail(kind);
        const f = failure(requestIndex, setIndex, kind, error.upstream?.code ?? error.reason, error.message);
        if (meter.delivered > 0) {
          yield given({ type: 'failure', failure: f });
          continue;
        }
        held.push(f);
        firstError ??= error;
        if (!error.retryable) throw error;
      }
      if (meter.delivered === 0) throw nothingDelivered(firstError, meter.moderated);
      const usage = meter.usage();
      finished = true;
      telemetry.succeed(usage, model, meter.moderated);
      yield given({ type: 'completed', usage, model });
    } catch (error) {
      finished = true;
      telemetry.fail(toGatewayError(error));
      throw error;
    } finally {
      // The consumer stopped reading before the end: for the span, the call was cancelled.
      if (!finished) telemetry.fail(new GatewayError('CANCELLED', 'the caller stopped reading'));
      clearTimeout(deadlineTimer);
      ctx.signal.removeEventListener('abort', onCallerAbort);
      // Abort first, so upstream requests still in flight end now and closing the sources does not wait.
      if (!controller.aborted) controller.abort(CALL_ENDED);
      pacer?.stop();
      await outcomes.return?.(undefined);
    }
  } finally {
    await admitted?.end();
  }
}

function checkIndex(event: Exclude<UpstreamEvent, { type: 'completed' }>, imagesPerRequest: number): void {
  if (!Number.isInteger(event.index) || event.index < 0 || event.index >= imagesPerRequest) {
    throw new GatewayError('UPSTREAM_BAD_RESPONSE', `the upstream numbered an image ${event.index}, outside the ${imagesPerRequest} requested`);
  }
}

function deliveredImage(event: UpstreamImage, requestIndex: number, plan: GenerationPlan, now: number): DeliveredImage {
  const width = event.width ?? plan.requestedPixels?.width;
  const height = event.height ?? plan.requestedPixels?.height;
  if (width === undefined || height === undefined) {
    throw new GatewayError('UPSTREAM_BAD_RESPONSE', 'the upstream did not report the size of an image');
  }
  let content: DeliveredImage['content'];
  if (event.url !== undefined) content = { kind: 'url', url: event.url, expiresAt: event.expiresAt ?? new Date(now + URL_LIFETIME_MS) };
  else if (event.b64 !== undefined) content = { kind: 'base64', base64: event.b64 };
  else throw new GatewayError('UPSTREAM_BAD_RESPONSE', 'the upstream returned an image without url or data');
  const format = event.outputFormat;
  return {
    index: requestIndex * plan.imagesPerRequest + event.index,
    requestIndex,
    setIndex: event.index,
    content,
    mimeType: format === undefined ? plan.mimeType : format === 'png' ? 'image/png' : 'image/jpeg',
    width,
    height,
  };
}

/** The error of a call that delivered no image. */
function nothingDelivered(firstError: GatewayError | undefined, moderated: number): GatewayError {
  if (firstError !== undefined) return firstError;
  if (moderated > 0) {
    return new GatewayError('CONTENT_REJECTED', 'the upstream moderation blocked every generated image', {
      upstream: { code: 'OutputImageSensitiveContentDetected' },
    });
  }
  return new GatewayError('UPSTREAM_UNAVAILABLE', 'the upstream failed to generate any image');
}
