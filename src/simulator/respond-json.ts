/**
 * The non-streaming answer (reference §2): every image attempt is made (each after the per-image
 * latency), then one `application/json` body with `data[]` (images and per-image errors) and `usage`.
 */
import { ArkError, sendArkError } from './ark-errors.js';
import {
  cutAfter,
  imageFields,
  pause,
  produceImage,
  toolsEcho,
  usageOf,
  type Exchange,
  type Generation,
  type ImageOutcome,
} from './generation.js';

/** Generates every image, then answers with one JSON body (or the fault's misbehaviour). */
export async function respondJson(exchange: Exchange, generation: Generation): Promise<void> {
  const { res, signal, requestId } = exchange;
  const { fault, plan } = generation;
  if (fault?.kind === 'delay-headers' && !(await pause(fault.ms, signal))) return;

  const cut = cutAfter(fault);
  const outcomes: ImageOutcome[] = [];
  while (outcomes.length < plan.count && (cut === undefined || outcomes.length < cut)) {
    if (!(await pause(exchange.latencyMs, signal))) return;
    const outcome = produceImage(generation, outcomes.length);
    outcomes.push(outcome);
    if (outcome.kind === 'failure' && outcome.fatal) break; // an internal error ends the set (§2)
  }

  if (fault?.kind === 'reset') {
    exchange.reset();
    return;
  }
  if (fault?.kind === 'stream-error') {
    // A whole-request failure part-way, for a caller that did not stream: a plain 500.
    sendArkError(res, new ArkError(500, fault.code ?? 'InternalServiceError', fault.message ?? 'The request failed.'), requestId);
    return;
  }
  const body = JSON.stringify({
    model: generation.request.modelId,
    created: Math.floor(exchange.now() / 1000),
    data: outcomes.map((outcome) => (outcome.kind === 'image' ? imageFields(generation, outcome) : { error: outcome.error })),
    ...toolsEcho(generation),
    usage: usageOf(generation, outcomes),
  });
  // The malformed-response fault cuts the body in half: a 200 whose JSON does not parse.
  const sent = fault?.kind === 'malformed-sse' ? body.slice(0, Math.floor(body.length / 2)) : body;
  for (const outcome of outcomes) exchange.record(outcome);
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(sent),
    'x-request-id': requestId,
  });
  res.end(sent);
}
