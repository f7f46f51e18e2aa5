/**
 * `GET /v1/models` through the OpenAI SDK (list and retrieve by any name) with capabilities, and the
 * liveness/readiness probes (readiness turns 503 once shutdown begins).
 */
import { once } from 'node:events';
import { connect } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelCatalog } from '../../src/models/catalog.js';
import { completed, image, wait } from '../helpers/scripted-upstream.js';
import { rawRequest } from './helpers/raw-http.js';
import { API_KEY, startScripted, type RestHarness } from './helpers/rest-harness.js';
import { sdkClient } from './helpers/sdk.js';

let harness: RestHarness;
let client: OpenAI;
beforeAll(async () => {
  harness = await startScripted(async function* () {
    yield completed(0);
  });
  client = sdkClient(harness.url);
});
afterAll(() => harness.close());

describe('GET /v1/models', () => {
  it('lists every catalog model in OpenAI\'s shape, with capabilities', async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    expect(ids).toEqual([
      'doubao-seedream-3-0-t2i-250415',
      'doubao-seedream-4-0-250828',
      'doubao-seedream-4-5-251128',
      'doubao-seedream-5-0-260128',
      'doubao-seedream-5-0-pro-260628',
      'doubao-seedream-5-0-flash-260915',
      'doubao-seedream-5-5-261028',
    ]);
    expect(page.data).toHaveLength(modelCatalog.length);
    expect(page.data[2]).toEqual({
      id: 'doubao-seedream-4-5-251128',
      object: 'model',
      created: Date.UTC(2025, 10, 28) / 1000,
      owned_by: 'bytedance',
      display_name: 'Seedream 4.5',
      spec_field: 'seedream_4_5',
      aliases: ['doubao-seedream-4-5-251128', 'seedream-4-5-251128', 'doubao-seedream-4-5', 'seedream-4-5'],
      size_tiers: ['2K', '4K'],
      default_size: '2048x2048',
      min_pixels: 3_686_400,
      max_pixels: 16_777_216,
      min_aspect_ratio: 1 / 16,
      max_aspect_ratio: 16,
      max_reference_images: 14,
      supports_image_set: true,
      supports_native_streaming: true,
      output_formats: ['jpeg'],
      prompt_optimization_modes: ['standard'],
      parameters: ['size', 'sequential_image_generation'],
      price_per_image: { currency: 'USD', amount: 0.04, amount_micros: 40_000 },
    });
    expect(page.data[4]).toMatchObject({ price_per_large_image: { amount_micros: 90_000 }, large_image_min_pixels: 2_610_001 });
  });

  it.each(['seedream-5-0-lite-260128', 'doubao-seedream-5-0', 'SEEDREAM-5-0-LITE'])('retrieves 5.0 lite by %s', async (name) => {
    const model = await client.models.retrieve(name);
    expect(model).toMatchObject({ id: 'doubao-seedream-5-0-260128', parameters: ['size', 'sequential_image_generation', 'output_format', 'tools'] });
  });

  it('answers 404 model_not_found for an unknown model', async () => {
    const error = await client.models.retrieve('dall-e-3').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ code: 'model_not_found', param: 'model' });
  });
});

describe('probes', () => {
  it('answers liveness and readiness, and readiness 503 once shutdown begins', async () => {
    const live = await rawRequest(harness.url, { path: '/healthz' });
    expect([live.status, live.json()]).toEqual([200, { status: 'ok' }]);
    expect((await rawRequest(harness.url, { path: '/readyz' })).status).toBe(200);
    expect((await rawRequest(harness.url, { method: 'HEAD', path: '/healthz' })).status).toBe(200);
    harness.lifecycle.beginShutdown();
    const ready = await rawRequest(harness.url, { path: '/readyz' });
    expect([ready.status, ready.json()]).toEqual([503, { status: 'shutting_down' }]);
    expect((await rawRequest(harness.url, { path: '/healthz' })).status).toBe(200);
  });
});

describe('shutdown', () => {
  it('lets a running stream finish and refuses the next request on its connection with a 503 envelope', async () => {
    const closing = await startScripted(async function* (_call, signal) {
      await wait(200, signal);
      yield image(0);
      yield completed(1);
    }, { env: { HEARTBEAT_INTERVAL_MS: '20' } });
    const port = Number(new URL(closing.url).port);
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    const body = JSON.stringify({ model: 'doubao-seedream-4-5', prompt: 'p', stream: true });
    const post = `POST /v1/images/generations HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${API_KEY}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    socket.write(post);
    await expect.poll(() => received.includes(': keep-alive')).toBe(true);
    const closed = closing.server.close();
    socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    await once(socket, 'end');
    await closed;
    await closing.close().catch(() => undefined);
    expect(received).toContain('data: [DONE]');
    const second = received.slice(received.indexOf('data: [DONE]'));
    expect(second).toContain('HTTP/1.1 503');
    expect(second.toLowerCase()).toContain('connection: close');
    expect(second).toContain('{"error":{"message":"the gateway is shutting down; retry on another instance","type":"server_error","param":null,"code":"shutting_down"}}');
  });
});
