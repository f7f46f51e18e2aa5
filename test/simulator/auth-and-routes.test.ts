import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator } from '../../src/simulator/index.js';
import { startSimulator, type TestSimulator } from '../helpers/simulator.js';
import { expectArkError, generate } from './support.js';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startSimulator({ apiKey: 'the-only-key' });
});
afterAll(() => sim.close());

const body = { model: 'doubao-seedream-4-0-250828', prompt: 'a fox', size: '1K' };
const post = (url: string, authorization?: string) =>
  fetch(`${url}/api/v3/images/generations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization !== undefined && { authorization }) },
    body: JSON.stringify(body),
  });

describe('authentication (reference §0, §2.1)', () => {
  it.each([
    ['no Authorization header', null],
    ['a wrong key', 'not-the-key'],
    ['an empty key', ''],
  ])('answers 401 AuthenticationError for %s', async (_name, key) => {
    const answer = await generate(sim, body, { key });
    expectArkError(answer, 401, 'AuthenticationError', '');
    expect(answer.body.error?.type).toBe('Unauthorized');
    expect(answer.body.error?.message).toMatch(/^the API key or AK\/SK in the request is missing or invalid\. Request id: /);
  });

  it('refuses a non-Bearer scheme and accepts the scheme in any case', async () => {
    expect((await post(sim.url, 'Basic the-only-key')).status).toBe(401);
    expect((await post(sim.url, 'bearer the-only-key')).status).toBe(200);
  });

  it('guards the relay path the same way', async () => {
    expect((await generate(sim, body, { key: null, path: '/v1/images/generations' })).status).toBe(401);
    expect((await generate(sim, body, { path: '/v1/images/generations' })).status).toBe(200);
  });

  it('accepts any non-empty key when no key is configured', async () => {
    const open = createSimulator();
    const url = await open.listen();
    try {
      expect((await post(url, 'Bearer anything-at-all')).status).toBe(200);
      expect((await post(url)).status).toBe(401);
      expect((await post(url, 'Bearer ')).status).toBe(401);
    } finally {
      await open.close();
    }
  });

  it('serves image downloads and the control API without a key', async () => {
    const url = (await generate(sim, body)).body.data?.[0]?.url ?? '';
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(`${sim.url}/_simulator/health`)).status).toBe(200);
  });
});

describe('routes', () => {
  it('answers 405 with Allow: POST for other methods on the generation paths', async () => {
    const response = await fetch(`${sim.url}/api/v3/images/generations`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('answers 404 with an Ark error body for unknown paths', async () => {
    const response = await fetch(`${sim.url}/api/v3/chat/completions`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe('NotFound');
  });

  it('answers 404 and 405 for unknown control endpoints and methods', async () => {
    expect((await fetch(`${sim.url}/_simulator/nothing`)).status).toBe(404);
    expect((await fetch(`${sim.url}/_simulator/health`, { method: 'DELETE' })).status).toBe(405);
  });

  it('answers 413 for a body over maxBodyBytes', async () => {
    const small = await startSimulator({ maxBodyBytes: 1000 });
    try {
      const answer = await generate(small, { ...body, prompt: 'x'.repeat(2000) });
      expectArkError(answer, 413, 'RequestTooLarge');
    } finally {
      await small.close();
    }
  });

  it('resolves listen() to its loopback URL and refuses url before listening', async () => {
    const fresh = createSimulator();
    expect(() => fresh.url).toThrow(/not listening/);
    const url = await fresh.listen();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fresh.url).toBe(url);
    await fresh.close();
  });
});
