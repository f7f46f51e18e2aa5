/**
 * `stream: true`: the core's events as Ark's SSE events (reference §3.2) — `partial_succeeded` per image,
 * `partial_failed` per failed image, heartbeats as comment lines, `completed` with usage, `data: [DONE]`.
 * The caller has already pulled the first event, so any error before it was an ordinary JSON error
 * (conventions C.6); an error after the stream opened becomes an SSE `error` frame and ends the stream.
 */
import type { ServerResponse } from 'node:http';
import { toGatewayError, type ErrorReason } from '../errors.js';
import type { DeliveredImage, GenerationEvent } from '../service/types.js';
import type { OpenAiErrorEnvelope } from './openai-errors.js';
import { completedJson, partialFailedJson, partialSucceededJson, unixSeconds, warningsWithImages, type StreamEventPrefix } from './response-json.js';
import { openSse, SSE_DONE, sseComment, sseEvent } from './sse-writer.js';

export interface ImageStreamOptions {
  readonly raw: ServerResponse;
  /** The first event, already pulled; the rest come from `iterator`. */
  readonly first: GenerationEvent;
  readonly iterator: AsyncIterator<GenerationEvent>;
  /** The upstream model id for image events; `completed` reports the one that actually served. */
  readonly model: string;
  readonly webSearch: boolean;
  readonly warnings: readonly string[];
  /** Response headers besides the SSE ones (warnings). */
  readonly headers: Readonly<Record<string, string>>;
  /** Clock (ms since the epoch) for each event's `created`. */
  readonly now: () => number;
  /** Event type prefix: `image_generation` or `image_edit`. */
  readonly prefix: StreamEventPrefix;
  /** The envelope for an error after the stream opened. */
  readonly envelopeOf: (error: unknown) => OpenAiErrorEnvelope;
}

/** How a stream ended, for the call's log line. */
export interface StreamOutcome {
  readonly outcome: 'ok' | 'client_gone' | ErrorReason;
  readonly images: number;
  readonly failures: number;
}

/** Writes the stream to the end, the client's departure, or an error. Never throws. */
export async function writeImageStream(options: ImageStreamOptions): Promise<StreamOutcome> {
  const { iterator, webSearch, warnings, prefix } = options;
  const writer = openSse(options.raw, options.headers);
  let images = 0;
  let failures = 0;
  // Images the gateway could not host, for `completed`'s warnings (each event also carries its own).
  const unhosted: DeliveredImage[] = [];
  const frameOf = (event: GenerationEvent): string | Buffer => {
    const created = unixSeconds(options.now());
    switch (event.type) {
      case 'image':
        images += 1;
        if (event.image.warning !== undefined) unhosted.push(event.image);
        return sseEvent(`${prefix}.partial_succeeded`, partialSucceededJson(event.image, options.model, created, prefix));
      case 'failure':
        failures += 1;
        return sseEvent(`${prefix}.partial_failed`, partialFailedJson(event.failure, options.model, created, prefix));
      case 'heartbeat':
        return sseComment(`keep-alive elapsed_ms=${event.elapsedMs} images_delivered=${event.imagesDelivered} images_failed=${event.imagesFailed}`);
      case 'completed':
        return sseEvent(`${prefix}.completed`, completedJson(event.usage, event.model || options.model, created, webSearch, warningsWithImages(warnings, unhosted), prefix));
      default: {
        const unreachable: never = event;
        throw new Error(`unknown event ${JSON.stringify(unreachable)}`);
      }
    }
  };

  let event: GenerationEvent | undefined = options.first;
  try {
    while (event !== undefined) {
      if (!(await writer.write(frameOf(event)))) return { outcome: 'client_gone', images, failures };
      const next = await iterator.next();
      event = next.done === true ? undefined : next.value;
    }
    if (!(await writer.write(SSE_DONE))) return { outcome: 'client_gone', images, failures };
    writer.end();
    return { outcome: 'ok', images, failures };
  } catch (error) {
    if (!writer.open) return { outcome: 'client_gone', images, failures };
    const gatewayError = toGatewayError(error);
    // `event: error` with the OpenAI envelope: OpenAI SDKs raise it as an APIError (reference §3.4).
    await writer.write(sseEvent('error', JSON.stringify(options.envelopeOf(gatewayError))));
    writer.end();
    return { outcome: gatewayError.reason, images, failures };
  } finally {
    // Ends the core's generation (and its upstream calls) when we stop early; a no-op once it is done.
    // The response is over either way, so a failure while closing has nobody left to be told.
    await iterator.return?.().catch(() => undefined);
  }
}
