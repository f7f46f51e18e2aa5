/**
 * Telemetry of the core (DESIGN §6, conventions D.1): the `image_generation {model}` span with GenAI
 * attributes, one CLIENT span per upstream attempt (so retries are visible) whose context is sent
 * upstream as `traceparent`, and the generation metrics. Parents are passed explicitly — async
 * generators resume in their consumer's async context, so the active context cannot be trusted here.
 */
import { propagation, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { errorReasons, type GatewayError } from '../errors.js';
import { ATTR, OPERATION_IMAGE_GENERATION } from '../telemetry/attributes.js';
import { createGatewayTelemetry, type GatewayTelemetry } from '../telemetry/gateway-telemetry.js';
import { createAttributeInterner } from '../telemetry/interned-attributes.js';
import type { GatewayMetrics } from '../telemetry/metrics.js';
import type { ImageUpstream } from '../upstream/types.js';
import type { GenerationPlan } from './plan-generation.js';
import type { Usage } from './types.js';

/** What the core needs of telemetry: the gateway's handle (tracer, instruments, prompt capture). */
export type CoreTelemetry = GatewayTelemetry;

/** Telemetry over the global providers (no-ops when the SDK is not started). */
export function globalCoreTelemetry(capturePrompts = false): CoreTelemetry {
  return createGatewayTelemetry({ capturePrompts });
}

/** The span and metrics of one generation. */
export interface GenerationTelemetry {
  /** Context whose active span is the generation span: the parent of attempt spans. */
  readonly context: Context;
  /** Records the upstream request id of a response. */
  noteRequestId(id: string | undefined): void;
  /** Starts one upstream attempt span; returns the headers to send and a function ending it. */
  startAttempt(attempt: number): { headers: Record<string, string>; end: (outcome: AttemptOutcome) => void };
  succeed(usage: Usage, responseModel: string, moderated: number): void;
  fail(error: GatewayError): void;
}

export type AttemptOutcome = ({ readonly ok: true; readonly requestId?: string } | { readonly ok: false; readonly error: GatewayError }) & {
  /** The channel that served the attempt (src/channels/). */
  readonly channel?: string;
};

export function startGenerationTelemetry(
  telemetry: CoreTelemetry,
  parent: Context,
  plan: GenerationPlan,
  upstream: ImageUpstream,
  keyName: string,
  now: () => number,
): GenerationTelemetry {
  const started = now();
  const model = plan.request.modelId;
  const base: Attributes = {
    [ATTR.genAiOperationName]: OPERATION_IMAGE_GENERATION,
    [ATTR.genAiProviderName]: upstream.provider,
    [ATTR.genAiRequestModel]: model,
  };
  const span = telemetry.tracer.startSpan(
    `${OPERATION_IMAGE_GENERATION} ${model}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        ...base,
        [ATTR.genAiOutputType]: 'image',
        [ATTR.genAiRequestStream]: plan.request.stream,
        [ATTR.serverAddress]: upstream.server.address,
        [ATTR.serverPort]: upstream.server.port,
        [ATTR.imagesRequested]: plan.n * plan.imagesPerRequest,
        ...(plan.n !== 1 && { [ATTR.genAiRequestChoiceCount]: plan.n }),
        ...(plan.request.seed !== undefined && { [ATTR.genAiRequestSeed]: plan.request.seed }),
        ...(plan.request.imageSet && { [ATTR.imageSetMaxImages]: plan.request.imageSet.maxImages }),
        ...(telemetry.capturePrompts && {
          [ATTR.genAiInputMessages]: JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: plan.request.prompt }] }]),
        }),
      },
    },
    parent,
  );
  const spanContext = trace.setSpan(parent, span);
  const requestIds: string[] = [];
  const seconds = () => (now() - started) / 1000;
  const { metrics } = telemetry;

  return {
    context: spanContext,
    noteRequestId(id) {
      if (id !== undefined && !requestIds.includes(id)) requestIds.push(id);
    },
    startAttempt(attempt) {
      const attemptStarted = now();
      const fixed = attemptAttributesOf(upstream);
      const attemptSpan = telemetry.tracer.startSpan('POST', { kind: SpanKind.CLIENT, attributes: { ...fixed.start, [ATTR.attempt]: attempt } }, spanContext);
      const headers: Record<string, string> = {};
      propagation.inject(trace.setSpan(spanContext, attemptSpan), headers);
      return {
        headers,
        end(outcome) {
          const requestId = outcome.ok ? outcome.requestId : outcome.error.upstream?.requestId;
          if (requestId !== undefined) attemptSpan.setAttribute(ATTR.genAiResponseId, requestId);
          if (outcome.channel !== undefined) attemptSpan.setAttribute(ATTR.channel, outcome.channel);
          // The span already has the method and server from its start; the metric gets them with the status.
          let attributes: Attributes;
          if (outcome.ok) {
            attributes = fixed.ok;
            attemptSpan.setAttribute(ATTR.httpResponseStatusCode, 200);
          } else {
            const status = outcome.error.upstream?.status;
            attributes = { ...fixed.start, ...(status !== undefined && { [ATTR.httpResponseStatusCode]: status }) };
            attributes[ATTR.errorType] = status !== undefined && status >= 400 ? String(status) : outcome.error.reason;
            if (outcome.error.upstream?.code) attemptSpan.setAttribute(ATTR.upstreamErrorCode, outcome.error.upstream.code);
            attemptSpan.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error.reason });
            attemptSpan.setAttributes(attributes);
          }
          attemptSpan.end();
          metrics.upstreamDuration.record((now() - attemptStarted) / 1000, attributes);
        },
      };
    },
    succeed(usage, responseModel, moderated) {
      span.setAttributes({
        [ATTR.genAiResponseModel]: responseModel,
        [ATTR.genAiUsageOutputTokens]: usage.outputTokens,
        [ATTR.imagesGenerated]: usage.generatedImages,
        [ATTR.imagesFailed]: usage.failedImages,
        ...(requestIds[0] !== undefined && { [ATTR.genAiResponseId]: requestIds[0], [ATTR.upstreamRequestIds]: requestIds }),
      });
      span.end();
      const provider = upstream.provider;
      metrics.operationDuration.record(seconds(), metricAttributes(`ok\u0000${provider}\u0000${model}\u0000${responseModel}`, () => ({ ...base, [ATTR.genAiResponseModel]: responseModel })));
      countImages(metrics, model, usage.generatedImages, moderated, usage.failedImages - moderated);
      const cost = usage.estimatedCost;
      if (cost !== undefined) {
        const attributes = metricAttributes(`cost\u0000${model}\u0000${cost.currency}\u0000${keyName}`, () => ({ [ATTR.genAiRequestModel]: model, [ATTR.currency]: cost.currency, [ATTR.keyName]: keyName }));
        metrics.estimatedCost.add(cost.micros / 1e6, attributes);
      }
    },
    fail(error) {
      recordFailure(span, error, requestIds);
      metrics.operationDuration.record(seconds(), metricAttributes(`failed\u0000${upstream.provider}\u0000${model}\u0000${error.reason}`, () => ({ ...base, [ATTR.errorType]: error.reason })));
    },
  };
}

/** The generation metrics' attribute sets, built once per distinct set (frozen: recorded by identity). */
const metricAttributes = createAttributeInterner();

/** The attributes every attempt on `upstream` shares, built once per upstream (not per attempt):
 *  method and server at the span's start, and the metric's set for a 200. */
const attemptAttributes = new WeakMap<ImageUpstream, { readonly start: Attributes; readonly ok: Attributes }>();

function attemptAttributesOf(upstream: ImageUpstream): { readonly start: Attributes; readonly ok: Attributes } {
  let fixed = attemptAttributes.get(upstream);
  if (fixed === undefined) {
    const start = Object.freeze({ [ATTR.httpRequestMethod]: 'POST', [ATTR.serverAddress]: upstream.server.address, [ATTR.serverPort]: upstream.server.port });
    fixed = { start, ok: Object.freeze({ ...start, [ATTR.httpResponseStatusCode]: 200 }) };
    attemptAttributes.set(upstream, fixed);
  }
  return fixed;
}

function countImages(metrics: GatewayMetrics, model: string, generated: number, moderated: number, failed: number): void {
  const add = (count: number, outcome: string) => {
    if (count > 0) metrics.imageCount.add(count, metricAttributes(`images\u0000${model}\u0000${outcome}`, () => ({ [ATTR.genAiRequestModel]: model, [ATTR.imageOutcome]: outcome })));
  };
  add(generated, 'generated');
  add(moderated, 'moderated');
  add(failed, 'failed');
}

/** A caller's own fault (bad input, cancel) is not a server error: the span keeps status UNSET then
 *  (conventions D.2), but always carries `error.type`. */
function recordFailure(span: Span, error: GatewayError, requestIds: readonly string[]): void {
  span.setAttribute(ATTR.errorType, error.reason);
  if (error.upstream?.code) span.setAttribute(ATTR.upstreamErrorCode, error.upstream.code);
  if (requestIds[0] !== undefined) span.setAttributes({ [ATTR.genAiResponseId]: requestIds[0], [ATTR.upstreamRequestIds]: [...requestIds] });
  if (!errorReasons[error.reason].callerFault) span.setStatus({ code: SpanStatusCode.ERROR, message: error.reason });
  if (error.reason === 'INTERNAL' && error.cause instanceof Error) span.recordException(error.cause);
  span.end();
}
