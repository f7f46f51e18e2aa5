/**
 * One HTTP answer of the images endpoint as UpstreamEvents: a non-2xx answer becomes the vendor's
 * mapped error, an SSE body is decoded frame by frame, anything else as one JSON answer. The status and
 * `content-type` are checked before any SSE parsing: a `stream: true` request can still get a JSON
 * answer — errors (`400 application/json`, reference §3.1) and, from some relays, the whole result.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { base64TextOf } from '../../base64.js';
import { GatewayError } from '../../errors.js';
import { byteAtCursor, type ByteChain } from '../byte-chain.js';
import { CUT_FROM_BYTES, JsonBoundError, parseJsonWithCutsYielding } from '../parse-json-with-cuts.js';
import { readBody, readBodyPieces } from '../read-body.js';
import { waitTimed, type UpstreamWaitClock } from '../../telemetry/call-overhead.js';
import type { UpstreamEvent } from '../types.js';
import { failureFromEnvelope, failureFromResponse, headerValue, type UpstreamFailure } from '../upstream-failure.js';
import { eventsFromArkResponse, type DecodeContext } from './response-events.js';
import { arkResponseSchema } from './response-schema.js';
import { arkEventsFromSse } from './stream-decoder.js';

/** The parts of an undici answer the decoder reads. */
export interface HttpAnswer {
  readonly statusCode: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Readable;
}

/** How to decode one answer. */
export interface AnswerOptions {
  /** Whether SSE was asked for. */
  readonly streaming: boolean;
  /** Everything about the request the events need, minus the request id (read from the answer). */
  readonly decode: Omit<DecodeContext, 'requestId'>;
  /** The vendor's error table, bound to the call. */
  readonly mapFailure: (failure: UpstreamFailure) => GatewayError;
  readonly maxResponseBytes: number;
  readonly maxErrorBodyBytes: number;
  readonly maxSseFrameBytes: number | undefined;
  readonly now: () => number;
  /** Told of every wait for a chunk of the body (the call's overhead signal). */
  readonly wait?: UpstreamWaitClock | undefined;
}

const eventStream = /^\s*text\/event-stream\b/i;
/** `application/json`, or a `+json` type; an answer without a type is given the benefit of the doubt. */
const jsonType = /^\s*application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * Decodes `answer`; throws the mapped GatewayError for failures the answer itself reports. The status
 * and content type are read at once and pick the generator that decodes the body, which is returned
 * as it is — not delegated to with `yield*`, a layer every event would pass through (≈ 2 KiB of
 * garbage per call, issue 15). Nothing is thrown here: every failure comes from the first `next()`.
 */
export function eventsFromAnswer(answer: HttpAnswer, options: AnswerOptions): AsyncGenerator<UpstreamEvent, void, undefined> {
  const { statusCode: status, headers } = answer;
  const requestId = headerValue(headers, 'x-request-id');
  // The answer's `x-request-id` wins over one found in a message (it is the one support can trace).
  const mapFailure = (failure: UpstreamFailure) => options.mapFailure({ ...failure, requestId: requestId ?? failure.requestId });
  if (status < 200 || status >= 300) return failedAnswer(answer, status, options, mapFailure);
  const decode: DecodeContext = { ...options.decode, requestId };
  const bad = (detail: string) =>
    new GatewayError('UPSTREAM_BAD_RESPONSE', `the upstream sent an invalid answer: ${detail}`, { upstream: { status, requestId } });

  if (options.streaming && eventStream.test(headerValue(headers, 'content-type') ?? '')) {
    // Read without destroying the body when the decoder stops at `[DONE]`, so the caller can drain
    // the rest and keep the connection; any other early stop has the caller destroy it.
    const body = answer.body;
    const source: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => body.iterator({ destroyOnReturn: false }) as AsyncIterator<Uint8Array> };
    const cutShort = () =>
      new GatewayError('UPSTREAM_UNAVAILABLE', 'the upstream stream ended before the generation completed', {
        retryable: true,
        upstream: { status, requestId },
      });
    return arkEventsFromSse(source, decode, { mapFailure, badResponse: bad, cutShort }, options.maxSseFrameBytes, options.wait);
  }
  return eventsFromJsonAnswer(answer, options, decode, mapFailure, bad);
}

/** A non-2xx answer: its body (bounded) read for the vendor's error, which is thrown — from a generator,
 *  so that, like every answer, it fails on the first `next()`. */
async function* failedAnswer(
  answer: HttpAnswer,
  status: number,
  options: AnswerOptions,
  mapFailure: (failure: UpstreamFailure) => GatewayError,
): AsyncGenerator<UpstreamEvent, void, undefined> {
  const text = (await readBody(waitTimed(answer.body, options.wait), options.maxErrorBodyBytes, true)).toString('utf8');
  throw mapFailure(failureFromResponse(status, answer.headers, text, options.now()));
}

/** A JSON answer (asked for, or a relay's answer to a streaming request). */
async function* eventsFromJsonAnswer(
  answer: HttpAnswer,
  options: AnswerOptions,
  decode: DecodeContext,
  mapFailure: (failure: UpstreamFailure) => GatewayError,
  bad: (detail: string) => GatewayError,
): AsyncGenerator<UpstreamEvent, void, undefined> {
  // Refused before a byte of the body is read: an HTML error page or a file is not an images answer.
  const type = headerValue(answer.headers, 'content-type');
  if (type !== undefined && !jsonType.test(type)) throw bad(`the answer is ${type.slice(0, 64)}, not JSON`);
  const body = await readBodyPieces(waitTimed(answer.body, options.wait), options.maxResponseBytes);
  // Every answer of the API is an object: anything else is refused without scanning it.
  if (firstNonSpace(body) !== OPEN_BRACE) throw bad('the body is not a JSON object');
  let json: unknown;
  try {
    // Up to 15 images in one body: each is cut out and checked once, never parsed as JSON (DESIGN §8);
    // a large body is scanned in slices, so it cannot hold up other calls (DESIGN §9).
    json = await parseJsonWithCutsYielding(body, 'b64_json', base64TextOf, CUT_FROM_BYTES);
  } catch (error) {
    throw bad(error instanceof JsonBoundError ? `the body is ${error.message}` : 'the body is not JSON');
  }
  const parsed = arkResponseSchema.safeParse(json);
  if (parsed.success) {
    yield* eventsFromArkResponse(parsed.data, decode);
    return;
  }
  // A 2xx carrying only the error envelope: the whole request failed (reference §2, top-level `error`).
  const failure = failureFromEnvelope(json);
  if (failure !== undefined) throw mapFailure(failure);
  throw bad('the body does not have the images response shape');
}

const OPEN_BRACE = 0x7b;

/** The first byte that is not JSON whitespace, if any. */
function firstNonSpace(body: ByteChain): number | undefined {
  const cursor = { piece: 0, start: 0 };
  for (let pos = 0; pos < body.length; pos++) {
    const byte = byteAtCursor(body, pos, cursor);
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return byte;
  }
  return undefined;
}
