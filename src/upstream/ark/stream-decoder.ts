/**
 * Ark's SSE stream (reference §3) as UpstreamEvents, yielded the moment each frame is complete:
 * `partial_succeeded` → image, `partial_failed` → failure, `completed` → completed, `data: [DONE]` ends
 * it. A frame `{"error":{…}}` (with or without `event: error`, §3.3 ⚠) fails the whole request through
 * the vendor's error mapping. A `partial_failed` also carries `error`, but it is a per-image failure,
 * not a stream error (§3.4: the SDKs that confuse the two lose it).
 */
import { base64TextOf } from '../../base64.js';
import type { GatewayError } from '../../errors.js';
import { chainEquals } from '../byte-chain.js';
import { CUT_FROM_BYTES, JsonBoundError, parseJsonWithCutsYielding } from '../parse-json-with-cuts.js';
import { createSseParser, type SseFrame } from '../sse.js';
import type { UpstreamWaitClock } from '../../telemetry/call-overhead.js';
import type { UpstreamEvent } from '../types.js';
import { failureFromEnvelope, type UpstreamFailure } from '../upstream-failure.js';
import { completedFromArk, failureFromArk, imageFromArk, type DecodeContext } from './response-events.js';
import { arkStreamEventSchema } from './response-schema.js';

/** How the stream decoder reports what it cannot deliver as events. */
export interface StreamErrors {
  /** An error frame, mapped like an HTTP error with its code. */
  readonly mapFailure: (failure: UpstreamFailure) => GatewayError;
  /** A frame that is not the protocol (bad JSON, unknown shape). */
  readonly badResponse: (detail: string) => GatewayError;
  /** The body ended before `completed` and `[DONE]` (connection cut): retryable. */
  readonly cutShort: () => GatewayError;
}

/**
 * Decodes an SSE body. Ends after `completed` once `[DONE]` or the end of the body arrives. The body is
 * read and split into frames here, by the parser's state machine (createSseParser), rather than
 * through parseSseStream and a wait-timing wrapper: each async-generator or iterator layer between the
 * socket and the core costs ≈ 2 KiB of garbage per call (issue 15). Every wait for a chunk is
 * bracketed on `wait` (the call's overhead signal), as waitTimed does.
 */
export async function* arkEventsFromSse(
  body: AsyncIterable<Uint8Array>,
  ctx: DecodeContext,
  errors: StreamErrors,
  maxFrameBytes?: number,
  wait?: UpstreamWaitClock,
): AsyncGenerator<UpstreamEvent, void, undefined> {
  const parser = createSseParser({ maxFrameBytes });
  const chunks = body[Symbol.asyncIterator]();
  let completed = false;
  let done = false;
  let ended = false; // the body is exhausted (nothing to close)
  let delivered = 0;
  try {
    while (!done && !ended) {
      let next: IteratorResult<Uint8Array>;
      wait?.beginWait();
      try {
        next = await chunks.next();
      } finally {
        wait?.endWait();
      }
      let frames: SseFrame[];
      if (next.done === true) {
        ended = true;
        frames = parser.end();
      } else frames = parser.push(next.value);
      for (const frame of frames) {
        if (chainEquals(frame.data, DONE)) {
          done = true;
          break;
        }
        // After `completed` only `[DONE]` is expected; the result is whole, so anything else is ignored.
        if (completed) continue;
        const event = await decodeFrame(frame, ctx, errors, delivered);
        if (event === undefined) continue;
        if (event.type === 'image') delivered++;
        if (event.type === 'completed') completed = true;
        yield event;
      }
    }
  } catch (error) {
    // A cut or timeout after `completed` costs nothing: every event has been delivered.
    if (completed) return;
    throw error;
  } finally {
    // Stopped before the body's end (`[DONE]`, an error, or the consumer's `return()`): close the body's
    // iterator, as a `for await` over it would.
    if (!ended) await chunks.return?.();
  }
  if (completed) return;
  // `[DONE]` without `completed` is a broken protocol; a body that just stops is a cut connection
  // (retryable, though the core retries only if no event reached the caller yet).
  throw done ? errors.badResponse('the stream ended without image_generation.completed') : errors.cutShort();
}

async function decodeFrame(
  frame: SseFrame,
  ctx: DecodeContext,
  errors: StreamErrors,
  delivered: number,
): Promise<UpstreamEvent | undefined> {
  let json: unknown;
  try {
    // An image's base64 is cut out of the frame and checked once, never parsed as JSON (DESIGN §8);
    // a huge frame is scanned in slices, so it cannot hold up other calls (DESIGN §9).
    json = await parseJsonWithCutsYielding(frame.data, 'b64_json', base64TextOf, CUT_FROM_BYTES);
  } catch (error) {
    throw errors.badResponse(error instanceof JsonBoundError ? `a stream event is ${error.message}` : 'a stream event is not JSON');
  }
  const hasType = typeof json === 'object' && json !== null && 'type' in json;
  if (frame.event === 'error' || !hasType) {
    const failure = failureFromEnvelope(json);
    if (failure !== undefined) throw errors.mapFailure(failure);
    throw errors.badResponse(frame.event === 'error' ? 'an error event without an error' : 'a stream event has no type');
  }
  const parsed = arkStreamEventSchema.safeParse(json);
  if (!parsed.success) {
    const type = (json as { type: unknown }).type;
    // Event types we do not act on (`image_generation.partial_image` previews appear only in one
    // Python example, §3.2 ⚠) are skipped, as the SSE spec skips unknown events; a known type with a
    // broken shape is a protocol error.
    if (typeof type === 'string' && type.startsWith('image_generation.') && !knownTypes.has(type)) return undefined;
    throw errors.badResponse(`a stream event of type ${typeof type === 'string' ? type.slice(0, 64) : '?'} is malformed`);
  }
  const event = parsed.data;
  switch (event.type) {
    case 'image_generation.partial_succeeded':
      return imageFromArk(event.image_index, event, event.created, ctx);
    case 'image_generation.partial_failed':
      return failureFromArk(event.image_index, event.error);
    case 'image_generation.completed':
      return completedFromArk(event.model, event.usage, delivered, ctx);
  }
}

const DONE = Buffer.from('[DONE]');

const knownTypes: ReadonlySet<string> = new Set([
  'image_generation.partial_succeeded',
  'image_generation.partial_failed',
  'image_generation.completed',
]);
