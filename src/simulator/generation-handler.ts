/**
 * `POST /api/v3/images/generations` (and the relay shape `POST /v1/images/generations`): read and log
 * the request, check the key (401), take the next fault, validate against the catalog (400/404), then
 * answer as JSON or SSE. Validation errors are JSON even when `stream: true` (reference §3.1).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArkError, authenticationError, sendArkError } from './ark-errors.js';
import type { FaultQueue } from './faults.js';
import type { Exchange } from './generation.js';
import { statusFaultAnswer } from './faults.js';
import type { ImageStore } from './image-store.js';
import { INVALID_JSON, isAuthorized, parseJson, readBody } from './http-io.js';
import type { ResolvedSimulatorOptions } from './options.js';
import { planGeneration } from './plan.js';
import type { RequestRecorder } from './request-log.js';
import { respondJson } from './respond-json.js';
import { respondSse } from './respond-sse.js';
import { validateGenerationRequest, type GenerationRequest } from './validate.js';

/** What the handler shares with the rest of the simulator. */
export interface GenerationDeps {
  readonly options: ResolvedSimulatorOptions;
  readonly faults: FaultQueue;
  readonly recorder: RequestRecorder;
  readonly store: ImageStore;
  readonly nextRequestId: () => string;
  /** Base of image URLs (known once listening). */
  readonly baseUrl: () => string;
  /** Controllers of running requests, aborted when the simulator closes. */
  readonly running: Set<AbortController>;
}

/** Handles one generation request from start to end. */
export async function handleGeneration(deps: GenerationDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { options, recorder } = deps;
  const requestId = deps.nextRequestId();
  const receivedAt = options.now();
  const raw = await readBody(req, options.maxBodyBytes);
  const body = raw === 'too-large' ? undefined : parseJson(raw);
  const entry = recorder.start({
    id: requestId,
    method: req.method ?? 'POST',
    path: req.url ?? '',
    headers: req.headers,
    body: body === INVALID_JSON ? undefined : body,
    receivedAt,
  });

  const controller = new AbortController();
  deps.running.add(controller);
  let resetting = false;
  res.on('close', () => {
    deps.running.delete(controller);
    if (!res.writableFinished && !resetting) {
      entry.aborted = true;
      controller.abort();
    }
    entry.status = res.headersSent ? res.statusCode : undefined;
    recorder.finish(entry, options.now());
  });

  if (raw === 'too-large') {
    res.setHeader('connection', 'close');
    const message = `The request body exceeds ${options.maxBodyBytes} bytes.`;
    sendArkError(res, new ArkError(413, 'RequestTooLarge', message), requestId);
    return;
  }
  if (!isAuthorized(req.headers.authorization, options.apiKey)) {
    sendArkError(res, authenticationError(), requestId);
    return;
  }
  const fault = deps.faults.take();
  entry.fault = fault?.kind;
  if (fault?.kind === 'status') {
    const answer = statusFaultAnswer(fault);
    const headers: Record<string, string> =
      answer.retryAfterSeconds === undefined ? {} : { 'retry-after': String(answer.retryAfterSeconds) };
    sendArkError(res, new ArkError(fault.status, answer.code, answer.message, '', headers), requestId);
    return;
  }
  if (body === INVALID_JSON) {
    sendArkError(res, new ArkError(400, 'InvalidParameter', 'The request body is not valid JSON.'), requestId);
    return;
  }

  let request: GenerationRequest;
  try {
    request = validateGenerationRequest(body, options);
  } catch (error) {
    if (!(error instanceof ArkError)) throw error;
    sendArkError(res, error, requestId);
    return;
  }
  const drawSeed = () => options.fixedSeed ?? Math.floor(Math.random() * 2_147_483_647);
  const generation = {
    request,
    plan: planGeneration(request, drawSeed),
    fault,
    store: deps.store,
    baseUrl: deps.baseUrl(),
  };
  const exchange: Exchange = {
    res,
    requestId,
    signal: controller.signal,
    latencyMs: options.latencyMs,
    now: options.now,
    record(outcome) {
      if (outcome.kind === 'image') entry.imagesDelivered += 1;
      else entry.imagesFailed += 1;
    },
    reset() {
      resetting = true;
      req.socket.resetAndDestroy();
    },
  };
  await (request.stream ? respondSse(exchange, generation) : respondJson(exchange, generation));
}
