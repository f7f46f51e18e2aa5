import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { GatewayError } from '../../src/errors.js';
import { createImageGenerator } from '../../src/service/image-generator.js';
import type { GenerateContext, GenerationEvent, GenerationSpec } from '../../src/service/types.js';
import type { UpstreamEvent } from '../../src/upstream/types.js';
import { base64Of, completed, image, scriptedUpstream, wait, type Script } from '../helpers/scripted-upstream.js';

const config = loadConfig({
  HEARTBEAT_INTERVAL_MS: '0',
  RETRY_BASE_DELAY_MS: '5',
  RETRY_MAX_DELAY_MS: '200',
  RETRY_MAX_ATTEMPTS: '3',
  DEADLINE_MARGIN_MS: '50',
  FANOUT_CONCURRENCY: '2',
  MAX_CONCURRENT_GENERATIONS_PER_KEY: '1',
});

const spec = (extra: Partial<GenerationSpec> = {}): GenerationSpec => ({
  model: 'seedream_4_5',
  prompt: 'a lighthouse',
  referenceImages: [],
  responseFormat: 'url',
  n: 1,
  ...extra,
});

const context = (extra: Partial<GenerateContext> = {}): GenerateContext => ({
  signal: new AbortController().signal,
  caller: { keyName: 'test' },
  ...extra,
});

function generatorWith(script: Script, overrides: Partial<typeof config> = {}) {
  const upstream = scriptedUpstream(script);
  const generator = createImageGenerator({ upstream, config: { ...config, ...overrides }, region: 'cn', random: () => 0.5 });
  return { upstream, generator };
}

async function collect(events: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const out: GenerationEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

async function failureOf(events: AsyncIterable<GenerationEvent>): Promise<GatewayError> {
  try {
    await collect(events);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected the generation to fail');
}

const oneImage: Script = async function* () {
  yield image(0);
  yield completed(1);
};

describe('image generation', () => {
  it('streams an image and completes with usage and estimated cost', async () => {
    const { generator } = generatorWith(oneImage);
    const events = await collect(generator.generate(spec(), context()));
    expect(events.map((e) => e.type)).toEqual(['image', 'completed']);
    expect(events[0]).toMatchObject({ image: { index: 0, requestIndex: 0, setIndex: 0, width: 2048, height: 2048, mimeType: 'image/jpeg', content: { kind: 'url' } } });
    expect(events[1]).toEqual({
      type: 'completed',
      model: 'doubao-seedream-4-5-251128',
      usage: { generatedImages: 1, failedImages: 0, outputTokens: 16384, webSearches: 0, estimatedCost: { currency: 'USD', micros: 40_000 } },
    });
  });

  it('throws validation errors synchronously, before any upstream call', () => {
    const { upstream, generator } = generatorWith(oneImage);
    expect(() => generator.generate(spec({ seed: 1 }), context())).toThrow(expect.objectContaining({ reason: 'INVALID_ARGUMENT', field: 'seed' }));
    expect(upstream.calls).toHaveLength(0);
  });

  it('fans n out into independent requests with bounded concurrency and unique indices', async () => {
    const { upstream, generator } = generatorWith(async function* (call, signal) {
      await wait(20, signal);
      yield image(0, { url: `https://upstream.example/${call.attempt}.jpeg` });
      yield completed(1);
    });
    const events = await collect(generator.generate(spec({ n: 4 }), context()));
    const images = events.flatMap((e) => (e.type === 'image' ? [e.image] : []));
    expect(images.map((i) => i.index).sort()).toEqual([0, 1, 2, 3]);
    expect(new Set(images.map((i) => (i.content.kind === 'url' ? i.content.url : ''))).size).toBe(4);
    expect(upstream.calls).toHaveLength(4);
    expect(upstream.maxConcurrent).toBe(2);
    expect(events.at(-1)).toMatchObject({ type: 'completed', usage: { generatedImages: 4, estimatedCost: { micros: 160_000 } } });
  });

  it('numbers image sets per request: request × set size + position', async () => {
    const { generator } = generatorWith(async function* () {
      yield image(0);
      yield image(1);
      yield completed(2);
    });
    const events = await collect(generator.generate(spec({ n: 2, imageSet: { maxImages: 3 } }), context()));
    const indices = events.flatMap((e) => (e.type === 'image' ? [[e.image.index, e.image.requestIndex, e.image.setIndex]] : []));
    expect(indices.sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0))).toEqual([[0, 0, 0], [1, 0, 1], [3, 1, 0], [4, 1, 1]]);
  });

  it('reports a moderated image of a set as a failure event, counts only delivered images', async () => {
    const { generator } = generatorWith(async function* () {
      yield image(0);
      yield { type: 'failure', index: 1, code: 'OutputImageSensitiveContentDetected', message: 'moderated' };
      yield image(2);
      yield completed(2);
    });
    const events = await collect(generator.generate(spec({ imageSet: { maxImages: 3 } }), context()));
    expect(events.map((e) => e.type)).toEqual(['image', 'failure', 'image', 'completed']);
    expect(events[1]).toMatchObject({ failure: { index: 1, kind: 'content_moderated', code: 'OutputImageSensitiveContentDetected' } });
    expect(events[3]).toMatchObject({ usage: { generatedImages: 2, failedImages: 1, outputTokens: 32768, estimatedCost: { micros: 80_000 } } });
  });

  it('holds failures that come before the first image and delivers them after it', async () => {
    const { generator } = generatorWith(async function* () {
      yield { type: 'failure', index: 0, code: 'OutputImageSensitiveContentDetected', message: 'moderated' };
      yield image(1);
      yield completed(1);
    });
    const events = await collect(generator.generate(spec({ imageSet: { maxImages: 2 } }), context()));
    expect(events.map((e) => e.type)).toEqual(['image', 'failure', 'completed']);
  });

  it('fails with CONTENT_REJECTED when moderation blocks every image', async () => {
    const { generator } = generatorWith(async function* () {
      yield { type: 'failure', index: 0, code: 'OutputImageSensitiveContentDetected', message: 'moderated' };
      yield completed(0);
    });
    expect((await failureOf(generator.generate(spec(), context()))).reason).toBe('CONTENT_REJECTED');
  });

  it('retries a retryable failure and then succeeds', async () => {
    let attempts = 0;
    const { upstream, generator } = generatorWith(async function* () {
      attempts += 1;
      if (attempts === 1) throw new GatewayError('RATE_LIMITED', 'slow down', { retryAfterMs: 30 });
      if (attempts === 2) throw new GatewayError('UPSTREAM_UNAVAILABLE', '500');
      yield* oneImage(undefined as never, undefined as never);
    });
    const events = await collect(generator.generate(spec(), context()));
    expect(events.map((e) => e.type)).toEqual(['image', 'completed']);
    expect(upstream.calls).toHaveLength(3);
    // Retry-After (30 ms) is honoured before the second attempt.
    expect((upstream.calls[1]?.startedAt ?? 0) - (upstream.calls[0]?.startedAt ?? 0)).toBeGreaterThanOrEqual(25);
  });

  it.each([
    ['INVALID_ARGUMENT', new GatewayError('INVALID_ARGUMENT', 'bad size', { violations: [{ field: 'size', description: 'bad' }] })],
    ['QUOTA_EXCEEDED', new GatewayError('QUOTA_EXCEEDED', 'quota')],
    ['UPSTREAM_AUTH_FAILED', new GatewayError('UPSTREAM_AUTH_FAILED', 'key')],
  ])('does not retry %s', async (reason, error) => {
    const { upstream, generator } = generatorWith(async function* () {
      yield* [];
      throw error;
    });
    expect((await failureOf(generator.generate(spec(), context()))).reason).toBe(reason);
    expect(upstream.calls).toHaveLength(1);
  });

  it('gives up after the configured attempts with the last error', async () => {
    const { upstream, generator } = generatorWith(async function* () {
      yield* [];
      throw new GatewayError('UPSTREAM_UNAVAILABLE', 'down');
    });
    expect((await failureOf(generator.generate(spec(), context()))).reason).toBe('UPSTREAM_UNAVAILABLE');
    expect(upstream.calls).toHaveLength(3);
  });

  it('does not retry once the request produced an event; the rest of its set becomes a failure', async () => {
    const { upstream, generator } = generatorWith(async function* () {
      yield image(0);
      throw new GatewayError('UPSTREAM_UNAVAILABLE', 'connection reset');
    });
    const events = await collect(generator.generate(spec({ imageSet: { maxImages: 4 } }), context()));
    expect(upstream.calls).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual(['image', 'failure', 'completed']);
    expect(events[1]).toMatchObject({ failure: { index: 1, setIndex: 1, kind: 'generation_failed', code: 'UPSTREAM_UNAVAILABLE' } });
  });

  it('delivers the other requests when one of n fails, with a request_failed event', async () => {
    const { generator } = generatorWith(async function* (call) {
      if (call.attempt <= 3) throw new GatewayError('UPSTREAM_UNAVAILABLE', 'down'); // request 0 uses attempts 1..3
      yield* oneImage(call, undefined as never);
    }, { limits: { ...config.limits, fanoutConcurrency: 1 } });
    const events = await collect(generator.generate(spec({ n: 2 }), context()));
    expect(events.map((e) => e.type)).toEqual(['image', 'failure', 'completed']);
    expect(events[1]).toMatchObject({ failure: { index: 0, requestIndex: 0, kind: 'request_failed', code: 'UPSTREAM_UNAVAILABLE' } });
    expect(events[2]).toMatchObject({ usage: { generatedImages: 1, failedImages: 1 } });
  });

  it('stops every request at once on a deterministic failure before any image', async () => {
    const { upstream, generator } = generatorWith(async function* (call, signal) {
      if (call.attempt === 1) throw new GatewayError('CONTENT_REJECTED', 'prompt moderated');
      await wait(5_000, signal);
      yield* oneImage(call, signal);
    });
    const started = Date.now();
    expect((await failureOf(generator.generate(spec({ n: 2 }), context()))).reason).toBe('CONTENT_REJECTED');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(upstream.calls[1]?.abortReason).toBeInstanceOf(GatewayError);
  });

  it('bounds the upstream request by the remaining deadline minus the margin and ends with DEADLINE_EXCEEDED', async () => {
    const { upstream, generator } = generatorWith(async function* (call, signal) {
      await wait(10_000, signal);
      yield* oneImage(call, signal);
    });
    const deadline = Date.now() + 300;
    const error = await failureOf(generator.generate(spec(), context({ deadline })));
    expect(error.reason).toBe('DEADLINE_EXCEEDED');
    expect(upstream.calls[0]?.options.timeoutMs).toBeLessThanOrEqual(250);
    expect(upstream.calls[0]?.abortReason).toMatchObject({ reason: 'DEADLINE_EXCEEDED' });
    expect(upstream.calls[0]?.endedAt).toBeDefined();
  });

  it('does not retry past the deadline', async () => {
    const { upstream, generator } = generatorWith(async function* () {
      yield* [];
      throw new GatewayError('RATE_LIMITED', 'slow down', { retryAfterMs: 150 });
    });
    const error = await failureOf(generator.generate(spec(), context({ deadline: Date.now() + 400 })));
    expect(error.reason).toBe('RATE_LIMITED');
    expect(error.retryAfterMs).toBe(150);
    expect(upstream.calls).toHaveLength(1);
  });

  it('aborts the upstream request at once when the caller cancels', async () => {
    const caller = new AbortController();
    const { upstream, generator } = generatorWith(async function* (call, signal) {
      yield image(0);
      await wait(10_000, signal);
      yield completed(1);
    });
    const iterator = generator.generate(spec({ imageSet: { maxImages: 2 } }), context({ signal: caller.signal }))[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: 'image' });
    const pending = iterator.next();
    caller.abort();
    await expect(pending).rejects.toMatchObject({ reason: 'CANCELLED' });
    expect(upstream.calls[0]?.abortReason).toMatchObject({ reason: 'CANCELLED' });
    expect(upstream.calls[0]?.endedAt).toBeDefined();
    expect(generator.active).toBe(0);
  });

  it('aborts the upstream request when the consumer stops reading', async () => {
    const { upstream, generator } = generatorWith(async function* (call, signal) {
      yield image(0);
      await wait(10_000, signal);
      yield completed(1);
    });
    for await (const event of generator.generate(spec({ imageSet: { maxImages: 2 } }), context())) {
      expect(event.type).toBe('image');
      break;
    }
    expect(upstream.calls[0]?.abortReason).toBeInstanceOf(GatewayError);
    expect(upstream.calls[0]?.endedAt).toBeDefined();
    expect(generator.active).toBe(0);
  });

  it('sends heartbeats while the upstream is silent', async () => {
    const { generator } = generatorWith(async function* (call, signal) {
      await wait(130, signal);
      yield* oneImage(call, signal);
    }, { heartbeatIntervalMs: 40 });
    const events = await collect(generator.generate(spec(), context()));
    const beats = events.filter((e) => e.type === 'heartbeat');
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats[0]).toMatchObject({ imagesDelivered: 0, imagesFailed: 0 });
    expect(events.at(-1)?.type).toBe('completed');
  });

  it('refuses a call over the per-key concurrency limit with CONCURRENCY_LIMITED and RetryInfo', async () => {
    const { generator } = generatorWith(async function* (call, signal) {
      await wait(100, signal);
      yield* oneImage(call, signal);
    });
    const first = collect(generator.generate(spec(), context()));
    await wait(10, new AbortController().signal);
    const error = await failureOf(generator.generate(spec(), context()));
    expect(error).toMatchObject({ reason: 'CONCURRENCY_LIMITED', retryable: true, retryAfterMs: 1000 });
    await first;
    expect((await collect(generator.generate(spec(), context()))).at(-1)?.type).toBe('completed');
  });

  it('uses the requested pixels when the upstream reports no size (3.0) and prices by size (5.0 pro)', async () => {
    const { generator } = generatorWith(async function* () {
      yield image(0, { width: undefined, height: undefined, b64: base64Of('AAAA'), url: undefined });
      yield completed(1, 'doubao-seedream-3-0-t2i-250415');
    });
    const events = await collect(generator.generate(spec({ model: 'seedream_3_0', size: { kind: 'pixels', width: 1280, height: 720 } }), context()));
    expect(events[0]).toMatchObject({ image: { width: 1280, height: 720, content: { kind: 'base64', base64: base64Of('AAAA') } } });
    const pro = generatorWith(async function* () {
      yield image(0, { width: 2048, height: 2048, outputFormat: 'png' });
      yield completed(1);
    });
    const proEvents = await collect(pro.generator.generate(spec({ model: 'seedream_5_0_pro', outputFormat: 'png' }), context()));
    expect(proEvents[0]).toMatchObject({ image: { mimeType: 'image/png' } });
    expect(proEvents[1]).toMatchObject({ usage: { estimatedCost: { micros: 90_000 } } });
  });

  it('rejects an upstream that numbers images outside the requested set', async () => {
    const { generator } = generatorWith(async function* () {
      yield image(3);
      yield completed(1);
    });
    expect((await failureOf(generator.generate(spec(), context()))).reason).toBe('UPSTREAM_BAD_RESPONSE');
  });

  it.each([
    ['an image', image(0)],
    ['a failure', { type: 'failure', index: 0, code: 'InternalServiceError', message: 'x' } as const],
  ])('rejects an upstream that reports image 0 again as %s, delivering and billing it once', async (_label, repeat) => {
    const { generator } = generatorWith(async function* () {
      yield image(0);
      yield repeat;
      yield image(1);
      yield completed(3);
    });
    const delivered: GenerationEvent[] = [];
    let failure: unknown;
    try {
      for await (const event of generator.generate(spec({ imageSet: { maxImages: 3 } }), context())) delivered.push(event);
    } catch (error) {
      failure = error;
    }
    expect(delivered.map((event) => event.type)).toEqual(['image']);
    expect(failure).toMatchObject({ reason: 'UPSTREAM_BAD_RESPONSE', message: 'the upstream reported image 0 twice' });
  });

  describe('a request whose images all failed with an upstream internal error (issue 10)', () => {
    const internal = (index: number): UpstreamEvent => ({ type: 'failure', index, code: 'InternalServiceError', message: 'internal', retryable: true });

    it('is retried, since nothing of it reached the caller, and the retry delivers', async () => {
      const { generator, upstream } = generatorWith(async function* (call) {
        if (call.attempt === 1) {
          yield internal(0);
          yield completed(0);
          return;
        }
        yield image(0);
        yield completed(1);
      });
      const events = await collect(generator.generate(spec(), context()));
      expect(upstream.calls).toHaveLength(2);
      expect(events.map((event) => event.type)).toEqual(['image', 'completed']);
      expect(events[1]).toMatchObject({ usage: { generatedImages: 1, failedImages: 0 } });
    });

    it('passes the failures on once the retries are used up', async () => {
      const { generator, upstream } = generatorWith(async function* () {
        yield internal(0);
        yield completed(0);
      });
      const error = await failureOf(generator.generate(spec(), context()));
      expect(upstream.calls).toHaveLength(3);
      expect(error).toMatchObject({ reason: 'UPSTREAM_UNAVAILABLE' });
    });

    it('is not retried once an image was delivered, nor for a moderated image', async () => {
      const moderated = generatorWith(async function* () {
        yield { type: 'failure', index: 0, code: 'OutputImageSensitiveContentDetected', message: 'm' };
        yield completed(0);
      });
      expect(await failureOf(moderated.generator.generate(spec(), context()))).toMatchObject({ reason: 'CONTENT_REJECTED' });
      expect(moderated.upstream.calls).toHaveLength(1);

      const partial = generatorWith(async function* () {
        yield image(0);
        yield internal(1);
        yield completed(1);
      });
      const events = await collect(partial.generator.generate(spec({ imageSet: { maxImages: 2 } }), context()));
      expect(partial.upstream.calls).toHaveLength(1);
      expect(events.map((event) => event.type)).toEqual(['image', 'failure', 'completed']);
    });
  });
});
