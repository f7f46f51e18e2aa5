import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError, type ErrorReason } from '../../src/errors.js';
import { createOpenAiCompatibleUpstream } from '../../src/upstream/openai-compatible/relay-upstream.js';
import type { ImageUpstream } from '../../src/upstream/types.js';
import { textOf } from '../helpers/scripted-upstream.js';
import { collect, collectOk } from './helpers/collect.js';
import { jsonAnswer, sseAnswer, sseFrame, startFakeArkServer, type FakeArkServer } from './helpers/fake-ark-server.js';
import { callOptions, requestWithEverything, simpleRequest } from './helpers/requests.js';

const API_KEY = 'sk-relay-secret';
let relay: FakeArkServer;
let upstream: ImageUpstream;

beforeAll(async () => {
  relay = await startFakeArkServer();
  upstream = createOpenAiCompatibleUpstream({ baseUrl: `${relay.origin}/v1`, apiKey: API_KEY, connectTimeoutMs: 2000, maxConnections: 2 });
});
afterAll(async () => {
  await upstream.close();
  await relay.close();
});

const openAiError = (status: number, error: { message: string; type: string; param: string | null; code: string | null }, headers = {}) =>
  jsonAnswer(status, { error }, { 'x-request-id': 'req_relay', ...headers });

describe('OpenAI-compatible relay', () => {
  it('posts the Seedream fields plus user to /v1/images/generations and reads an OpenAI-shaped answer', async () => {
    const created = 1_713_833_628;
    relay.enqueue(
      jsonAnswer(
        200,
        {
          created,
          data: [{ b64_json: 'iVBORw0KGgo=', url: null, revised_prompt: null }, { url: 'https://relay.example/i/2.png' }],
          usage: { input_tokens: 50, output_tokens: 4160, total_tokens: 4210 },
        },
        { 'x-request-id': 'req_ok' },
      ),
    );
    const request = requestWithEverything('seedream_4_5');
    const events = await collectOk(upstream.generate(request, callOptions()));
    const sent = relay.requests.at(-1);
    expect(sent?.path).toBe('/v1/images/generations');
    expect(sent?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(sent?.json).toMatchObject({ model: 'doubao-seedream-4-5-251128', user: 'end-user-7', sequential_image_generation: 'auto' });
    expect(sent?.json).not.toHaveProperty('n');
    // Base64 arrives as bytes in the pieces the body was read in: compared as text.
    const comparable = events.map((event) => (event.type === 'image' && event.b64 !== undefined ? { ...event, b64: textOf(event.b64) } : event));
    expect(comparable).toEqual([
      { type: 'image', index: 0, b64: 'iVBORw0KGgo=', url: undefined, width: undefined, height: undefined, expiresAt: undefined, outputFormat: 'jpeg' },
      {
        type: 'image',
        index: 1,
        url: 'https://relay.example/i/2.png',
        b64: undefined,
        width: undefined,
        height: undefined,
        // OpenAI's URL lifetime (60 min) when the URL does not carry its own.
        expiresAt: new Date((created + 3600) * 1000),
        outputFormat: 'jpeg',
      },
      // No `generated_images` in OpenAI usage: the delivered images are the count.
      { type: 'completed', model: 'doubao-seedream-4-5-251128', generatedImages: 2, outputTokens: 4160, webSearches: 0, requestId: 'req_ok' },
    ]);
    expect(upstream.provider).toBe('openai_compatible');
  });

  it('strips a data-URI wrapper some relays put around base64, keeping the format it names', async () => {
    relay.enqueue(jsonAnswer(200, { created: 1, data: [{ b64_json: 'data:image/png;base64,iVBORw0KGgo=' }] }));
    const events = await collectOk(upstream.generate(simpleRequest('seedream_4_5', { responseFormat: 'b64_json' }), callOptions()));
    expect(events[0]).toMatchObject({ outputFormat: 'png' });
    expect(textOf(events[0]?.type === 'image' ? events[0].b64 : undefined)).toBe('iVBORw0KGgo=');
  });

  it('streams Ark-dialect events through the relay', async () => {
    relay.enqueue(
      sseAnswer([
        sseFrame({ type: 'image_generation.partial_succeeded', model: 'm', created: 1, image_index: 0, url: 'https://i/0', size: '2048x2048' }),
        sseFrame({ type: 'image_generation.completed', model: 'm', created: 1, usage: { generated_images: 1, output_tokens: 16384 } }),
        'data: [DONE]\n\n',
      ]),
    );
    const events = await collectOk(upstream.generate(simpleRequest('seedream_4_5', { stream: true }), callOptions()));
    expect(events.map((e) => e.type)).toEqual(['image', 'completed']);
    expect(relay.requests.at(-1)?.headers.accept).toBe('text/event-stream');
  });

  it.each<[string, number, { message: string; type: string; param: string | null; code: string | null }, ErrorReason, boolean, string | undefined]>([
    ['rate limit', 429, { message: 'Rate limit reached', type: 'requests', param: null, code: 'rate_limit_exceeded' }, 'RATE_LIMITED', true, undefined],
    ['quota', 429, { message: 'You exceeded your current quota', type: 'insufficient_quota', param: null, code: 'insufficient_quota' }, 'QUOTA_EXCEEDED', false, undefined],
    ['moderation', 400, { message: 'Your request was rejected by the safety system.', type: 'image_generation_user_error', param: null, code: 'moderation_blocked' }, 'CONTENT_REJECTED', false, undefined],
    ['invalid size', 400, { message: 'Invalid size', type: 'invalid_request_error', param: 'size', code: null }, 'INVALID_ARGUMENT', false, 'size'],
    ['forwarded Ark code', 400, { message: 'bad image', type: 'BadRequest', param: 'image[1]', code: 'InvalidParameter' }, 'INVALID_ARGUMENT', false, 'referenceImages[1]'],
    ['bad key', 401, { message: `Incorrect API key provided: ${API_KEY}`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' }, 'UPSTREAM_AUTH_FAILED', false, undefined],
    ['unknown model', 404, { message: 'The model does not exist', type: 'invalid_request_error', param: 'model', code: 'model_not_found' }, 'MODEL_NOT_FOUND', false, undefined],
    ['server error', 500, { message: 'The server had an error', type: 'server_error', param: null, code: null }, 'UPSTREAM_UNAVAILABLE', true, undefined],
    ['overloaded', 503, { message: 'overloaded', type: 'server_error', param: null, code: 'engine_overloaded' }, 'UPSTREAM_UNAVAILABLE', true, undefined],
  ])('%s (%i) → %s', async (_label, status, body, reason, retryable, field) => {
    relay.enqueue(openAiError(status, body, { 'retry-after-ms': '1500' }));
    const { error } = await collect(upstream.generate(simpleRequest('seedream_4_5'), callOptions()));
    expect(error).toBeInstanceOf(GatewayError);
    const gatewayError = error as GatewayError;
    expect(gatewayError.reason).toBe(reason);
    expect(gatewayError.retryable).toBe(retryable);
    expect(gatewayError.field).toBe(field);
    expect(gatewayError.message).not.toContain(API_KEY);
    expect(gatewayError.upstream).toMatchObject({ status, requestId: 'req_relay' });
    if (reason === 'RATE_LIMITED') expect(gatewayError.retryAfterMs).toBe(1500);
  });

  it('an OpenAI error event in a stream → mapped', async () => {
    relay.enqueue(sseAnswer([sseFrame({ error: { message: 'blocked', type: 'image_generation_user_error', param: null, code: 'moderation_blocked' } }, 'error')]));
    const { error } = await collect(upstream.generate(simpleRequest('seedream_4_5', { stream: true }), callOptions()));
    expect(error).toMatchObject({ reason: 'CONTENT_REJECTED' });
  });
});
