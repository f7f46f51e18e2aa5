/**
 * A generation's events as a job logs them (DESIGN §10: images by URL — hosted when the gateway hosts
 * images — never bytes) and back, so an attached caller, a watcher on another replica and the caller
 * that started the generation all read the same events.
 */
import { GatewayError } from '../errors.js';
import type { DeliveredImage, GenerationEvent, ImageFailure, Usage } from '../service/types.js';
import type { JobEvent, JsonObject } from './job-types.js';

export type LoggedEvent = { readonly type: 'image' | 'failure' | 'completed'; readonly data: JsonObject };

const json = (value: unknown) => JSON.parse(JSON.stringify(value)) as JsonObject;

function imageData(image: DeliveredImage): JsonObject {
  if (image.content.kind !== 'url') {
    // Callers asking for inline data are refused before the job is created (durable-generations.ts).
    throw new GatewayError('INTERNAL', 'a job image arrived inline; jobs log images by URL only');
  }
  return json({
    index: image.index,
    requestIndex: image.requestIndex,
    setIndex: image.setIndex,
    url: image.content.url,
    expiresAt: image.content.expiresAt.getTime(),
    mimeType: image.mimeType,
    width: image.width,
    height: image.height,
    ...(image.stored && { sha256: image.stored.sha256, byteSize: image.stored.byteSize }),
    ...(image.warning !== undefined && { warning: image.warning }),
  });
}

/** The log entry of a generation event; undefined for heartbeats (not logged). */
export function loggedEventOf(event: GenerationEvent): LoggedEvent | undefined {
  switch (event.type) {
    case 'image':
      return { type: 'image', data: imageData(event.image) };
    case 'failure':
      return { type: 'failure', data: json(event.failure) };
    case 'completed':
      return { type: 'completed', data: json({ usage: event.usage, model: event.model }) };
    default:
      return undefined;
  }
}

/** The generation event of a logged `image`, `failure` or `completed` entry; undefined for others. */
export function generationEventOf(event: JobEvent): GenerationEvent | undefined {
  const d = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'image': {
      const image: DeliveredImage = {
        index: d['index'] as number,
        requestIndex: d['requestIndex'] as number,
        setIndex: d['setIndex'] as number,
        content: { kind: 'url', url: d['url'] as string, expiresAt: new Date(d['expiresAt'] as number) },
        mimeType: d['mimeType'] as DeliveredImage['mimeType'],
        width: d['width'] as number,
        height: d['height'] as number,
        ...(typeof d['sha256'] === 'string' && { stored: { sha256: d['sha256'], byteSize: d['byteSize'] as number } }),
        ...(typeof d['warning'] === 'string' && { warning: d['warning'] }),
      };
      return { type: 'image', image };
    }
    case 'failure':
      return { type: 'failure', failure: d as unknown as ImageFailure };
    case 'completed':
      return { type: 'completed', usage: d['usage'] as unknown as Usage, model: d['model'] as string };
    default:
      return undefined;
  }
}
