import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ModelKey } from '../../src/models/types.js';
import { createArkUpstream } from '../../src/upstream/ark/ark-upstream.js';
import type { ImageUpstream, UpstreamEvent } from '../../src/upstream/types.js';
import { textOf } from '../helpers/scripted-upstream.js';
import { collectOk } from './helpers/collect.js';
import { jsonAnswer, sseAnswer, sseFrame, startFakeArkServer, type FakeArkServer } from './helpers/fake-ark-server.js';
import { callOptions, requestWithEverything, simpleRequest } from './helpers/requests.js';

const API_KEY = 'ark-test-key-123';
const NOW = Date.UTC(2026, 0, 1);
let server: FakeArkServer;
let ark: ImageUpstream;

beforeAll(async () => {
  server = await startFakeArkServer();
  ark = createArkUpstream({
    baseUrl: `${server.origin}/api/v3`,
    apiKey: API_KEY,
    region: 'cn',
    endpointIds: {},
    connectTimeoutMs: 2000,
    maxConnections: 4,
    now: () => NOW,
  });
});
afterAll(async () => {
  await ark.close();
  await server.close();
});
afterEach(() => {
  server.requests.length = 0;
});

/** The recorded request's body keys, and its headers minus the secret. */
function lastRequest() {
  const request = server.requests.at(-1);
  if (request === undefined) throw new Error('no request recorded');
  return request;
}

const created = 1_757_323_224;
const usage = (images: number, extra: object = {}) => ({
  generated_images: images,
  output_tokens: 16_384 * images,
  total_tokens: 16_384 * images,
  ...extra,
});

describe('Ark client, JSON answers', () => {
  it.each<[ModelKey, string[]]>([
    ['seedream_3_0', ['model', 'prompt', 'size', 'response_format', 'watermark', 'seed', 'guidance_scale']],
    [
      'seedream_4_0',
      ['model', 'prompt', 'image', 'size', 'response_format', 'watermark', 'sequential_image_generation', 'sequential_image_generation_options', 'optimize_prompt_options'],
    ],
    ['seedream_4_5', ['model', 'prompt', 'image', 'size', 'response_format', 'watermark', 'sequential_image_generation', 'sequential_image_generation_options']],
    [
      'seedream_5_0_lite',
      ['model', 'prompt', 'image', 'size', 'response_format', 'watermark', 'sequential_image_generation', 'sequential_image_generation_options', 'output_format', 'tools'],
    ],
    ['seedream_5_0_pro', ['model', 'prompt', 'image', 'size', 'response_format', 'watermark', 'optimize_prompt_options', 'output_format']],
    ['seedream_5_0_flash', ['model', 'prompt', 'image', 'size', 'response_format', 'watermark', 'output_format']],
  ])('%s: posts only the accepted fields and yields the image and usage', async (key, fields) => {
    const request = requestWithEverything(key);
    const size = key === 'seedream_3_0' ? undefined : '2048x2048';
    server.enqueue(
      jsonAnswer(
        200,
        { model: request.modelId, created, data: [{ url: 'https://img.example/1.jpeg', size }], usage: usage(1) },
        { 'x-request-id': `req-${key}` },
      ),
    );
    const events = await collectOk(ark.generate(request, callOptions()));

    const sent = lastRequest();
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/api/v3/images/generations');
    expect(sent.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.headers.accept).toBe('application/json');
    expect(Object.keys(sent.json as object).sort()).toEqual([...fields].sort());
    expect((sent.json as { model: string }).model).toBe(request.modelId);

    expect(events).toEqual<UpstreamEvent[]>([
      {
        type: 'image',
        index: 0,
        url: 'https://img.example/1.jpeg',
        b64: undefined,
        width: size === undefined ? undefined : 2048,
        height: size === undefined ? undefined : 2048,
        // No signature in the URL: `created` + 24 h (reference §2).
        expiresAt: new Date(created * 1000 + 24 * 3600 * 1000),
        // The requested format when the answer does not say.
        outputFormat: request.model.options.includes('output_format') ? 'png' : 'jpeg',
      },
      { type: 'completed', model: request.modelId, generatedImages: 1, outputTokens: 16_384, webSearches: 0, requestId: `req-${key}` },
    ]);
  });

  it('yields images and failures of a set in data[] order, with web search usage', async () => {
    server.enqueue(
      jsonAnswer(200, {
        model: 'doubao-seedream-5-0-260128',
        created,
        data: [
          { url: 'https://img.example/a.png', size: '2720×1536', output_format: 'png' },
          {
            error: {
              code: 'OutputImageSensitiveContentDetected',
              message: 'The request failed because the output image may contain sensitive information. Request id: 0217',
            },
          },
          { url: 'https://img.example/c.png', size: '2720x1536' },
        ],
        tools: [{ type: 'web_search' }],
        usage: usage(2, { tool_usage: { web_search: 3 } }),
      }),
    );
    const events = await collectOk(ark.generate(requestWithEverything('seedream_5_0_lite', { outputFormat: 'jpeg' }), callOptions()));
    expect(events.map((e) => [e.type, 'index' in e ? e.index : -1])).toEqual([
      ['image', 0],
      ['failure', 1],
      ['image', 2],
      ['completed', -1],
    ]);
    expect(events[0]).toMatchObject({ width: 2720, height: 1536, outputFormat: 'png' });
    expect(events[1]).toEqual({
      type: 'failure',
      index: 1,
      code: 'OutputImageSensitiveContentDetected',
      message: 'The request failed because the output image may contain sensitive information.',
    });
    expect(events[2]).toMatchObject({ outputFormat: 'jpeg' });
    expect(events[3]).toMatchObject({ generatedImages: 2, webSearches: 3, outputTokens: 32_768 });
  });

  it('passes base64 through as the exact bytes received', async () => {
    const b64 = `/9j/${'A'.repeat(3 * 1024 * 1024)}+/==`;
    server.enqueue(jsonAnswer(200, { model: 'm', created, data: [{ b64_json: b64, size: '2048x2048' }], usage: usage(1) }));
    const events = await collectOk(ark.generate(simpleRequest('seedream_4_5', { responseFormat: 'b64_json' }), callOptions()));
    const image = events[0];
    expect(image?.type === 'image' && textOf(image.b64) === b64).toBe(true);
    expect(image).toMatchObject({ url: undefined, expiresAt: undefined });
    expect((lastRequest().json as { response_format: string }).response_format).toBe('b64_json');
  });

  it('takes the expiry from the TOS signature when the URL carries one', async () => {
    const url = 'https://ark.tos.example/x.jpeg?X-Tos-Algorithm=TOS4&X-Tos-Date=20260101T100000Z&X-Tos-Expires=86400&X-Tos-Signature=ab';
    server.enqueue(jsonAnswer(200, { model: 'm', created, data: [{ url, size: '2048x2048' }], usage: usage(1) }));
    const events = await collectOk(ark.generate(simpleRequest('seedream_4_5'), callOptions()));
    expect(events[0]).toMatchObject({ expiresAt: new Date(Date.UTC(2026, 0, 2, 10, 0, 0)) });
  });

  it('sends the configured endpoint id instead of the model id', async () => {
    const withEndpoint = createArkUpstream({
      baseUrl: `${server.origin}/api/v3`,
      apiKey: API_KEY,
      region: 'cn',
      endpointIds: { seedream_4_5: 'ep-20250101-abc' },
      connectTimeoutMs: 2000,
      maxConnections: 1,
    });
    server.enqueue(jsonAnswer(200, { model: 'doubao-seedream-4-5-251128', created, data: [{ url: 'https://i/1' }], usage: usage(1) }));
    await collectOk(withEndpoint.generate(simpleRequest('seedream_4_5'), callOptions()));
    expect((lastRequest().json as { model: string }).model).toBe('ep-20250101-abc');
    await withEndpoint.close();
  });

  it('sends extra headers (trace context) but never lets them replace its own', async () => {
    server.enqueue(jsonAnswer(200, { model: 'm', created, data: [{ url: 'https://i/1' }], usage: usage(1) }));
    const headers = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', Authorization: 'Bearer stolen' };
    await collectOk(ark.generate(simpleRequest('seedream_4_5'), callOptions({ headers })));
    expect(lastRequest().headers.traceparent).toBe(headers.traceparent);
    expect(lastRequest().headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('reuses one keep-alive connection for consecutive requests', async () => {
    const single = createArkUpstream({ baseUrl: `${server.origin}/api/v3`, apiKey: API_KEY, region: 'cn', connectTimeoutMs: 2000, maxConnections: 1 });
    server.enqueue(
      jsonAnswer(200, { model: 'm', created, data: [{ url: 'https://i/1' }], usage: usage(1) }),
      jsonAnswer(200, { model: 'm', created, data: [{ url: 'https://i/2' }], usage: usage(1) }),
    );
    await collectOk(single.generate(simpleRequest('seedream_4_5'), callOptions()));
    await collectOk(single.generate(simpleRequest('seedream_4_5'), callOptions()));
    await single.close();
    const [first, second] = server.requests.slice(-2);
    expect(first?.clientPort).toBeDefined();
    expect(second?.clientPort).toBe(first?.clientPort);
    expect(second?.isSocketClosed()).toBe(false);
  });

  it('reports provider and server address', () => {
    expect(ark.provider).toBe('volcengine');
    expect(ark.server).toEqual({ address: '127.0.0.1', port: server.port });
  });
});

describe('Ark client, SSE streams', () => {
  const frames = (model: string) => [
    sseFrame(
      { type: 'image_generation.partial_succeeded', model, created, image_index: 0, url: 'https://img.example/0.jpeg', size: '2496x1664' },
      'image_generation.partial_succeeded',
    ),
    { delayMs: 300 },
    sseFrame(
      {
        type: 'image_generation.partial_failed',
        model,
        created,
        image_index: 1,
        error: { code: 'OutputImageSensitiveContentDetected', message: 'The request failed because the output image may contain sensitive information.' },
      },
      'image_generation.partial_failed',
    ),
    sseFrame(
      { type: 'image_generation.partial_succeeded', model, created, image_index: 2, b64_json: 'iVBORw0KGgo=', size: '2496×1664' },
      'image_generation.partial_succeeded',
    ),
    sseFrame({ type: 'image_generation.completed', model, created, usage: usage(2) }, 'image_generation.completed'),
    'data: [DONE]\n\n',
  ];

  it.each<ModelKey>(['seedream_4_0', 'seedream_4_5', 'seedream_5_0_lite'])(
    '%s: asks for SSE and yields each event as it arrives',
    async (key) => {
      const request = requestWithEverything(key, { stream: true });
      server.enqueue(sseAnswer(frames(request.modelId), { 'x-request-id': 'req-sse' }));
      const arrivals: number[] = [];
      const events: UpstreamEvent[] = [];
      const start = performance.now();
      for await (const event of ark.generate(request, callOptions())) {
        arrivals.push(performance.now() - start);
        events.push(event);
      }
      const sent = lastRequest();
      expect(sent.headers.accept).toBe('text/event-stream');
      expect((sent.json as { stream?: boolean }).stream).toBe(true);
      expect(events.map((e) => e.type)).toEqual(['image', 'failure', 'image', 'completed']);
      expect(events[0]).toMatchObject({ index: 0, url: 'https://img.example/0.jpeg', width: 2496, height: 1664 });
      expect(events[1]).toMatchObject({ index: 1, code: 'OutputImageSensitiveContentDetected' });
      expect(events[2]).toMatchObject({ index: 2, width: 2496, height: 1664 });
      expect(textOf(events[2]?.type === 'image' ? events[2].b64 : undefined)).toBe('iVBORw0KGgo=');
      expect(events[3]).toEqual({
        type: 'completed',
        model: request.modelId,
        generatedImages: 2,
        outputTokens: 32_768,
        webSearches: 0,
        requestId: 'req-sse',
      });
      // The first image was delivered before the upstream sent the rest (the 300 ms pause).
      expect((arrivals[3] ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThan(200);
    },
  );

  it('does not ask for SSE for models without native streaming', async () => {
    server.enqueue(jsonAnswer(200, { model: 'm', created, data: [{ url: 'https://i/1' }], usage: usage(1) }));
    await collectOk(ark.generate(simpleRequest('seedream_5_0_pro', { stream: true }), callOptions()));
    expect(lastRequest().json).not.toHaveProperty('stream');
    expect(lastRequest().headers.accept).toBe('application/json');
  });

  it('decodes a JSON answer to a stream request as a whole answer', async () => {
    server.enqueue(jsonAnswer(200, { model: 'm', created, data: [{ url: 'https://i/1', size: '2048x2048' }], usage: usage(1) }));
    const events = await collectOk(ark.generate(simpleRequest('seedream_4_5', { stream: true }), callOptions()));
    expect(events.map((e) => e.type)).toEqual(['image', 'completed']);
  });

  it('reads an image frame that arrives in small pieces, with the key spoken of in another field', async () => {
    // Large enough to be cut out of the frame rather than parsed (CUT_FROM_BYTES).
    const b64 = Buffer.from(Array.from({ length: 30_000 }, (_, i) => (i * 7) % 256)).toString('base64');
    const frame = sseFrame(
      { type: 'image_generation.partial_succeeded', model: 'm', created, revised_prompt: 'say "b64_json":"AAAA" \\ twice', image_index: 0, b64_json: b64, size: '2048x2048' },
      'image_generation.partial_succeeded',
    );
    const pieces: string[] = [];
    for (let i = 0; i < frame.length; i += 257) pieces.push(frame.slice(i, i + 257));
    server.enqueue(sseAnswer([...pieces, sseFrame({ type: 'image_generation.completed', model: 'm', created, usage: usage(1) }), 'data: [DONE]\n\n']));
    const events = await collectOk(ark.generate(simpleRequest('seedream_4_5', { stream: true, responseFormat: 'b64_json' }), callOptions()));
    expect(events.map((e) => e.type)).toEqual(['image', 'completed']);
    expect(textOf(events[0]?.type === 'image' ? events[0].b64 : undefined)).toBe(b64);
  });

  it('takes base64 that a relay escaped (`\\/`) as the same image', async () => {
    const b64 = Buffer.from(Array.from({ length: 600 }, (_, i) => 255 - (i % 256))).toString('base64');
    expect(b64).toContain('/');
    const body = JSON.stringify({ model: 'm', created, data: [{ b64_json: b64, size: '2048x2048' }], usage: usage(1) }).replaceAll('/', '\\/');
    server.enqueue({ status: 200, headers: { 'content-type': 'application/json' }, body: [body] });
    const events = await collectOk(ark.generate(simpleRequest('seedream_4_5', { responseFormat: 'b64_json' }), callOptions()));
    expect(textOf(events[0]?.type === 'image' ? events[0].b64 : undefined)).toBe(b64);
  });

  it('skips event types it does not act on, such as partial_image previews', async () => {
    server.enqueue(
      sseAnswer([
        sseFrame({ type: 'image_generation.partial_image', partial_image_index: 0, b64_json: 'AAAA' }),
        sseFrame({ type: 'image_generation.completed', model: 'm', created, usage: usage(0) }),
        'data: [DONE]\n\n',
      ]),
    );
    const events = await collectOk(ark.generate(simpleRequest('seedream_4_5', { stream: true }), callOptions()));
    expect(events.map((e) => e.type)).toEqual(['completed']);
  });

  it('keeps the connection for the next request when the body ends after [DONE]', async () => {
    const single = createArkUpstream({ baseUrl: `${server.origin}/api/v3`, apiKey: API_KEY, region: 'cn', connectTimeoutMs: 2000, maxConnections: 1 });
    for (let i = 0; i < 3; i++) {
      // The body's end arrives in a later packet than `[DONE]`.
      server.enqueue(sseAnswer([sseFrame({ type: 'image_generation.completed', model: 'm', created, usage: usage(0) }), 'data: [DONE]\n\n', { delayMs: 30 }]));
      await collectOk(single.generate(simpleRequest('seedream_4_5', { stream: true }), callOptions()));
    }
    const ports = server.requests.slice(-3).map((r) => r.clientPort);
    expect(new Set(ports).size).toBe(1);
    await single.close();
  });

  it('ends at [DONE] even if the upstream keeps the body open, then lets the connection go', async () => {
    server.enqueue(sseAnswer([sseFrame({ type: 'image_generation.completed', model: 'm', created, usage: usage(0) }), 'data: [DONE]\n\n', { hang: true }]));
    const start = performance.now();
    const events = await collectOk(ark.generate(simpleRequest('seedream_4_5', { stream: true }), callOptions()));
    expect(events.map((e) => e.type)).toEqual(['completed']);
    expect(performance.now() - start).toBeLessThan(500);
    await lastRequest().socketClosed; // the bounded background drain gives up after 1 s
  });

  it('accepts a stream that ends right after completed without [DONE]', async () => {
    server.enqueue(sseAnswer([sseFrame({ type: 'image_generation.completed', model: 'm', created, usage: usage(0) })]));
    const events = await collectOk(ark.generate(simpleRequest('seedream_4_5', { stream: true }), callOptions()));
    expect(events.map((e) => e.type)).toEqual(['completed']);
  });
});
