import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError, type ErrorReason } from '../../src/errors.js';
import { createArkUpstream } from '../../src/upstream/ark/ark-upstream.js';
import type { ImageUpstream, UpstreamEvent } from '../../src/upstream/types.js';
import { collect } from './helpers/collect.js';
import { jsonAnswer, sseAnswer, sseFrame, startFakeArkServer, type FakeArkServer, type ScriptedAnswer } from './helpers/fake-ark-server.js';
import { callOptions, simpleRequest } from './helpers/requests.js';

const API_KEY = 'ark-secret-key-987';
let server: FakeArkServer;
let ark: ImageUpstream;

beforeAll(async () => {
  server = await startFakeArkServer();
  ark = createArkUpstream({
    baseUrl: `${server.origin}/api/v3`,
    apiKey: API_KEY,
    region: 'international',
    connectTimeoutMs: 2000,
    maxConnections: 4,
    limits: { maxResponseBytes: 1024 * 1024, maxSseFrameBytes: 64 * 1024 },
  });
});
afterAll(async () => {
  await ark.close();
  await server.close();
});

/** Runs one request against `answer` and returns the GatewayError it failed with, plus the events. */
async function failWith(answer: ScriptedAnswer, stream = false): Promise<{ error: GatewayError; events: UpstreamEvent[] }> {
  server.enqueue(answer);
  const { events, error } = await collect(ark.generate(simpleRequest('seedream_4_5', { stream }), callOptions()));
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  // Nothing shown to callers carries the key or a stack.
  expect(error.message).not.toContain(API_KEY);
  expect(error.message).not.toMatch(/\n\s+at /);
  return { error, events };
}

const arkError = (status: number, code: string, message: string, param = '', headers: Record<string, string> = {}) =>
  jsonAnswer(status, { error: { code, message: `${message} Request id: 021757-upstream`, param, type: 'BadRequest' } }, headers);

describe('Ark error table (reference §2.1) over HTTP', () => {
  it.each<[string, string, string | undefined]>([
    ['size', 'size', undefined],
    ['image[3]', 'referenceImages[3]', undefined],
    ['image', 'referenceImages', undefined],
    ['seed', 'seed', undefined],
    ['guidance_scale', 'guidanceScale', undefined],
    ['sequential_image_generation', 'imageSet', undefined],
    ['sequential_image_generation_options.max_images', 'imageSet.maxImages', undefined],
    ['optimize_prompt_options.mode', 'promptOptimization', undefined],
    ['output_format', 'outputFormat', undefined],
    ['tools', 'webSearch', undefined],
    ['prompt', 'prompt', undefined],
    ['model', 'model', undefined],
    ['watermark', 'watermark', undefined],
    ['response_format', 'responseFormat', undefined],
    ['layer_decomposition', 'layer_decomposition', undefined],
    ['', 'prompt', 'MissingParameter.prompt'],
  ])('400 InvalidParameter with param "%s" → INVALID_ARGUMENT on %s', async (param, field, code) => {
    const { error } = await failWith(
      arkError(400, code ?? 'InvalidParameter', 'The parameter is invalid.', param, { 'x-request-id': 'req-400' }),
    );
    expect(error.reason).toBe('INVALID_ARGUMENT');
    expect(error.retryable).toBe(false);
    expect(error.field).toBe(field);
    expect(error.violations[0]?.description).toBe('The parameter is invalid.');
    expect(error.message).not.toMatch(/request id/i);
    expect(error.upstream).toEqual({ status: 400, code: code ?? 'InvalidParameter', requestId: 'req-400' });
  });

  it('names the reference image of an "Image N failed" message when param is empty', async () => {
    const { error } = await failWith(
      arkError(400, 'InvalidParameter', 'Image 2 failed: Image exceeds the maximum allowed total pixels.'),
    );
    expect(error.field).toBe('referenceImages[2]');
  });

  it('keeps the request id from the message when the header is missing', async () => {
    const { error } = await failWith(arkError(400, 'InvalidParameter', 'Bad size.', 'size'));
    expect(error.upstream?.requestId).toBe('021757-upstream');
  });

  it.each<[number, string, ErrorReason, boolean]>([
    [400, 'InvalidImageURL.InvalidFormat', 'INVALID_ARGUMENT', false],
    [400, 'InvalidImageURL.EmptyURL', 'INVALID_ARGUMENT', false],
    [400, 'InputTextSensitiveContentDetected', 'CONTENT_REJECTED', false],
    [400, 'InputImageSensitiveContentDetected.PrivacyInformation', 'CONTENT_REJECTED', false],
    [400, 'OutputImageSensitiveContentDetected.DeepFake', 'CONTENT_REJECTED', false],
    [400, 'SensitiveContentDetected.SevereViolation', 'CONTENT_REJECTED', false],
    [400, 'InvalidEndpoint.ClosedEndpoint', 'MODEL_NOT_FOUND', false],
    [400, 'BadRequest', 'INVALID_ARGUMENT', false],
    [401, 'AuthenticationError', 'UPSTREAM_AUTH_FAILED', false],
    [401, 'InvalidAccountStatus', 'UPSTREAM_AUTH_FAILED', false],
    [403, 'AccountOverdueError', 'UPSTREAM_AUTH_FAILED', false],
    [403, 'AccessDenied', 'UPSTREAM_AUTH_FAILED', false],
    [403, 'OperationDenied.ServiceNotOpen', 'UPSTREAM_AUTH_FAILED', false],
    [403, 'OperationDenied.ServiceOverdue', 'UPSTREAM_AUTH_FAILED', false],
    [404, 'InvalidEndpointOrModel.NotFound', 'MODEL_NOT_FOUND', false],
    [404, 'ModelNotOpen', 'MODEL_NOT_FOUND', false],
    [404, 'InvalidEndpointOrModel.ModelIDAccessDisabled', 'MODEL_NOT_FOUND', false],
    [404, 'UnsupportedModel', 'MODEL_NOT_FOUND', false],
    [413, 'RequestTooLarge', 'PAYLOAD_TOO_LARGE', false],
    [429, 'ModelAccountIpmRateLimitExceeded', 'RATE_LIMITED', true],
    [429, 'ModelAccountRpmRateLimitExceeded', 'RATE_LIMITED', true],
    [429, 'APIAccountRpmRateLimitExceeded', 'RATE_LIMITED', true],
    [429, 'RateLimitExceeded.EndpointRPMExceeded', 'RATE_LIMITED', true],
    [429, 'RequestBurstTooFast', 'RATE_LIMITED', true],
    [429, 'AccountRateLimitExceeded', 'RATE_LIMITED', true],
    [429, 'InflightBatchsizeExceeded', 'RATE_LIMITED', true],
    [429, 'SomeNewLimit', 'RATE_LIMITED', true],
    [429, 'ServerOverloaded', 'UPSTREAM_UNAVAILABLE', true],
    [429, 'QuotaExceeded', 'QUOTA_EXCEEDED', false],
    [429, 'SetLimitExceeded', 'QUOTA_EXCEEDED', false],
    [500, 'InternalServiceError', 'UPSTREAM_UNAVAILABLE', true],
    [503, 'ServiceUnavailable', 'UPSTREAM_UNAVAILABLE', true],
  ])('%i %s → %s (retryable %s)', async (status, code, reason, retryable) => {
    const { error } = await failWith(arkError(status, code, 'Upstream says no.', '', { 'x-request-id': `req-${code}` }));
    expect(error.reason).toBe(reason);
    expect(error.retryable).toBe(retryable);
    expect(error.upstream).toEqual({ status, code, requestId: `req-${code}` });
  });

  it('never echoes the upstream wording about keys for 401', async () => {
    const { error } = await failWith(
      arkError(401, 'AuthenticationError', `the API key or AK/SK in the request is missing or invalid: Bearer ${API_KEY}.`),
    );
    expect(error.message).not.toMatch(/API key|AK\/SK/);
    expect(error.message).toMatch(/operator/);
  });

  it('says which model is not available for 404', async () => {
    const { error } = await failWith(arkError(404, 'ModelNotOpen', 'Model not activated.'));
    expect(error.message).toBe('Seedream 4.5 is not available from the upstream for this gateway');
  });

  it('redacts bearer tokens, our key and URL credentials in messages it passes on', async () => {
    const { error } = await failWith(
      arkError(400, 'InvalidParameter', `Cannot fetch https://user:pw@host/x.png with Bearer abc.def; key ${API_KEY} ok.`, 'image'),
    );
    expect(error.message).toBe('referenceImages: Cannot fetch https://host/x.png with Bearer [redacted]; key [redacted] ok.');
  });

  it('429 with Retry-After seconds → RATE_LIMITED with retryAfterMs', async () => {
    const { error } = await failWith(arkError(429, 'ModelAccountIpmRateLimitExceeded', 'Too many images.', '', { 'retry-after': '7' }));
    expect(error.reason).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBe(7000);
  });

  it('429 with Retry-After as an HTTP-date → the delay until then, capped', async () => {
    const soon = new Date(Date.now() + 20_000).toUTCString();
    const { error } = await failWith(arkError(429, 'RequestBurstTooFast', 'Slow down.', '', { 'retry-after': soon }));
    expect(error.retryAfterMs).toBeGreaterThan(17_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(20_000);
    const late = new Date(Date.now() + 3600_000).toUTCString();
    const capped = await failWith(arkError(429, 'RequestBurstTooFast', 'Slow down.', '', { 'retry-after': late }));
    expect(capped.error.retryAfterMs).toBe(60_000);
  });

  it.each([
    [502, 'text/html', '<html><body>Bad Gateway</body></html>', 'UPSTREAM_UNAVAILABLE', true],
    [503, 'text/plain', '', 'UPSTREAM_UNAVAILABLE', true],
    [500, 'application/json', '{"error":"boom"}', 'UPSTREAM_UNAVAILABLE', true],
    [429, 'text/plain', 'slow down', 'RATE_LIMITED', true],
    [401, 'text/plain', 'no', 'UPSTREAM_AUTH_FAILED', false],
    [404, 'text/html', 'Not Found', 'MODEL_NOT_FOUND', false],
    [400, 'text/plain', 'bad', 'INVALID_ARGUMENT', false],
    [302, 'text/html', 'moved', 'UPSTREAM_BAD_RESPONSE', false],
  ] as const)('%i with a shapeless %s body → %s by status class', async (status, type, body, reason, retryable) => {
    const { error } = await failWith({ status, headers: { 'content-type': type, 'x-request-id': 'req-x' }, body: [body] });
    expect(error.reason).toBe(reason);
    expect(error.retryable).toBe(retryable);
    expect(error.message).not.toContain(body === '' ? '\u0000' : body);
    expect(error.upstream).toMatchObject({ status, requestId: 'req-x' });
  });

  it.each([
    ['not JSON', 'this is not json'],
    ['an empty body', ''],
    ['JSON of another shape', '{"images":[]}'],
    ['an image without url or b64', '{"model":"m","created":1,"data":[{"size":"1x1"}]}'],
    ['b64_json that is not base64', '{"model":"m","created":1,"data":[{"b64_json":"iVBORw0K!Ggo="}]}'],
    ['b64_json in the URL-safe alphabet', '{"model":"m","created":1,"data":[{"b64_json":"iVBO-w0K_go="}]}'],
    ['b64_json with padding inside', '{"model":"m","created":1,"data":[{"b64_json":"iVBO==0KGgo="}]}'],
    ['b64_json of an impossible length', '{"model":"m","created":1,"data":[{"b64_json":"iVBORw0KG"}]}'],
    ['escaped b64_json that is not base64', '{"model":"m","created":1,"data":[{"b64_json":"iVBO\\u0020Rw0KGgo="}]}'],
    ['a data URI of something else', '{"model":"m","created":1,"data":[{"b64_json":"data:text/plain;base64,aGk="}]}'],
    ['not base64 in the second of two images', '{"model":"m","created":1,"data":[{"b64_json":"iVBORw0KGgo="},{"b64_json":"iVBORw0K\\nGgo="}]}'],
    ['broken JSON after a valid image', '{"model":"m","created":1,"data":[{"b64_json":"iVBORw0KGgo="}'],
    // Large enough to be cut out of the body rather than parsed (CUT_FROM_BYTES).
    ['not base64 in the second of two large images', `{"model":"m","created":1,"data":[{"b64_json":"${'A'.repeat(20_000)}"},{"b64_json":"${'A'.repeat(19_999)}!"}]}`],
    ['broken JSON after a large valid image', `{"model":"m","created":1,"data":[{"b64_json":"${'A'.repeat(20_000)}"},]}`],
  ])('200 with %s → UPSTREAM_BAD_RESPONSE', async (_label, body) => {
    const { error } = await failWith({ status: 200, headers: { 'content-type': 'application/json', 'x-request-id': 'req-g' }, body: [body] });
    expect(error.reason).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.retryable).toBe(false);
    expect(error.upstream).toMatchObject({ status: 200, requestId: 'req-g' });
  });

  it('200 carrying only the error envelope → mapped as that error', async () => {
    const { error } = await failWith(jsonAnswer(200, { error: { code: 'InternalServiceError', message: 'x' } }));
    expect(error.reason).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('a JSON answer larger than the bound → UPSTREAM_BAD_RESPONSE', async () => {
    const { error } = await failWith(
      jsonAnswer(200, { model: 'm', created: 1, data: [{ b64_json: 'A'.repeat(2 * 1024 * 1024) }] }),
    );
    expect(error.reason).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.message).toMatch(/larger than/);
  });
});

describe('transport failures', () => {
  it('connection refused → UPSTREAM_UNAVAILABLE, retryable', async () => {
    // A port that was free a moment ago: nothing listens on it.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const dead = createArkUpstream({ baseUrl: `http://127.0.0.1:${port}/api/v3`, apiKey: API_KEY, region: 'cn', connectTimeoutMs: 1000, maxConnections: 1 });
    const { error } = await collect(dead.generate(simpleRequest('seedream_4_5'), callOptions()));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ reason: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect((error as GatewayError).message).toContain('ECONNREFUSED');
    expect((error as GatewayError).message).not.toContain(String(port));
    await dead.close();
  });

  it('reset before the headers → UPSTREAM_UNAVAILABLE', async () => {
    const { error } = await failWith({ resetBeforeHeaders: true });
    expect(error).toMatchObject({ reason: 'UPSTREAM_UNAVAILABLE', retryable: true });
  });

  it('reset in the middle of a JSON body → UPSTREAM_UNAVAILABLE', async () => {
    const { error } = await failWith({
      status: 200,
      headers: { 'content-type': 'application/json', 'content-length': '5000' },
      body: ['{"model":"m","created":1,"data":[{"url":"https://', { delayMs: 20 }, { reset: true }],
    });
    expect(error).toMatchObject({ reason: 'UPSTREAM_UNAVAILABLE', retryable: true });
  });
});

describe('stream failures', () => {
  const image0 = sseFrame({ type: 'image_generation.partial_succeeded', model: 'm', created: 1, image_index: 0, url: 'https://i/0', size: '2048x2048' });

  it('reset mid-SSE → UPSTREAM_UNAVAILABLE after the events that arrived', async () => {
    const { error, events } = await failWith(sseAnswer([image0, { delayMs: 20 }, 'data: {"type":"image_gen', { reset: true }]), true);
    expect(events.map((e) => e.type)).toEqual(['image']);
    expect(error).toMatchObject({ reason: 'UPSTREAM_UNAVAILABLE', retryable: true });
  });

  it('stream ending without completed or [DONE] → UPSTREAM_UNAVAILABLE', async () => {
    const { error, events } = await failWith(sseAnswer([image0]), true);
    expect(events).toHaveLength(1);
    expect(error).toMatchObject({ reason: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(error.message).toMatch(/ended before/);
  });

  it('[DONE] without completed → UPSTREAM_BAD_RESPONSE', async () => {
    const { error } = await failWith(sseAnswer([image0, 'data: [DONE]\n\n']), true);
    expect(error.reason).toBe('UPSTREAM_BAD_RESPONSE');
  });

  it.each([
    ['with event: error', 'error'],
    ['without an event line', undefined],
  ])('error frame mid-stream %s → mapped like an HTTP error', async (_label, event) => {
    const frame = sseFrame({ error: { code: 'InternalServiceError', message: 'The service failed. Request ID: {id}' } }, event);
    const { error, events } = await failWith(sseAnswer([image0, frame], { 'x-request-id': 'req-sse-err' }), true);
    expect(events).toHaveLength(1);
    expect(error).toMatchObject({ reason: 'UPSTREAM_UNAVAILABLE', retryable: true });
    expect(error.upstream).toMatchObject({ code: 'InternalServiceError', requestId: 'req-sse-err' });
  });

  it('error frame whose code is the BadRequest class → INVALID_ARGUMENT', async () => {
    const frame = sseFrame({ error: { code: 'BadRequest', message: 'The request failed because it is missing one or multiple required parameters. Request ID: {id}' } });
    const { error } = await failWith(sseAnswer([frame]), true);
    expect(error.reason).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe('The request failed because it is missing one or multiple required parameters.');
  });

  it('error frame with a moderation code → CONTENT_REJECTED', async () => {
    const frame = sseFrame({ error: { code: 'InputTextSensitiveContentDetected', message: 'sensitive' } }, 'error');
    const { error } = await failWith(sseAnswer([frame]), true);
    expect(error.reason).toBe('CONTENT_REJECTED');
  });

  it('400 JSON answer to a stream request → the mapped error, not a parse failure', async () => {
    const { error } = await failWith(
      jsonAnswer(400, { error: { code: 'InvalidParameter', message: 'stream is not supported', param: 'stream', type: 'BadRequest' } }, { 'x-request-id': 'req-s' }),
      true,
    );
    expect(error).toMatchObject({ reason: 'INVALID_ARGUMENT', field: 'stream', upstream: { status: 400, requestId: 'req-s' } });
  });

  it.each([
    ['not JSON', 'data: {nope\n\n'],
    ['JSON without a type or error', 'data: {"hello":1}\n\n'],
    ['a known type with a broken shape', sseFrame({ type: 'image_generation.partial_succeeded', image_index: -1, url: 'x' })],
    ['an error event that is not an error', 'event: error\ndata: {"type":"x"}\n\n'],
    ['b64_json that is not base64', sseFrame({ type: 'image_generation.partial_succeeded', image_index: 0, b64_json: 'iVBORw0K\u0000Ggo=' })],
    ['b64_json with a space', sseFrame({ type: 'image_generation.partial_succeeded', image_index: 0, b64_json: 'iVBORw0K Ggo=' })],
    ['b64_json with non-ASCII', sseFrame({ type: 'image_generation.partial_succeeded', image_index: 0, b64_json: 'iVBORw0KÅGgo' })],
    ['an image frame cut inside its base64', 'data: {"type":"image_generation.partial_succeeded","image_index":0,"b64_json":"iVBORw0KGgo\n\n'],
    ['a large b64_json that is not base64', sseFrame({ type: 'image_generation.partial_succeeded', image_index: 0, b64_json: `${'A'.repeat(30_000)}-AAA` })],
    ['a large frame with a bad token after the image', `data: {"type":"image_generation.partial_succeeded","image_index":0,"b64_json":"${'A'.repeat(30_000)}" x}\n\n`],
  ])('malformed frame (%s) → UPSTREAM_BAD_RESPONSE', async (_label, frame) => {
    const { error } = await failWith(sseAnswer([frame]), true);
    expect(error.reason).toBe('UPSTREAM_BAD_RESPONSE');
  });

  it('a frame larger than the bound → UPSTREAM_BAD_RESPONSE', async () => {
    const big = sseFrame({ type: 'image_generation.partial_succeeded', image_index: 0, b64_json: 'A'.repeat(128 * 1024) });
    const { error } = await failWith(sseAnswer([big]), true);
    expect(error.reason).toBe('UPSTREAM_BAD_RESPONSE');
  });
});
