/**
 * Streams that are opened and then only wait: a gRPC StreamImages or a REST `stream: true` request held
 * open until the harness aborts it. Each resolves once its abort ended it, and rejects when it failed or
 * finished on its own first — a waiting stream that ends early is a harness failure.
 */
import type { Pool } from 'undici';
import type { ImageServiceClient, StreamImagesRequest } from '../../gen/seedream/v1/image_service.js';
import { bearer } from './grpc-calls.js';

export async function waitingGrpcStream(client: ImageServiceClient, request: StreamImagesRequest, key: string, signal: AbortSignal): Promise<void> {
  try {
    for await (const message of client.streamImages(request, { metadata: bearer(key), signal })) {
      // Heartbeats are what a waiting stream receives; anything else means it is not waiting.
      if (message.event?.$case !== 'heartbeat') throw new Error(`a waiting StreamImages received ${message.event?.$case ?? 'an empty event'}`);
    }
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  }
  if (!signal.aborted) throw new Error('a waiting StreamImages ended before it was cancelled');
}

export async function waitingRestStream(pool: Pool, body: string, key: string, signal: AbortSignal): Promise<void> {
  try {
    const response = await pool.request({
      path: '/v1/images/generations',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body,
      signal,
    });
    if (response.statusCode !== 200) throw new Error(`a waiting REST stream got ${response.statusCode}: ${(await response.body.text()).slice(0, 300)}`);
    // Headers leave with the first event (a heartbeat comment after HEARTBEAT_INTERVAL_MS); drain until aborted.
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      if (chunk.includes('partial_succeeded')) throw new Error('a waiting REST stream received an image');
    }
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  }
  if (!signal.aborted) throw new Error('a waiting REST stream ended before it was cancelled');
}
