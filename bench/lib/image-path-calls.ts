/**
 * One image-path call, timed to its first image and to its end: an SSE POST (direct to the stand-in or
 * the gateway's REST `stream: true`) or a gRPC StreamImages. Each answer is checked: the image must
 * arrive whole (its base64 length is known from the prompt) and the stream must end properly.
 */
import type { Pool } from 'undici';
import type { ImageServiceClient } from '../../gen/seedream/v1/image_service.js';
import { ResponseFormat } from '../../gen/seedream/v1/generation_spec.js';
import { SizeTier } from '../../gen/seedream/v1/types.js';
import { bearer } from './grpc-calls.js';
import { base64Length } from './response-content.js';
import { MODEL } from './workloads.js';

export interface TimedCall {
  /** From the call's start to its first image received whole, ms. */
  readonly firstImageMs: number;
  /** From the call's start to the end of the answer, ms. */
  readonly totalMs: number;
}

export type ImagePathCall = (prompt: string, imageLength: number) => Promise<TimedCall>;

/** SSE POST to `path` (the stand-in's `/api/v3/…` or the gateway's `/v1/…`). */
export function sseImageCall(pool: Pool, path: string, key: string): ImagePathCall {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  return async (prompt, imageLength) => {
    const started = performance.now();
    const body = JSON.stringify({ model: MODEL, prompt, size: '2K', response_format: 'b64_json', stream: true });
    const response = await pool.request({ path, method: 'POST', headers, body });
    let firstImageMs: number | undefined;
    let tail = '';
    let size = 0;
    let seenImage = false;
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      // JSON on a `data:` line holds no raw newline, so the first blank line after the event's type
      // ends the image's frame: the first image is in.
      const text = tail + chunk.toString('latin1');
      if (firstImageMs === undefined) {
        seenImage ||= text.includes('partial_succeeded');
        if (seenImage && text.indexOf('\n\n', Math.max(0, text.indexOf('partial_succeeded'))) !== -1) firstImageMs = performance.now() - started;
      }
      tail = text.slice(-64);
    }
    const totalMs = performance.now() - started;
    if (response.statusCode !== 200) throw new Error(`POST ${path}: ${response.statusCode} ${tail}`);
    if (firstImageMs === undefined || !tail.trimEnd().endsWith('data: [DONE]')) throw new Error(`POST ${path}: no image, or the stream did not end with [DONE]`);
    if (size < imageLength) throw new Error(`POST ${path}: ${size} bytes in all, the image alone is ${imageLength}`);
    return { firstImageMs, totalMs };
  };
}

/** gRPC StreamImages of one 2K image as bytes. */
export function grpcImageCall(client: ImageServiceClient, key: string): ImagePathCall {
  const metadata = bearer(key);
  return async (prompt, imageLength) => {
    const started = performance.now();
    let firstImageMs: number | undefined;
    let completed = false;
    for await (const message of client.streamImages(grpcRequest(prompt), { metadata })) {
      const event = message.event;
      if (event?.$case === 'image') {
        firstImageMs ??= performance.now() - started;
        const content = event.value.content;
        const length = content?.$case === 'data' ? base64Length(content.value.length) : -1;
        if (length !== imageLength) throw new Error(`StreamImages: an image of ${length} base64 bytes, expected ${imageLength}`);
      } else if (event?.$case === 'completed') completed = true;
      else if (event?.$case !== 'heartbeat') throw new Error(`StreamImages sent ${JSON.stringify(event)}`);
    }
    if (firstImageMs === undefined || !completed) throw new Error('StreamImages ended without an image or a completed event');
    return { firstImageMs, totalMs: performance.now() - started };
  };
}

function grpcRequest(prompt: string) {
  return {
    requestId: '',
    spec: {
      prompt,
      referenceImages: [],
      responseFormat: ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES,
      n: 1,
      user: '',
      model: { $case: 'seedream45' as const, value: { modelId: '', size: { kind: { $case: 'tier' as const, value: SizeTier.SIZE_TIER_2K } }, imageSet: undefined } },
    },
  };
}
