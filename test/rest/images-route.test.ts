/**
 * The images route over raw HTTP with a scripted upstream: the non-streaming body (data ordered by
 * index, failures in place as data[i].error, usage with estimated cost), core errors mapped to the
 * envelope, and the values that reach the upstream.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import type { UpstreamEvent } from '../../src/upstream/types.js';
import { base64Of, completed, image, wait, type Script } from '../helpers/scripted-upstream.js';
import { rawRequest, startRequest, type RawResponse } from './helpers/raw-http.js';
import { API_KEY, startScripted, type RestHarness } from './helpers/rest-harness.js';
import type { ScriptedUpstream } from '../helpers/scripted-upstream.js';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);
const headers = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };
let harness: (RestHarness & { upstream: ScriptedUpstream }) | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function call(script: Script, body: object, env: Record<string, string> = {}): Promise<RawResponse> {
  harness = await startScripted(script, { env: { RETRY_MAX_ATTEMPTS: '1', ...env }, now: () => NOW });
  return rawRequest(harness.url, { method: 'POST', path: '/v1/images/generations', headers, body: JSON.stringify({ model: 'doubao-seedream-4-5-251128', prompt: 'gulls', ...body }) });
}

const failure = (index: number): UpstreamEvent => ({ type: 'failure', index, code: 'OutputImageSensitiveContentDetected', message: 'moderated' });

describe('non-streaming responses', () => {
  it('returns Ark\'s shape with failures in place and the estimated cost in usage', async () => {
    const res = await call(async function* () {
      yield image(0, { width: 2496, height: 1664 });
      yield failure(1);
      yield image(2, { url: 'https://upstream.example/img-2.jpeg', width: 2496, height: 1664 });
      yield completed(2);
    }, { sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 3 } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.text).toBe(JSON.stringify({
      created: 1767323045,
      model: 'doubao-seedream-4-5-251128',
      data: [
        { url: 'https://upstream.example/img-0.jpeg', size: '2496x1664' },
        { error: { code: 'OutputImageSensitiveContentDetected', message: 'moderated' } },
        { url: 'https://upstream.example/img-2.jpeg', size: '2496x1664' },
      ],
      usage: { generated_images: 2, output_tokens: 32448, total_tokens: 32448, estimated_cost: { currency: 'USD', amount: 0.08, amount_micros: 80000 } },
    }));
  });

  it('orders data by image index when the n requests finish out of order', async () => {
    const res = await call(async function* (call, signal) {
      const first = call.attempt === 1;
      await wait(first ? 60 : 0, signal);
      yield image(0, { url: `https://upstream.example/attempt-${call.attempt}.jpeg` });
      yield completed(1);
    }, { n: 2 });
    const body = res.json() as { data: { url: string }[] };
    expect(body.data.map((d) => d.url)).toEqual(['https://upstream.example/attempt-1.jpeg', 'https://upstream.example/attempt-2.jpeg']);
  });

  it('passes b64_json through untouched', async () => {
    const b64 = Buffer.from('image bytes').toString('base64');
    const res = await call(async function* () {
      yield image(0, { url: undefined, b64: base64Of(b64) });
      yield completed(1);
    }, { response_format: 'b64_json' });
    expect(res.json()).toMatchObject({ data: [{ b64_json: b64, size: '2048x2048' }] });
  });

  it('sends base64 answers whole, under an exact content-length and with the overhead headers', async () => {
    // Images of several of base64.ts's segments each: the body goes to the socket as its parts.
    const b64s = [randomBytes(300_000).toString('base64'), randomBytes(70_001).toString('base64')];
    const res = await call(async function* () {
      yield image(1, { url: undefined, b64: base64Of(b64s[1] ?? '') });
      yield image(0, { url: undefined, b64: base64Of(b64s[0] ?? '') });
      yield completed(2);
    }, { response_format: 'b64_json', sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 2 } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    expect(Number(res.headers['x-gateway-overhead-ms'])).toBeGreaterThanOrEqual(0);
    const body = res.json() as { data: { b64_json: string }[]; usage: { generated_images: number } };
    expect(body.data.map((d) => d.b64_json)).toEqual(b64s);
    expect(body.usage.generated_images).toBe(2);
  });

  it('reports web searches in tool_usage for 5.0 lite', async () => {
    const res = await call(async function* (call) {
      expect(call.request.webSearch).toBe(true);
      yield image(0);
      yield { type: 'completed', model: 'doubao-seedream-5-0-260128', generatedImages: 1, outputTokens: 16384, webSearches: 1 };
    }, { model: 'doubao-seedream-5-0-lite-260128', tools: [{ type: 'web_search' }] });
    expect(res.json()).toMatchObject({ model: 'doubao-seedream-5-0-260128', usage: { tool_usage: { web_search: 1 } } });
  });

  it('sends the model options and common fields upstream', async () => {
    await call(async function* () {
      yield image(0);
      yield completed(1);
    }, { model: 'seedream-4-0', size: '1K', watermark: false, optimize_prompt_options: { mode: 'fast' }, user: 'u1' });
    expect(harness?.upstream.calls[0]?.request).toMatchObject({ modelId: 'doubao-seedream-4-0-250828', size: '1K', watermark: false, promptOptimization: 'fast', prompt: 'gulls' });
  });

  it('logs one line per call', async () => {
    await call(async function* () {
      yield image(0);
      yield completed(1);
    }, {});
    await expect.poll(() => harness?.logs.filter((l) => l.msg === 'rest call')).toEqual([
      expect.objectContaining({ keyName: 'test', model: 'seedream_4_5', stream: false, outcome: 'ok', images: 1, failures: 0, ms: expect.any(Number) }),
    ]);
  });
});

describe('core errors', () => {
  it('maps core validation to 400 with the REST field name', async () => {
    const res = await call(async function* () {
      yield completed(0);
    }, { image: ['https://a.example/1.png'], sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 15 } });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error: { param: 'sequential_image_generation_options.max_images', message: expect.stringMatching(/^sequential_image_generation_options\.max_images: 1 reference images \+ max_images 15 exceeds 15/) } });
  });

  it('answers CONCURRENCY_LIMITED with 429 and Retry-After', async () => {
    harness = await startScripted(async function* (_call, signal) {
      await wait(30_000, signal);
      yield completed(0);
    }, { env: { MAX_CONCURRENT_GENERATIONS: '1' } });
    const body = JSON.stringify({ model: 'doubao-seedream-4-5', prompt: 'p' });
    const { request } = startRequest(harness.url, { method: 'POST', path: '/v1/images/generations', headers, body });
    const started = harness;
    await expect.poll(() => started.upstream.calls.length).toBe(1);
    const res = await rawRequest(harness.url, { method: 'POST', path: '/v1/images/generations', headers, body });
    request.destroy();
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({ error: { type: 'rate_limit_error', code: 'concurrency_limit_exceeded' } });
  });

  it('answers moderation of the prompt with 400 moderation_blocked', async () => {
    const res = await call(async function* () {
      yield* [];
      throw new GatewayError('CONTENT_REJECTED', 'the prompt was rejected by moderation', { upstream: { status: 400, code: 'InputTextSensitiveContentDetected', requestId: 'r-1' } });
    }, {});
    expect(res.status).toBe(400);
    expect(res.headers['x-upstream-request-id']).toBe('r-1');
    expect(res.json()).toEqual({ error: { message: 'the prompt was rejected by moderation', type: 'image_generation_user_error', param: null, code: 'moderation_blocked' } });
  });

  it('answers an upstream credential failure with 500 and a fixed message', async () => {
    const res = await call(async function* () {
      yield* [];
      throw new GatewayError('UPSTREAM_AUTH_FAILED', 'Ark said: the API key ak-123 is invalid');
    }, {});
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('ak-123');
    expect(res.json()).toMatchObject({ error: { code: 'upstream_auth_failed', type: 'server_error' } });
  });

  it('answers an unexpected exception with 500 "internal error", its detail in the log only', async () => {
    const res = await call(async function* () {
      yield* [];
      throw new TypeError('cannot read sk-secret of undefined');
    }, {});
    expect(res.status).toBe(500);
    expect(res.json()).toEqual({ error: { message: 'internal error', type: 'server_error', param: null, code: 'internal_error' } });
    expect(JSON.stringify(harness?.logs)).toContain('cannot read');
  });

  it('answers an unknown model with 404 model_not_found', async () => {
    const res = await call(async function* () {
      yield completed(0);
    }, { model: 'gpt-image-1' });
    expect(res.status).toBe(404);
    expect(res.json()).toMatchObject({ error: { param: 'model', code: 'model_not_found', message: expect.stringContaining('"gpt-image-1" does not exist') } });
  });
});
