/**
 * SSE over raw HTTP, byte-exact: framing and event fields (reference §3.1–§3.3), heartbeats as comment
 * lines, an error before the first event as plain JSON, an error after it as an SSE error frame, client
 * disconnect aborting the upstream, and back-pressure from a slow reader.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import type { UpstreamEvent } from '../../src/upstream/types.js';
import { base64Of, completed, image, wait, type Script } from '../helpers/scripted-upstream.js';
import { openResponse, rawRequest, readAll, startRequest } from './helpers/raw-http.js';
import { API_KEY, startScripted, type RestHarness } from './helpers/rest-harness.js';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5); // created = 1767323045
const headers = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };
let harness: RestHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const streamBody = (extra: object = {}) =>
  JSON.stringify({ model: 'doubao-seedream-4-5-251128', prompt: 'three foxes', stream: true, ...extra });

const moderated: UpstreamEvent = { type: 'failure', index: 1, code: 'OutputImageSensitiveContentDetected', message: 'The request failed because the output image may contain sensitive information.' };

describe('SSE framing', () => {
  it('writes Ark events byte for byte, then data: [DONE]', async () => {
    harness = await startScripted(async function* () {
      yield image(0, { width: 2496, height: 1664 });
      yield moderated;
      yield image(2, { url: 'https://upstream.example/img-2.jpeg', width: 2496, height: 1664 });
      yield completed(2);
    }, { now: () => NOW });
    const res = await rawRequest(harness.url, {
      method: 'POST',
      path: '/v1/images/generations',
      headers,
      body: streamBody({ sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 3 } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache, no-transform');
    const m = '"model":"doubao-seedream-4-5-251128","created":1767323045';
    expect(res.text).toBe(
      'event: image_generation.partial_succeeded\n' +
        `data: {"type":"image_generation.partial_succeeded",${m},"image_index":0,"url":"https://upstream.example/img-0.jpeg","size":"2496x1664"}\n\n` +
        'event: image_generation.partial_failed\n' +
        `data: {"type":"image_generation.partial_failed",${m},"image_index":1,"error":{"code":"OutputImageSensitiveContentDetected","message":"The request failed because the output image may contain sensitive information."}}\n\n` +
        'event: image_generation.partial_succeeded\n' +
        `data: {"type":"image_generation.partial_succeeded",${m},"image_index":2,"url":"https://upstream.example/img-2.jpeg","size":"2496x1664"}\n\n` +
        'event: image_generation.completed\n' +
        `data: {"type":"image_generation.completed",${m},"usage":{"generated_images":2,"output_tokens":32448,"total_tokens":32448,"estimated_cost":{"currency":"USD","amount":0.08,"amount_micros":80000}}}\n\n` +
        'data: [DONE]\n\n',
    );
  });

  it('sends b64_json images as received, without decoding them', async () => {
    const b64 = Buffer.from('not really a jpeg, but base64 all the same').toString('base64');
    harness = await startScripted(async function* () {
      yield image(0, { url: undefined, b64: base64Of(b64) });
      yield completed(1);
    }, { now: () => NOW });
    const res = await rawRequest(harness.url, { method: 'POST', path: '/v1/images/generations', headers, body: streamBody({ response_format: 'b64_json' }) });
    expect(res.text.split('\n\n')[0]).toBe(
      'event: image_generation.partial_succeeded\n' +
        `data: {"type":"image_generation.partial_succeeded","model":"doubao-seedream-4-5-251128","created":1767323045,"image_index":0,"b64_json":"${b64}","size":"2048x2048"}`,
    );
  });

  it('names the upstream model id in image events when the caller used an alias', async () => {
    harness = await startScripted(async function* () {
      yield image(0);
      yield completed(1);
    });
    const res = await rawRequest(harness.url, { method: 'POST', path: '/v1/images/generations', headers, body: streamBody({ model: 'seedream-4-5' }) });
    expect(res.text).toContain('"model":"doubao-seedream-4-5-251128"');
  });

  it('sends heartbeat comments while the upstream is silent, with headers flushed at the first one', async () => {
    // The image takes 1 s; heartbeats come every 40 ms. Headers must arrive long before the image.
    harness = await startScripted(async function* (_call, signal) {
      await wait(1000, signal);
      yield image(0);
      yield completed(1);
    }, { env: { HEARTBEAT_INTERVAL_MS: '40' } });
    const started = Date.now();
    const { res } = await openResponse(harness.url, { method: 'POST', path: '/v1/images/generations', headers, body: streamBody() });
    expect(res.statusCode).toBe(200);
    expect(Date.now() - started).toBeLessThan(700); // headers came with the first heartbeat, not the image
    const text = await readAll(res);
    const frames = text.split('\n\n').filter((f) => f !== '');
    const beats = frames.filter((f) => f.startsWith(': keep-alive'));
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats[0]).toMatch(/^: keep-alive elapsed_ms=\d+ images_delivered=0 images_failed=0$/);
    expect(frames.at(-1)).toBe('data: [DONE]');
  });
});

describe('SSE errors', () => {
  it('answers an error before the first event as ordinary JSON with its status', async () => {
    harness = await startScripted(async function* () {
      yield* [];
      throw new GatewayError('RATE_LIMITED', 'the upstream rate limit was hit', { retryAfterMs: 2500, upstream: { status: 429, code: 'ModelAccountIpmRateLimitExceeded', requestId: 'req-42' } });
    }, { env: { RETRY_MAX_ATTEMPTS: '1' } });
    const res = await rawRequest(harness.url, { method: 'POST', path: '/v1/images/generations', headers, body: streamBody() });
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers['retry-after']).toBe('3');
    expect(res.headers['retry-after-ms']).toBe('2500');
    expect(res.headers['x-upstream-request-id']).toBe('req-42');
    expect(res.json()).toEqual({ error: { message: 'the upstream rate limit was hit', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } });
  });

  it('answers a validation error of a stream as JSON 400 naming the field', async () => {
    harness = await startScripted(async function* () {
      yield completed(0);
    });
    const res = await rawRequest(harness.url, { method: 'POST', path: '/v1/images/generations', headers, body: streamBody({ n: 0 }) });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error: { param: 'n', code: 'invalid_value' } });
  });

  it('ends with an SSE error frame when the call fails after the stream opened', async () => {
    harness = await startScripted(async function* (_call, signal) {
      await wait(80, signal);
      throw new GatewayError('QUOTA_EXCEEDED', 'the upstream account quota is used up', { upstream: { status: 429, code: 'QuotaExceeded' } });
    }, { env: { HEARTBEAT_INTERVAL_MS: '30' } });
    const res = await rawRequest(harness.url, { method: 'POST', path: '/v1/images/generations', headers, body: streamBody() });
    expect(res.status).toBe(200);
    const frames = res.text.split('\n\n').filter((f) => f !== '');
    expect(frames[0]).toMatch(/^: keep-alive/);
    expect(frames.at(-1)).toBe(
      'event: error\ndata: {"error":{"message":"the upstream account quota is used up","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}',
    );
    expect(res.text).not.toContain('[DONE]');
  });
});

describe('client disconnect', () => {
  const hang: Script = async function* (_call, signal) {
    await wait(30_000, signal);
    yield completed(0);
  };

  it('aborts the upstream request at once when a stream client goes away', async () => {
    const started = await startScripted(async function* (_call, signal) {
      yield image(0);
      await wait(30_000, signal);
      yield completed(1);
    });
    harness = started;
    const { res, abort } = await openResponse(started.url, {
      method: 'POST',
      path: '/v1/images/generations',
      headers,
      body: streamBody({ sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 2 } }),
    });
    expect(res.statusCode).toBe(200);
    const abortedAt = Date.now();
    abort();
    await expect.poll(() => started.upstream.calls[0]?.abortReason, { timeout: 2000, interval: 5 }).toMatchObject({ reason: 'CANCELLED' });
    await expect.poll(() => started.upstream.calls[0]?.endedAt, { timeout: 2000, interval: 5 }).toBeDefined();
    expect(Date.now() - abortedAt).toBeLessThan(500);
  });

  it('aborts the upstream request when a non-streaming client goes away', async () => {
    const started = await startScripted(hang);
    harness = started;
    const { request } = startRequest(started.url, { method: 'POST', path: '/v1/images/generations', headers, body: streamBody({ stream: false }) });
    await expect.poll(() => started.upstream.calls.length, { timeout: 2000, interval: 5 }).toBe(1);
    request.destroy();
    await expect.poll(() => started.upstream.calls[0]?.abortReason, { timeout: 2000, interval: 5 }).toMatchObject({ reason: 'CANCELLED' });
  });
});

describe('back-pressure', () => {
  it('pulls no further events while a slow reader has not drained the socket', async () => {
    const b64 = base64Of('A'.repeat(2 << 20));
    let produced = 0;
    const started = await startScripted(async function* () {
      for (let index = 0; index < 15; index++) {
        produced += 1;
        yield image(index, { url: undefined, b64 });
      }
      yield completed(15);
    });
    harness = started;
    const { res } = await openResponse(started.url, {
      method: 'POST',
      path: '/v1/images/generations',
      headers,
      body: streamBody({ response_format: 'b64_json', sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 15 } }),
    });
    res.pause();
    await new Promise((resolve) => setTimeout(resolve, 400));
    // 15 × 2 MiB cannot fit in loopback socket buffers: the writer must be waiting for `drain`.
    expect(produced).toBeLessThan(12);
    res.resume();
    const text = await readAll(res);
    expect(produced).toBe(15);
    expect(text.match(/event: image_generation\.partial_succeeded/g)).toHaveLength(15);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});
