/**
 * The core over real HTTP: createImageGenerator → Ark upstream client → the wire-faithful simulator.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { GatewayError } from '../../src/errors.js';
import type { ModelKey } from '../../src/models/types.js';
import { createImageGenerator, type ImageGenerator } from '../../src/service/image-generator.js';
import type { DeliveredImage, GenerationEvent, GenerationSpec } from '../../src/service/types.js';
import { createArkUpstream } from '../../src/upstream/ark/ark-upstream.js';
import type { ImageUpstream } from '../../src/upstream/types.js';
import { textOf } from '../helpers/scripted-upstream.js';
import { referenceImageDataUri, startSimulator, type TestSimulator } from '../helpers/simulator.js';
import { decodeImage } from '../helpers/image-decoders.js';

let sim: TestSimulator;
let upstream: ImageUpstream;
let generator: ImageGenerator;

const config = loadConfig({ RETRY_BASE_DELAY_MS: '10', RETRY_MAX_DELAY_MS: '2000', HEARTBEAT_INTERVAL_MS: '0' });

beforeAll(async () => {
  sim = await startSimulator({ latencyMs: 0 });
  upstream = createArkUpstream({ baseUrl: sim.arkBaseUrl, apiKey: sim.apiKey, region: 'cn', connectTimeoutMs: 2000, maxConnections: 16 });
  generator = createImageGenerator({ upstream, config, region: 'cn' });
});
afterAll(async () => {
  await upstream.close();
  await sim.close();
});
beforeEach(() => {
  sim.simulator.faults.clear();
  sim.simulator.requests.clear();
});

const spec = (model: ModelKey, extra: Partial<GenerationSpec> = {}): GenerationSpec => ({
  model,
  prompt: 'a red bicycle leaning on a wall',
  referenceImages: [],
  responseFormat: 'url',
  n: 1,
  ...extra,
});
const ctx = (signal = new AbortController().signal, deadline?: number) => ({ signal, caller: { keyName: 'test' }, ...(deadline && { deadline }) });

async function collect(events: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const out: GenerationEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}
async function failure(events: AsyncIterable<GenerationEvent>): Promise<GatewayError> {
  try {
    await collect(events);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}
const imagesOf = (events: GenerationEvent[]) => events.flatMap((e) => (e.type === 'image' ? [e.image] : []));

async function bytesOf(image: DeliveredImage): Promise<Buffer> {
  if (image.content.kind === 'base64') return Buffer.from(textOf(image.content.base64), 'base64');
  const response = await fetch(image.content.url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

describe('the core against the simulator', () => {
  it.each([
    ['seedream_3_0', false],
    ['seedream_4_0', true],
    ['seedream_4_5', true],
    ['seedream_5_0_lite', true],
    ['seedream_5_0_pro', false],
    ['seedream_5_0_flash', false],
  ] as const)('%s: an image of the reported size in URL and bytes modes (streamed upstream: %s)', async (model, streamed) => {
    for (const responseFormat of ['url', 'b64_json'] as const) {
      const events = await collect(generator.generate(spec(model, { responseFormat }), ctx()));
      const [image] = imagesOf(events);
      expect(image).toBeDefined();
      const decoded = decodeImage(await bytesOf(image!));
      expect([decoded.width, decoded.height]).toEqual([image!.width, image!.height]);
      expect(events.at(-1)).toMatchObject({ type: 'completed', usage: { generatedImages: 1 } });
    }
    const sent = sim.simulator.requests.entries().map((r) => r.body as { stream?: boolean });
    expect(sent.every((body) => (body.stream === true) === streamed)).toBe(true);
  });

  it('gives n = 4 distinct images, each from its own upstream request', async () => {
    const events = await collect(generator.generate(spec('seedream_4_5', { n: 4, responseFormat: 'b64_json' }), ctx()));
    const images = imagesOf(events);
    expect(images.map((i) => i.index).sort()).toEqual([0, 1, 2, 3]);
    const contents = new Set(images.map((i) => (i.content.kind === 'base64' ? textOf(i.content.base64) : '')));
    expect(contents.size).toBe(4);
    expect(sim.simulator.requests.entries()).toHaveLength(4);
  });

  it('streams a set with a moderated image as a failure event, billing only delivered images', async () => {
    sim.simulator.faults.enqueue({ kind: 'moderate', imageIndex: 1 });
    const events = await collect(generator.generate(spec('seedream_4_5', { prompt: 'a comic strip of 3 images', imageSet: { maxImages: 3 } }), ctx()));
    expect(events.map((e) => e.type)).toEqual(['image', 'failure', 'image', 'completed']);
    expect(events[1]).toMatchObject({ failure: { index: 1, kind: 'content_moderated', code: 'OutputImageSensitiveContentDetected' } });
    expect(events[3]).toMatchObject({ usage: { generatedImages: 2, failedImages: 1, estimatedCost: { currency: 'USD', micros: 80_000 } } });
  });

  it('sends reference images as the upstream expects them and uses them', async () => {
    const uri = referenceImageDataUri({ width: 64, height: 48 });
    await collect(generator.generate(spec('seedream_4_5', { referenceImages: [{ kind: 'data-uri', uri }, { kind: 'url', url: 'https://example.com/ref.png' }] }), ctx()));
    const body = sim.simulator.requests.entries()[0]?.body as { image: string[] };
    expect(body.image).toHaveLength(2);
    expect(body.image[1]).toBe('https://example.com/ref.png');
  });

  it.each([
    [{ status: 429 }, 'RATE_LIMITED'],
    [{ status: 500 }, 'UPSTREAM_UNAVAILABLE'],
    [{ status: 503 }, 'UPSTREAM_UNAVAILABLE'],
  ] as const)('retries after %o and then succeeds', async (fault, _reason) => {
    sim.simulator.faults.enqueue({ kind: 'status', ...fault, retryAfterSeconds: 0 });
    const events = await collect(generator.generate(spec('seedream_4_5'), ctx()));
    expect(events.at(-1)?.type).toBe('completed');
    expect(sim.simulator.requests.entries().map((r) => r.status)).toEqual([fault.status, 200]);
  });

  it.each([
    [{ status: 400, code: 'InvalidParameter' }, 'INVALID_ARGUMENT'],
    [{ status: 429, code: 'QuotaExceeded' }, 'QUOTA_EXCEEDED'],
    [{ status: 401 }, 'UPSTREAM_AUTH_FAILED'],
    [{ status: 404 }, 'MODEL_NOT_FOUND'],
  ] as const)('does not retry %o: %s', async (fault, reason) => {
    sim.simulator.faults.enqueue({ kind: 'status', ...fault });
    expect((await failure(generator.generate(spec('seedream_4_5'), ctx()))).reason).toBe(reason);
    expect(sim.simulator.requests.entries()).toHaveLength(1);
  });

  it('stops retrying at the deadline', async () => {
    sim.simulator.faults.enqueue({ kind: 'status', status: 429, retryAfterSeconds: 1, count: 10 });
    const error = await failure(generator.generate(spec('seedream_4_5'), ctx(undefined, Date.now() + 1500)));
    expect(error.reason).toBe('RATE_LIMITED');
    expect(sim.simulator.requests.entries()).toHaveLength(1);
  });

  it('closes the upstream connection at once when the caller cancels mid-stream', async () => {
    const slow = await startSimulator({ latencyMs: 400 });
    const slowUpstream = createArkUpstream({ baseUrl: slow.arkBaseUrl, apiKey: slow.apiKey, region: 'cn', connectTimeoutMs: 2000, maxConnections: 4 });
    try {
      const slowGenerator = createImageGenerator({ upstream: slowUpstream, config, region: 'cn' });
      const caller = new AbortController();
      const iterator = slowGenerator.generate(spec('seedream_4_5', { prompt: 'a story in 5 images', imageSet: { maxImages: 5 } }), ctx(caller.signal))[Symbol.asyncIterator]();
      expect((await iterator.next()).value).toMatchObject({ type: 'image' });
      caller.abort();
      await expect(iterator.next()).rejects.toMatchObject({ reason: 'CANCELLED' });
      const entry = await slow.simulator.requests.waitFor((r) => r.aborted, 2000);
      expect(entry.imagesDelivered).toBeLessThan(5);
    } finally {
      await slowUpstream.close();
      await slow.close();
    }
  });

  it('passes a deadline as the upstream timeout and ends with DEADLINE_EXCEEDED', async () => {
    sim.simulator.faults.enqueue({ kind: 'delay-headers', ms: 3000 });
    const started = Date.now();
    expect((await failure(generator.generate(spec('seedream_4_5'), ctx(undefined, Date.now() + 600)))).reason).toBe('DEADLINE_EXCEEDED');
    expect(Date.now() - started).toBeLessThan(1500);
    await sim.simulator.requests.waitFor((r) => r.aborted, 4000);
  });

  it('turns a reset after the first image of a set into a failure event and keeps the image', async () => {
    sim.simulator.faults.enqueue({ kind: 'reset', afterImages: 1 });
    const events = await collect(generator.generate(spec('seedream_4_5', { prompt: 'two images', imageSet: { maxImages: 2 } }), ctx()));
    expect(events.map((e) => e.type)).toEqual(['image', 'failure', 'completed']);
    expect(events[1]).toMatchObject({ failure: { index: 1, kind: 'generation_failed', code: 'UPSTREAM_UNAVAILABLE' } });
  });
});
