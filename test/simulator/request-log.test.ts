import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { referenceImageDataUri, startSimulator, type TestSimulator } from '../helpers/simulator.js';
import { generate } from './support.js';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startSimulator();
});
beforeEach(() => sim.simulator.requests.clear());
afterAll(() => sim.close());

const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const single = { model: 'doubao-seedream-4-5-251128', prompt: 'a fox', size: '2K' };

describe('request log', () => {
  it('records headers (traceparent kept, key redacted), the body without image bytes, and the outcome', async () => {
    const image = referenceImageDataUri();
    const decoded = Buffer.from(image.split(',')[1] ?? '', 'base64').length;
    const before = Date.now();
    const answer = await generate(sim, { ...single, image: [image, 'https://example.com/a.png'] }, { headers: { traceparent } });
    const entry = await sim.simulator.requests.waitFor(() => true);
    expect(entry).toMatchObject({
      id: answer.headers.get('x-request-id'),
      method: 'POST',
      path: '/api/v3/images/generations',
      status: 200,
      imagesDelivered: 1,
      imagesFailed: 0,
      aborted: false,
      fault: undefined,
      body: { ...single, image: [`data:image/png;base64,<${decoded} bytes>`, 'https://example.com/a.png'] },
    });
    expect(entry.headers.traceparent).toBe(traceparent);
    expect(entry.headers.authorization).toBe('Bearer <redacted>');
    expect(JSON.stringify(entry)).not.toContain(sim.apiKey);
    expect(entry.receivedAt).toBeGreaterThanOrEqual(before);
    expect(entry.completedAt).toBeGreaterThanOrEqual(entry.receivedAt);
  });

  it('records refused requests with their status and the relay path', async () => {
    await generate(sim, single, { key: 'wrong', path: '/v1/images/generations' });
    await generate(sim, { ...single, size: '1K' });
    await sim.simulator.requests.idle();
    expect(sim.simulator.requests.entries().map((e) => [e.path, e.status])).toEqual([
      ['/v1/images/generations', 401],
      ['/api/v3/images/generations', 400],
    ]);
  });

  it('serves the log on GET /_simulator/requests and clears it on DELETE', async () => {
    await generate(sim, single, { headers: { traceparent } });
    await sim.simulator.requests.idle();
    const listed = (await (await fetch(`${sim.url}/_simulator/requests`)).json()) as { requests: { headers: Record<string, string> }[] };
    expect(listed.requests).toHaveLength(1);
    expect(listed.requests[0]?.headers.traceparent).toBe(traceparent);
    expect((await fetch(`${sim.url}/_simulator/requests`, { method: 'DELETE' })).status).toBe(204);
    expect(sim.simulator.requests.entries()).toEqual([]);
  });

  it('keeps only the last requestLogLimit entries', async () => {
    const bounded = await startSimulator({ requestLogLimit: 2 });
    try {
      for (const prompt of ['one', 'two', 'three']) await generate(bounded, { ...single, prompt });
      await bounded.simulator.requests.idle();
      expect(bounded.simulator.requests.entries().map((e) => (e.body as { prompt: string }).prompt)).toEqual(['two', 'three']);
    } finally {
      await bounded.close();
    }
  });
});

describe('client disconnects', () => {
  it('marks a request aborted and stops generating when the client goes away mid-stream', async () => {
    const slow = await startSimulator({ latencyMs: 100 });
    try {
      const body = JSON.stringify({ ...single, prompt: 'Generate 5 images', sequential_image_generation: 'auto', stream: true });
      await new Promise<void>((resolve, reject) => {
        const req = request(`${slow.url}/api/v3/images/generations`, {
          method: 'POST',
          headers: { authorization: `Bearer ${slow.apiKey}`, 'content-type': 'application/json' },
        });
        req.on('response', (res) => res.once('data', () => {
          req.destroy(); // cancel after the first event
          resolve();
        }));
        req.on('error', (error) => (error.message.includes('socket hang up') ? undefined : reject(error)));
        req.end(body);
      });
      const entry = await slow.simulator.requests.waitFor((e) => e.aborted);
      expect(entry.imagesDelivered).toBe(1);
      expect(entry.completedAt).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 350));
      expect(slow.simulator.requests.entries()[0]?.imagesDelivered).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it('marks a non-streaming request aborted when the caller cancels while it renders', async () => {
    const slow = await startSimulator({ latencyMs: 5_000 });
    try {
      const controller = new AbortController();
      const pending = fetch(`${slow.url}/api/v3/images/generations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${slow.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(single),
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 100);
      await expect(pending).rejects.toThrow();
      const started = Date.now();
      const entry = await slow.simulator.requests.waitFor((e) => e.aborted);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(entry).toMatchObject({ aborted: true, status: undefined, imagesDelivered: 0 });
    } finally {
      await slow.close();
    }
  });
});
