import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import { createArkUpstream } from '../../src/upstream/ark/ark-upstream.js';
import type { ImageUpstream } from '../../src/upstream/types.js';
import { collect, collectOk } from './helpers/collect.js';
import { jsonAnswer, sseAnswer, sseFrame, startFakeArkServer, type FakeArkServer } from './helpers/fake-ark-server.js';
import { callOptions, simpleRequest } from './helpers/requests.js';

let server: FakeArkServer;
let ark: ImageUpstream;

beforeAll(async () => {
  server = await startFakeArkServer();
  ark = createArkUpstream({ baseUrl: `${server.origin}/api/v3`, apiKey: 'k', region: 'cn', connectTimeoutMs: 2000, maxConnections: 4 });
});
afterAll(async () => {
  await ark.close();
  await server.close();
});

/** Resolves when the server saw the socket of its latest request close; fails after 2 s. */
async function serverSocketClosed(): Promise<void> {
  const request = server.requests.at(-1);
  if (request === undefined) throw new Error('no request');
  await Promise.race([
    request.socketClosed,
    new Promise((_, reject) => setTimeout(() => reject(new Error('socket still open after 2 s')), 2000)),
  ]);
}

const image = (index: number) =>
  sseFrame({ type: 'image_generation.partial_succeeded', model: 'm', created: 1, image_index: index, url: `https://i/${index}`, size: '2048x2048' });
const streamRequest = () => simpleRequest('seedream_4_5', { stream: true });

describe('timeouts', () => {
  it('no answer within timeoutMs → UPSTREAM_UNAVAILABLE, retryable, socket closed', async () => {
    server.enqueue({ ...jsonAnswer(200, {}), headersDelayMs: 3000 });
    const start = performance.now();
    const { error } = await collect(ark.generate(simpleRequest('seedream_4_5'), callOptions({ timeoutMs: 200 })));
    expect(performance.now() - start).toBeLessThan(1500);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ reason: 'UPSTREAM_UNAVAILABLE', retryable: true, message: 'the upstream did not answer within 200 ms' });
    await serverSocketClosed();
  });

  it('a stream that stalls past timeoutMs → UPSTREAM_UNAVAILABLE after the events so far', async () => {
    server.enqueue(sseAnswer([image(0), { hang: true }], { 'x-request-id': 'req-slow' }));
    const { events, error } = await collect(ark.generate(streamRequest(), callOptions({ timeoutMs: 300 })));
    expect(events.map((e) => e.type)).toEqual(['image']);
    expect(error).toMatchObject({ reason: 'UPSTREAM_UNAVAILABLE', retryable: true, upstream: { requestId: 'req-slow' } });
    await serverSocketClosed();
  });
});

describe('caller cancellation', () => {
  it('abort mid-stream closes the connection and throws the signal reason when it is a GatewayError', async () => {
    server.enqueue(sseAnswer([image(0), { hang: true }]));
    const controller = new AbortController();
    const reason = new GatewayError('DEADLINE_EXCEEDED', 'deadline passed');
    const seen: string[] = [];
    let thrown: unknown;
    try {
      for await (const event of ark.generate(streamRequest(), callOptions({ signal: controller.signal }))) {
        seen.push(event.type);
        controller.abort(reason);
      }
    } catch (error) {
      thrown = error;
    }
    expect(seen).toEqual(['image']);
    expect(thrown).toBe(reason);
    await serverSocketClosed();
  });

  it('abort with a non-GatewayError reason → CANCELLED', async () => {
    server.enqueue(sseAnswer([image(0), { hang: true }]));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const { events, error } = await collect(ark.generate(streamRequest(), callOptions({ signal: controller.signal })));
    expect(events).toHaveLength(1);
    expect(error).toMatchObject({ reason: 'CANCELLED', retryable: false });
    await serverSocketClosed();
  });

  it('abort while waiting for the headers → CANCELLED and the socket closes', async () => {
    server.enqueue({ ...jsonAnswer(200, {}), headersDelayMs: 3000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const { error } = await collect(ark.generate(simpleRequest('seedream_4_5'), callOptions({ signal: controller.signal })));
    expect(error).toMatchObject({ reason: 'CANCELLED' });
    await serverSocketClosed();
  });

  it('an already-aborted signal fails at once with CANCELLED', async () => {
    const before = server.requests.length;
    const { error } = await collect(ark.generate(simpleRequest('seedream_4_5'), callOptions({ signal: AbortSignal.abort() })));
    expect(error).toMatchObject({ reason: 'CANCELLED' });
    expect(server.requests.length).toBe(before);
  });

  it('a consumer that stops early (return()) closes the upstream connection', async () => {
    server.enqueue(sseAnswer([image(0), image(1), { hang: true }]));
    const iterator = ark.generate(streamRequest(), callOptions())[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toMatchObject({ type: 'image', index: 0 });
    await iterator.return?.();
    await serverSocketClosed();
  });

  it('break out of for-await closes it too', async () => {
    server.enqueue(sseAnswer([image(0), { hang: true }]));
    for await (const event of ark.generate(streamRequest(), callOptions())) {
      expect(event.type).toBe('image');
      break;
    }
    await serverSocketClosed();
  });

  it('the client keeps working after cancelled attempts', async () => {
    server.enqueue(jsonAnswer(200, { model: 'm', created: 1, data: [{ url: 'https://i/1' }], usage: { generated_images: 1, output_tokens: 1 } }));
    const events = await collectOk(ark.generate(simpleRequest('seedream_4_5'), callOptions()));
    expect(events.map((e) => e.type)).toEqual(['image', 'completed']);
  });
});
