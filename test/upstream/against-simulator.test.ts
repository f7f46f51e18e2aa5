/**
 * The Ark and relay clients against the wire-faithful simulator (src/simulator/): every model in JSON
 * and SSE modes, and the simulator's faults mapped to the reasons the core expects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Base64Text } from '../../src/base64.js';
import { GatewayError } from '../../src/errors.js';
import type { ModelKey } from '../../src/models/types.js';
import { createArkUpstream } from '../../src/upstream/ark/ark-upstream.js';
import { createOpenAiCompatibleUpstream } from '../../src/upstream/openai-compatible/relay-upstream.js';
import type { ImageUpstream, UpstreamEvent, UpstreamImage } from '../../src/upstream/types.js';
import { textOf } from '../helpers/scripted-upstream.js';
import { referenceImageDataUri, startSimulator, type TestSimulator } from '../helpers/simulator.js';
import { collect, collectOk } from './helpers/collect.js';
import { callOptions, requestWithEverything, simpleRequest } from './helpers/requests.js';

let sim: TestSimulator;
let ark: ImageUpstream;
let relay: ImageUpstream;

beforeAll(async () => {
  sim = await startSimulator({ latencyMs: 0 });
  const pool = { connectTimeoutMs: 2000, maxConnections: 4 };
  ark = createArkUpstream({ baseUrl: sim.arkBaseUrl, apiKey: sim.apiKey, region: 'cn', provider: 'simulator', ...pool });
  relay = createOpenAiCompatibleUpstream({ baseUrl: sim.relayBaseUrl, apiKey: sim.apiKey, ...pool });
});
afterAll(async () => {
  await ark.close();
  await relay.close();
  await sim.close();
});

const allModels: ModelKey[] = ['seedream_3_0', 'seedream_4_0', 'seedream_4_5', 'seedream_5_0_lite', 'seedream_5_0_pro', 'seedream_5_0_flash'];
const streamingModels: ModelKey[] = ['seedream_4_0', 'seedream_4_5', 'seedream_5_0_lite'];

function images(events: UpstreamEvent[]): UpstreamImage[] {
  return events.filter((e): e is UpstreamImage => e.type === 'image');
}

/** The file an image's base64 bytes encode. */
function decoded(b64: Base64Text | undefined): Buffer {
  return Buffer.from(textOf(b64), 'base64');
}

function expectImageBytes(bytes: Buffer, format: 'png' | 'jpeg' | undefined): void {
  if (format === 'png') expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  else expect(bytes.subarray(0, 2).toString('hex')).toBe('ffd8');
}

function fullRequest(key: ModelKey, overrides: Parameters<typeof requestWithEverything>[1] = {}) {
  const base = requestWithEverything(key, overrides);
  return { ...base, images: base.images.length > 0 ? [referenceImageDataUri()] : [], imageSet: base.imageSet && { maxImages: 2 }, ...overrides };
}

describe('Ark client against the simulator', () => {
  it.each(allModels)('%s, JSON, URL: every image downloads, sizes and usage agree', async (key) => {
    const events = await collectOk(ark.generate(fullRequest(key), callOptions()));
    const got = images(events);
    const completed = events.at(-1);
    expect(got.length).toBeGreaterThan(0);
    expect(completed).toMatchObject({ type: 'completed', generatedImages: got.length });
    expect(completed?.type === 'completed' && completed.requestId).toMatch(/^02/);
    for (const image of got) {
      expect(image.url).toBeDefined();
      expect(image.expiresAt?.getTime()).toBeGreaterThan(Date.now());
      const response = await fetch(image.url ?? '');
      expect(response.status).toBe(200);
      expectImageBytes(Buffer.from(await response.arrayBuffer()), image.outputFormat);
      if (key !== 'seedream_3_0') expect(image.width).toBeGreaterThan(0);
    }
  });

  it.each(allModels)('%s, JSON, b64: raw base64 of a real image', async (key) => {
    const events = await collectOk(ark.generate(fullRequest(key, { responseFormat: 'b64_json' }), callOptions()));
    for (const image of images(events)) {
      expect(image.url).toBeUndefined();
      expectImageBytes(decoded(image.b64), image.outputFormat);
    }
  });

  it.each(streamingModels)('%s, SSE: images stream one by one, then completed', async (key) => {
    const events = await collectOk(ark.generate(fullRequest(key, { stream: true, responseFormat: 'b64_json' }), callOptions()));
    const entry = sim.simulator.requests.entries().at(-1);
    expect(entry?.headers.accept).toBe('text/event-stream');
    expect(events.at(-1)?.type).toBe('completed');
    expect(images(events).length).toBe(entry?.imagesDelivered);
    for (const image of images(events)) expectImageBytes(decoded(image.b64), image.outputFormat);
  });

  it('moderated images arrive as failures and the set goes on', async () => {
    sim.simulator.faults.enqueue({ kind: 'moderate', imageIndex: 0 });
    const events = await collectOk(ark.generate(simpleRequest('seedream_4_5', { stream: true, imageSet: { maxImages: 3 }, prompt: 'three images of a fox' }), callOptions()));
    expect(events[0]).toMatchObject({ type: 'failure', index: 0, code: 'OutputImageSensitiveContentDetected' });
    expect(events.at(-1)?.type).toBe('completed');
  });

  it('429 fault → RATE_LIMITED with the Retry-After delay', async () => {
    sim.simulator.faults.enqueue({ kind: 'status', status: 429, retryAfterSeconds: 2 });
    const { error } = await collect(ark.generate(simpleRequest('seedream_4_5'), callOptions()));
    expect(error).toMatchObject({ reason: 'RATE_LIMITED', retryable: true, retryAfterMs: 2000 });
    expect((error as GatewayError).upstream?.requestId).toMatch(/^02/);
  });

  it.each([
    [{ kind: 'status', status: 429, code: 'QuotaExceeded' } as const, 'QUOTA_EXCEEDED'],
    [{ kind: 'status', status: 500 } as const, 'UPSTREAM_UNAVAILABLE'],
    [{ kind: 'status', status: 401, code: 'AuthenticationError' } as const, 'UPSTREAM_AUTH_FAILED'],
    [{ kind: 'reset', afterImages: 0 } as const, 'UPSTREAM_UNAVAILABLE'],
  ])('fault %j → %s', async (fault, reason) => {
    sim.simulator.faults.enqueue(fault);
    const { error } = await collect(ark.generate(simpleRequest('seedream_4_5'), callOptions()));
    expect(error).toMatchObject({ reason });
  });

  it.each([
    [{ kind: 'reset', afterImages: 1 } as const, 'UPSTREAM_UNAVAILABLE'],
    [{ kind: 'stream-error', afterImages: 1, code: 'InternalServiceError' } as const, 'UPSTREAM_UNAVAILABLE'],
    [{ kind: 'malformed-sse', afterImages: 1 } as const, 'UPSTREAM_BAD_RESPONSE'],
  ])('SSE fault %j after one image → %s', async (fault, reason) => {
    sim.simulator.faults.enqueue(fault);
    const request = simpleRequest('seedream_4_5', { stream: true, imageSet: { maxImages: 3 }, prompt: 'three images of a fox' });
    const { events, error } = await collect(ark.generate(request, callOptions()));
    expect(images(events)).toHaveLength(1);
    expect(error).toMatchObject({ reason });
  });

  it('a parameter the simulator rejects comes back naming the domain field', async () => {
    const { error } = await collect(ark.generate(simpleRequest('seedream_4_5', { size: '512x512' }), callOptions()));
    expect(error).toMatchObject({ reason: 'INVALID_ARGUMENT', field: 'size' });
  });

  it('caller abort mid-stream stops the simulated generation', async () => {
    const slow = await startSimulator({ latencyMs: 300 });
    const client = createArkUpstream({ baseUrl: slow.arkBaseUrl, apiKey: slow.apiKey, region: 'cn', connectTimeoutMs: 2000, maxConnections: 1 });
    const controller = new AbortController();
    const request = simpleRequest('seedream_4_5', { stream: true, imageSet: { maxImages: 5 }, prompt: 'five images of a fox' });
    const { events, error } = await collect(
      (async function* () {
        for await (const event of client.generate(request, callOptions({ signal: controller.signal }))) {
          yield event;
          controller.abort();
        }
      })(),
    );
    expect(events).toHaveLength(1);
    expect(error).toMatchObject({ reason: 'CANCELLED' });
    const entry = await slow.simulator.requests.waitFor((r) => r.aborted, 3000);
    expect(entry.imagesDelivered).toBeLessThan(5);
    await client.close();
    await slow.close();
  });
});

describe('relay client against the simulator relay path', () => {
  it('generates through /v1/images/generations', async () => {
    const events = await collectOk(relay.generate(simpleRequest('seedream_4_5', { user: 'u-1' }), callOptions()));
    expect(events.map((e) => e.type)).toEqual(['image', 'completed']);
    expect(sim.simulator.requests.entries().at(-1)?.path).toBe('/v1/images/generations');
  });
});
