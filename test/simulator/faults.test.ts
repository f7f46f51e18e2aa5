import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type TestSimulator } from '../helpers/simulator.js';
import { expectArkError, generate, rawPost, sseFrames } from './support.js';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterEach(() => sim.simulator.faults.clear());
afterAll(() => sim.close());

const single = { model: 'doubao-seedream-4-0-250828', prompt: 'a fox', size: '1K' };
const set3 = { ...single, prompt: 'Generate 3 images of a fox', sequential_image_generation: 'auto' };

/** Reads a response until it ends or the connection fails, keeping what arrived. */
function readUntilEnd(body: unknown): Promise<{ status: number | undefined; text: string; failed: boolean }> {
  return new Promise((resolve) => {
    let status: number | undefined;
    let text = '';
    const req = request(`${sim.url}/api/v3/images/generations`, {
      method: 'POST',
      agent: false,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sim.apiKey}` },
    });
    req.on('response', (res) => {
      status = res.statusCode;
      res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      res.on('end', () => resolve({ status, text, failed: false }));
      res.on('error', () => resolve({ status, text, failed: true }));
    });
    req.on('error', () => resolve({ status, text, failed: true }));
    req.end(JSON.stringify(body));
  });
}

describe('status faults', () => {
  it('answers the next N requests with 429 and Retry-After, then recovers', async () => {
    sim.simulator.faults.enqueue({ kind: 'status', status: 429, count: 2, retryAfterSeconds: 3 });
    for (let i = 0; i < 2; i++) {
      const answer = await generate(sim, single);
      expectArkError(answer, 429, 'ModelAccountIpmRateLimitExceeded');
      expect(answer.body.error?.type).toBe('TooManyRequests');
      expect(answer.headers.get('retry-after')).toBe('3');
    }
    expect((await generate(sim, single)).status).toBe(200);
  });

  it('defaults a rate-limit 429 to Retry-After: 1', async () => {
    sim.simulator.faults.enqueue({ kind: 'status', status: 429 });
    expect((await generate(sim, single)).headers.get('retry-after')).toBe('1');
  });

  it('answers the QuotaExceeded variant without Retry-After (not worth retrying soon)', async () => {
    sim.simulator.faults.enqueue({ kind: 'status', status: 429, code: 'QuotaExceeded' });
    const answer = await generate(sim, single);
    expectArkError(answer, 429, 'QuotaExceeded');
    expect(answer.headers.get('retry-after')).toBeNull();
  });

  it.each([
    [500, 'InternalServiceError', 'InternalServerError'],
    [503, 'ServiceUnavailable', 'ServiceUnavailable'],
  ])('answers %i with code %s and type %s', async (status, code, type) => {
    sim.simulator.faults.enqueue({ kind: 'status', status });
    const answer = await generate(sim, single);
    expectArkError(answer, status, code);
    expect(answer.body.error?.type).toBe(type);
  });

  it('applies queued faults in order, one per request, and is taken only by generation requests', async () => {
    sim.simulator.faults.enqueue({ kind: 'status', status: 500 }, { kind: 'status', status: 503 });
    expect((await fetch(`${sim.url}/_simulator/health`)).status).toBe(200);
    expect((await generate(sim, single)).status).toBe(500);
    expect((await generate(sim, single)).status).toBe(503);
    expect((await generate(sim, single)).status).toBe(200);
  });

  it('takes faults given at creation', async () => {
    const faulty = await startSimulator({ faults: [{ kind: 'status', status: 503 }] });
    try {
      expect((await generate(faulty, single)).status).toBe(503);
      expect((await generate(faulty, single)).status).toBe(200);
    } finally {
      await faulty.close();
    }
  });
});

describe('image faults (reference §2 group semantics)', () => {
  it('moderates image k and goes on with the set', async () => {
    sim.simulator.faults.enqueue({ kind: 'moderate', imageIndex: 1 });
    const answer = await generate(sim, set3);
    expect(answer.status).toBe(200);
    expect(answer.body.data?.map((item) => (item.error ? item.error.code : 'image'))).toEqual(['image', 'OutputImageSensitiveContentDetected', 'image']);
    expect(answer.body.data?.[1]).toEqual({
      error: { code: 'OutputImageSensitiveContentDetected', message: 'The request failed because the output image may contain sensitive information.' },
    });
    expect(answer.body.usage?.generated_images).toBe(2);
  });

  it('fails image k with an internal error and stops the set (JSON)', async () => {
    sim.simulator.faults.enqueue({ kind: 'internal-error', imageIndex: 1 });
    const answer = await generate(sim, set3);
    expect(answer.body.data).toHaveLength(2);
    expect(answer.body.data?.[1]?.error?.code).toBe('InternalServiceError');
    expect(answer.body.usage?.generated_images).toBe(1);
  });

  it('fails image k with an internal error and stops the set (SSE)', async () => {
    sim.simulator.faults.enqueue({ kind: 'internal-error', imageIndex: 0 });
    const frames = sseFrames((await rawPost(sim, { ...set3, stream: true })).body.toString('utf8'));
    expect(frames.map((f) => f.event)).toEqual(['image_generation.partial_failed', 'image_generation.completed', undefined]);
    expect(JSON.parse(frames[0]?.data ?? '{}')).toMatchObject({ image_index: 0, error: { code: 'InternalServiceError' } });
    expect(JSON.parse(frames[1]?.data ?? '{}')).toMatchObject({ usage: { generated_images: 0, output_tokens: 0 } });
  });
});

describe('transport faults', () => {
  it('resets the connection before answering a non-streaming request', async () => {
    sim.simulator.faults.enqueue({ kind: 'reset', afterImages: 0 });
    await expect(fetch(`${sim.url}/api/v3/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sim.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(single),
    })).rejects.toThrow();
    await expect(sim.simulator.requests.waitFor((r) => r.fault === 'reset')).resolves.toMatchObject({ status: undefined, aborted: false });
  });

  it('resets the connection mid-stream after k images', async () => {
    sim.simulator.faults.enqueue({ kind: 'reset', afterImages: 1 });
    const result = await readUntilEnd({ ...set3, stream: true });
    expect(result.status).toBe(200);
    expect(result.failed).toBe(true);
    expect(result.text).toMatch(/^event: image_generation\.partial_succeeded\ndata: \{[^\n]*\}\n\n$/);
  });

  it('writes a malformed SSE frame after k images and ends without [DONE]', async () => {
    sim.simulator.faults.enqueue({ kind: 'malformed-sse', afterImages: 1 });
    const result = await readUntilEnd({ ...set3, stream: true });
    expect(result.failed).toBe(false);
    const frames = result.text.split('\n\n').filter(Boolean);
    expect(frames).toHaveLength(2);
    expect(() => JSON.parse(frames[0]?.split('\ndata: ')[1] ?? '')).not.toThrow();
    expect(() => JSON.parse(frames[1]?.split('\ndata: ')[1] ?? '')).toThrow();
    expect(result.text).not.toContain('[DONE]');
  });

  it('answers a non-streaming request with a truncated JSON body for malformed-sse', async () => {
    sim.simulator.faults.enqueue({ kind: 'malformed-sse', afterImages: 3 });
    const result = await readUntilEnd(set3);
    expect(result.status).toBe(200);
    expect(() => JSON.parse(result.text)).toThrow();
  });

  it('ends a stream with an error data line after k images (stream-error)', async () => {
    sim.simulator.faults.enqueue({ kind: 'stream-error', afterImages: 1 });
    const answer = await rawPost(sim, { ...set3, stream: true });
    const frames = sseFrames(answer.body.toString('utf8'));
    expect(frames).toHaveLength(2);
    expect(frames[1]?.event).toBeUndefined();
    const error = JSON.parse(frames[1]?.data ?? '{}') as { error: { code: string; message: string } };
    expect(error.error.code).toBe('InternalServiceError');
    expect(error.error.message).toMatch(new RegExp(`Request id: ${String(answer.headers['x-request-id'])}$`));
  });

  it.each([false, true])('holds back the headers for delay-headers (stream %s)', async (stream) => {
    sim.simulator.faults.enqueue({ kind: 'delay-headers', ms: 200 });
    const answer = await rawPost(sim, { ...single, stream });
    expect(answer.status).toBe(200);
    expect(answer.headersAfterMs).toBeGreaterThanOrEqual(190);
  });
});

describe('control API (POST/GET/DELETE /_simulator/faults)', () => {
  const control = (method: string, body?: unknown) =>
    fetch(`${sim.url}/_simulator/faults`, { method, ...(body !== undefined && { body: JSON.stringify(body) }) });

  it('queues faults sent as JSON and applies them to the next requests', async () => {
    const queued = await control('POST', [{ kind: 'status', status: 429, count: 1 }, { kind: 'moderate', imageIndex: 0 }]);
    expect(queued.status).toBe(200);
    expect(await queued.json()).toMatchObject({ queued: 2, faults: [{ kind: 'status', count: 1 }, { kind: 'moderate', count: 1 }] });
    expect((await generate(sim, single)).status).toBe(429);
    expect((await generate(sim, single)).body.data?.[0]?.error?.code).toBe('OutputImageSensitiveContentDetected');
  });

  it('lists and clears pending faults', async () => {
    await control('POST', { kind: 'status', status: 500, count: 5 });
    expect(await (await control('GET')).json()).toEqual({ faults: [{ kind: 'status', status: 500, count: 5 }] });
    expect((await control('DELETE')).status).toBe(204);
    expect(await (await control('GET')).json()).toEqual({ faults: [] });
    expect((await generate(sim, single)).status).toBe(200);
  });

  it.each([
    ['an unknown kind', { kind: 'explode' }],
    ['a status outside 400–599', { kind: 'status', status: 200 }],
    ['an unknown field', { kind: 'reset', afterImages: 1, when: 'now' }],
    ['a body that is not JSON', 'nope'],
  ])('refuses %s with 400 and a reason', async (_name, body) => {
    const response = await fetch(`${sim.url}/_simulator/faults`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message.length).toBeGreaterThan(0);
    expect(sim.simulator.faults.pending()).toEqual([]);
  });
});
