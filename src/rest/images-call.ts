/**
 * One images call once its request is the proto spec, shared by `/v1/images/generations` and
 * `/v1/images/edits`: the core entry point the gRPC handler calls (`specFromProto` →
 * `ImageGenerator.generate`, DESIGN §2) → Ark-shaped JSON or SSE. A client that disconnects aborts the
 * core call, and with it the upstream request. Errors before the response starts are OpenAI envelopes
 * with the canonical status; errors after an SSE stream opened are `error` frames.
 */
import type { Histogram } from '@opentelemetry/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ImageGenerationSpec } from '../../gen/seedream/v1/generation_spec.js';
import { specFromProto } from '../contract/spec-from-proto.js';
import { GatewayError, toGatewayError } from '../errors.js';
import { findModel, type ResolvedModel } from '../models/lookup.js';
import type { DurableGenerations } from '../jobs/durable-generations.js';
import type { ImageGenerator } from '../service/image-generator.js';
import type { GenerateContext, GenerationEvent } from '../service/types.js';
import { CancelController, type CancelSignal } from '../cancel-signal.js';
import { CallOverhead, msText, OVERHEAD_HEADER, recordOverhead } from '../telemetry/call-overhead.js';
import type { Logger } from '../telemetry/logger.js';
import { traceIdsOf } from '../telemetry/trace-context.js';
import { durableRequestOf } from './durable-headers.js';
import { writeImageStream } from './image-stream.js';
import { sendJobAccepted } from './job-replies.js';
import { openAiErrorFromGatewayError } from './openai-errors.js';
import { paramNamer, type ReferenceSpelling } from './param-names.js';
import { sendError } from './reply-error.js';
import { sendJsonParts } from './send-json-parts.js';
import { imagesResponseParts, unixSeconds, type CollectedItem, type CollectedResult, type StreamEventPrefix } from './response-json.js';

export interface ImagesRouteDeps {
  readonly generator: ImageGenerator;
  readonly logger: Logger;
  /** Upstream model id per accepted name, for stream events sent before `completed` names it. */
  readonly upstreamIdOf: (name: string) => string;
  /** Clock (ms since the epoch) for `created`. */
  readonly now: () => number;
  /** Aborted (with SHUTTING_DOWN) when the shutdown grace runs out: running calls end with it. */
  readonly shutdownSignal?: CancelSignal;
  /** Every call's deadline from its start (MAX_CALL_DURATION_MS): REST has no deadline header, and a
   *  hung upstream would otherwise hold the caller for RETRY_MAX_ATTEMPTS × UPSTREAM_TIMEOUT_MS. */
  readonly maxCallDurationMs?: number;
  /** Keyed calls and jobs (DESIGN §10); without it, `Idempotency-Key` and `Prefer` are ignored. */
  readonly durable?: DurableGenerations;
  /** The overhead histogram (`seedream.gateway.overhead.duration`); none = not recorded. */
  readonly overheadHistogram?: Histogram;
}

/** Response header carrying the warnings (also in the body's `warnings`); docs/rest.md "Warnings". */
export const WARNINGS_HEADER = 'x-seedream-warnings';

/** The gateway's own time and the upstream wait, for browsers' and proxies' timing views. */
function overheadHeaders(overhead: CallOverhead): Record<string, string> {
  const gateway = msText(overhead.gatewayMs);
  return { [OVERHEAD_HEADER]: gateway, 'server-timing': `gateway;dur=${gateway}, upstream;dur=${msText(overhead.upstreamMs)}` };
}

/** A request translated to the contract, ready for the core. */
export interface PreparedImagesCall {
  readonly spec: ImageGenerationSpec;
  /** The model name the caller sent. */
  readonly modelName: string;
  readonly stream: boolean;
  readonly warnings: readonly string[];
  readonly refs: ReferenceSpelling | undefined;
  /** `webhook_url` of the request, for a job's webhook. */
  readonly webhookUrl?: string;
}

/** What a route does before the core: parse and translate its body (throwing GatewayErrors). The
 *  `note` callback records what is known so far, so an error's envelope and log line can use it. */
export type PrepareImagesCall = (note: (progress: { model?: string; stream?: boolean; refs?: ReferenceSpelling }) => void) => Promise<PreparedImagesCall>;

export interface ImagesCallOptions {
  /** Name of the route in log lines (`images`, `image_edits`). */
  readonly route: string;
  readonly prefix: StreamEventPrefix;
}

/** Resolves a model name or throws MODEL_NOT_FOUND naming `model`. */
export function resolveModelOrThrow(name: string): ResolvedModel {
  const resolved = findModel(name);
  if (resolved === undefined) {
    throw new GatewayError('MODEL_NOT_FOUND', `The model ${JSON.stringify(name)} does not exist; GET /v1/models lists every model and accepted name`, {
      violations: [{ field: 'model', description: 'unknown model' }],
    });
  }
  return resolved;
}

/** Runs the call and answers it; never throws. */
export async function answerImagesCall(
  request: FastifyRequest,
  reply: FastifyReply,
  deps: ImagesRouteDeps,
  options: ImagesCallOptions,
  prepare: PrepareImagesCall,
): Promise<void> {
  const started = performance.now();
  // The call's clock starts when fastify received the request (routing, auth and body parsing count).
  const overhead = new CallOverhead(started - reply.elapsedTime);
  const caller = request.caller;
  let refs: ReferenceSpelling | undefined;
  let model: string | undefined;
  let stream = false;
  let stopOnShutdown: (() => void) | undefined;
  const log = (outcome: string, images: number, failures: number) => {
    // One literal, no spread of the trace ids (pino leaves out the members that are undefined).
    const ids = traceIdsOf(request.traceContext ?? undefined);
    deps.logger.info(
      { trace_id: ids.trace_id, span_id: ids.span_id, route: options.route, keyName: caller?.keyName, model, stream, outcome, images, failures, ms: Math.round(performance.now() - started) },
      'rest call',
    );
  };
  try {
    if (caller === null) throw new GatewayError('INTERNAL', 'no authenticated caller on an authenticated route');
    const prepared = await prepare((progress) => {
      if (progress.model !== undefined) model = progress.model;
      if (progress.stream !== undefined) stream = progress.stream;
      if (progress.refs !== undefined) refs = progress.refs;
    });
    refs = prepared.refs;
    stream = prepared.stream;
    const { warnings } = prepared;
    const spec = specFromProto(prepared.spec);
    model = spec.model;

    // A plain CancelController (cancel-signal.ts): an AbortController and its listeners cost ~15 µs of
    // a URL-mode call.
    const controller = new CancelController();
    const raw = reply.raw;
    raw.once('close', () => {
      if (!raw.writableFinished) controller.abort(new GatewayError('CANCELLED', 'the client disconnected'));
    });
    const traceContext = request.traceContext ?? undefined;
    // Past the shutdown grace the call ends with the server's reason (SHUTTING_DOWN). A listener on the
    // long-lived signal, removed when the call ends (AbortSignal.any would tie every call to it).
    stopOnShutdown = () => controller.abort(deps.shutdownSignal?.reason);
    deps.shutdownSignal?.addEventListener('abort', stopOnShutdown, { once: true });
    const deadline = deps.maxCallDurationMs === undefined ? undefined : Date.now() + deps.maxCallDurationMs;
    // One literal, no spreads (every reader treats an undefined member as absent).
    const callContext: GenerateContext = { signal: controller, caller, upstreamWait: overhead, deadline, traceContext };
    // A plain call takes the generator's direct path; only a key or a `Prefer` makes it a job.
    // A webhook makes the call a job as well: it must be sent even if this connection goes away.
    const durable = deps.durable === undefined ? undefined : (durableRequestOf(request.headers) ?? (prepared.webhookUrl !== undefined ? { respondAsync: false } : undefined));
    let events: AsyncIterable<GenerationEvent>;
    let waitView: CancelController | undefined;
    let jobId: string | undefined;
    if (durable !== undefined && deps.durable !== undefined) {
      const started = await deps.durable.start(spec, callContext, { ...(durable.key !== undefined && { key: durable.key }), ...(prepared.webhookUrl !== undefined && { webhookUrl: prepared.webhookUrl }) });
      jobId = started.job.id;
      if (durable.respondAsync && durable.waitSeconds === undefined) {
        await sendJobAccepted(reply, deps.durable.store, started.job, 'respond-async');
        log('accepted', 0, 0);
        return;
      }
      // The caller's view of the job: a disconnect (or the end of `wait`) ends the view, never the job.
      let view: CancelSignal = controller;
      if (durable.waitSeconds !== undefined && !stream) {
        // Ends with the call, or when `wait` elapses: aborted while the call is not means the wait ran out.
        const waitEnds = new CancelController();
        controller.addEventListener('abort', () => waitEnds.abort(controller.reason));
        setTimeout(() => waitEnds.abort(new GatewayError('DEADLINE_EXCEEDED', 'wait elapsed')), durable.waitSeconds * 1000).unref();
        view = waitView = waitEnds;
      }
      events = deps.durable.follow(started.job.id, view, overhead);
    } else {
      events = deps.generator.generate(spec, callContext);
    }
    const headers: Record<string, string> = warnings.length > 0 ? { [WARNINGS_HEADER]: warnings.join('; ') } : {};
    const webSearch = spec.webSearch === true;

    if (stream) {
      const iterator = events[Symbol.asyncIterator]();
      // Pull the first event before any header: an error up to here is a plain JSON error (C.6).
      const first = await iterator.next();
      if (first.done === true) throw new GatewayError('INTERNAL', 'the generation ended without events');
      // A stream's overhead is what the gateway added before its first output, the only figure a header can carry.
      overhead.freeze();
      Object.assign(headers, overheadHeaders(overhead));
      reply.hijack();
      const namer = paramNamer(refs);
      const result = await writeImageStream({
        raw,
        first: first.value,
        iterator,
        model: deps.upstreamIdOf(prepared.modelName),
        webSearch,
        warnings,
        headers,
        now: deps.now,
        prefix: options.prefix,
        envelopeOf: (error) => openAiErrorFromGatewayError(toGatewayError(error), namer).envelope,
      });
      log(result.outcome, result.images, result.failures);
      return;
    }

    let result: CollectedResult;
    try {
      result = await collect(events);
    } catch (error) {
      // `Prefer: wait=N` ran out with the job still running: 202 with the job instead of the result.
      if (waitView?.aborted !== true || controller.aborted || deps.durable === undefined || jobId === undefined) throw error;
      const job = await deps.durable.store.get(caller.keyName, jobId);
      if (job === undefined) throw error;
      await sendJobAccepted(reply, deps.durable.store, job, `wait=${Math.round((durable?.waitSeconds ?? 0))}`);
      log('accepted', 0, 0);
      return;
    }
    waitView?.abort();
    if (raw.destroyed) {
      reply.hijack(); // the client has gone; nobody to answer
      log('client_gone', 0, 0);
      return;
    }
    Object.assign(headers, overheadHeaders(overhead));
    sendJsonParts(reply, headers, imagesResponseParts(result, unixSeconds(deps.now()), webSearch, warnings));
    log('ok', result.usage.generatedImages, result.usage.failedImages);
  } catch (error) {
    const gatewayError = toGatewayError(error);
    if (gatewayError.reason === 'INTERNAL' || gatewayError.reason === 'UPSTREAM_AUTH_FAILED') {
      deps.logger.error({ err: gatewayError.cause ?? gatewayError, route: options.route, model }, gatewayError.message);
    }
    log(gatewayError.reason, 0, 0);
    if (reply.raw.destroyed) {
      reply.hijack();
      return;
    }
    void sendError(reply.headers(overheadHeaders(overhead)), gatewayError, paramNamer(refs));
  } finally {
    if (deps.overheadHistogram !== undefined) recordOverhead(deps.overheadHistogram, stream ? 'rest-sse' : 'rest-json', overhead);
    if (stopOnShutdown !== undefined) deps.shutdownSignal?.removeEventListener('abort', stopOnShutdown);
  }
}

/** Collects a non-streaming call: images and failures keyed by index, then the final usage. */
async function collect(events: AsyncIterable<GenerationEvent>): Promise<CollectedResult> {
  const items: CollectedItem[] = [];
  for await (const event of events) {
    switch (event.type) {
      case 'image':
        items.push({ index: event.image.index, image: event.image });
        break;
      case 'failure':
        items.push({ index: event.failure.index, failure: event.failure });
        break;
      case 'heartbeat':
        break; // nothing can be sent before a JSON body; streams get them instead
      case 'completed':
        return { items, usage: event.usage, model: event.model };
      default: {
        const unreachable: never = event;
        throw new Error(`unknown event ${JSON.stringify(unreachable)}`);
      }
    }
  }
  throw new GatewayError('INTERNAL', 'the generation ended without a completed event');
}
