/**
 * GenerateImages is StreamImages collected (DESIGN §2: everything is a stream inside): the core's events
 * → one GenerateImagesResponse, images and failures ordered by index, usage and model from `completed`.
 */
import type { GeneratedImage, ImageFailure } from '../../gen/seedream/v1/events.js';
import type { GenerateImagesResponse } from '../../gen/seedream/v1/image_service.js';
import { GatewayError } from '../errors.js';
import type { GenerationEvent } from '../service/types.js';
import { generatedImageFromDomain, imageFailureFromDomain, usageFromDomain } from './events-to-proto.js';

/** Drains a generation into one response. Heartbeats are dropped: a unary caller cannot see them. */
export async function generateResponseFromEvents(events: AsyncIterable<GenerationEvent>): Promise<GenerateImagesResponse> {
  const images: GeneratedImage[] = [];
  const failures: ImageFailure[] = [];
  for await (const event of events) {
    switch (event.type) {
      case 'image':
        images.push(generatedImageFromDomain(event.image));
        break;
      case 'failure':
        failures.push(imageFailureFromDomain(event.failure));
        break;
      case 'heartbeat':
        break;
      case 'completed':
        // Images arrive in completion order; the response promises index order.
        images.sort(byIndex);
        failures.sort(byIndex);
        return { images, failures, usage: usageFromDomain(event.usage), model: event.model };
    }
  }
  // The core ends every successful generation with `completed`; anything else is a bug in the gateway.
  throw new GatewayError('INTERNAL', 'internal error', {
    cause: new Error('the generation ended without a completed event'),
  });
}

function byIndex(a: { index: number }, b: { index: number }): number {
  return a.index - b.index;
}
