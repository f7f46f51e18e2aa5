import { describe, expect, it } from 'vitest';
import { ImageFailureReason } from '../../gen/seedream/v1/events.js';
import { OutputFormat, PromptOptimizationMode, SizeTier } from '../../gen/seedream/v1/types.js';
import { loadConfig } from '../../src/config.js';
import { durationFromMs, generatedImageFromDomain, imageFailureFromDomain, streamResponseFromEvent } from '../../src/grpc/events-to-proto.js';
import { generateResponseFromEvents } from '../../src/grpc/generate-response-from-events.js';
import { modelInfoFromListing } from '../../src/grpc/model-info-from-listing.js';
import { createImageGenerator } from '../../src/service/image-generator.js';
import type { DeliveredImage, GenerationEvent } from '../../src/service/types.js';
import { base64Of, scriptedUpstream } from '../helpers/scripted-upstream.js';

const image = (index: number, content: DeliveredImage['content']): DeliveredImage => ({
  index,
  requestIndex: 0,
  setIndex: index,
  content,
  mimeType: 'image/png',
  width: 64,
  height: 32,
});

describe('events → proto', () => {
  it('decodes inline base64 into bytes once, and keeps URLs with their expiry', () => {
    const bytes = generatedImageFromDomain(image(1, { kind: 'base64', base64: base64Of(Buffer.from('PNGDATA').toString('base64')) }));
    expect(bytes.content).toEqual({ $case: 'data', value: Buffer.from('PNGDATA') });
    expect(bytes.expiresAt).toBeUndefined();
    const expiresAt = new Date('2030-01-01T00:00:00Z');
    const url = generatedImageFromDomain(image(2, { kind: 'url', url: 'https://x/y.png', expiresAt }));
    expect(url).toMatchObject({ index: 2, content: { $case: 'url', value: 'https://x/y.png' }, expiresAt, mimeType: 'image/png', width: 64, height: 32, setIndex: 2 });
  });

  it.each([
    ['content_moderated', ImageFailureReason.IMAGE_FAILURE_REASON_CONTENT_MODERATED],
    ['generation_failed', ImageFailureReason.IMAGE_FAILURE_REASON_GENERATION_FAILED],
    ['request_failed', ImageFailureReason.IMAGE_FAILURE_REASON_REQUEST_FAILED],
  ] as const)('maps failure kind %s', (kind, reason) => {
    expect(imageFailureFromDomain({ index: 3, requestIndex: 1, setIndex: 0, kind, code: 'C', message: 'm' })).toEqual({
      index: 3,
      requestIndex: 1,
      setIndex: 0,
      reason,
      code: 'C',
      message: 'm',
    });
  });

  it('turns heartbeat milliseconds into a Duration', () => {
    expect(durationFromMs(15_250)).toEqual({ seconds: 15, nanos: 250_000_000 });
    expect(streamResponseFromEvent({ type: 'heartbeat', elapsedMs: 999, imagesDelivered: 1, imagesFailed: 0 })).toEqual({
      event: { $case: 'heartbeat', value: { elapsed: { seconds: 0, nanos: 999_000_000 }, imagesDelivered: 1, imagesFailed: 0 } },
    });
  });

  it('collects a generation into one response ordered by index, ignoring heartbeats', async () => {
    async function* events(): AsyncGenerator<GenerationEvent> {
      yield { type: 'image', image: image(2, { kind: 'base64', base64: base64Of('AA==') }) };
      yield { type: 'heartbeat', elapsedMs: 1, imagesDelivered: 1, imagesFailed: 0 };
      yield { type: 'failure', failure: { index: 1, requestIndex: 0, setIndex: 1, kind: 'content_moderated', code: 'X', message: '' } };
      yield { type: 'image', image: image(0, { kind: 'base64', base64: base64Of('AA==') }) };
      yield { type: 'completed', model: 'm-1', usage: { generatedImages: 2, failedImages: 1, outputTokens: 16, webSearches: 0 } };
    }
    const response = await generateResponseFromEvents(events());
    expect(response.images.map((i) => i.index)).toEqual([0, 2]);
    expect(response.failures.map((f) => f.index)).toEqual([1]);
    expect(response).toMatchObject({ model: 'm-1', usage: { generatedImages: 2, failedImages: 1, outputTokens: 16, estimatedCost: undefined } });
  });

  it('treats a generation that ends without completed as an internal error', async () => {
    async function* events(): AsyncGenerator<GenerationEvent> {}
    await expect(generateResponseFromEvents(events())).rejects.toMatchObject({ reason: 'INTERNAL' });
  });
});

describe('model listing → ModelInfo', () => {
  const generator = createImageGenerator({ upstream: scriptedUpstream(async function* () {}), config: loadConfig({}), region: 'international' });
  const infos = generator.listModels().map(modelInfoFromListing);

  it('converts tiers, formats, modes, ranges and both prices', () => {
    const pro = infos.find((m) => m.specField === 'seedream_5_0_pro');
    expect(pro).toMatchObject({
      sizeTiers: [SizeTier.SIZE_TIER_1K, SizeTier.SIZE_TIER_1_5K, SizeTier.SIZE_TIER_2K],
      defaultSize: { kind: { $case: 'tier', value: SizeTier.SIZE_TIER_2K } },
      outputFormats: expect.arrayContaining([OutputFormat.OUTPUT_FORMAT_PNG, OutputFormat.OUTPUT_FORMAT_JPEG]),
      promptOptimizationModes: expect.arrayContaining([PromptOptimizationMode.PROMPT_OPTIMIZATION_MODE_STANDARD]),
      supportsImageSet: false,
      maxReferenceImages: 10,
      minAspectRatio: 1 / 16,
      maxAspectRatio: 16,
    });
    expect(pro?.modelId).toMatch(/^dola-seedream-5-0-pro/);
    expect(pro?.pricePerImage?.currencyCode).toBe('USD');
    expect(pro?.largeImageMinPixels).toBeGreaterThan(0);
    expect(pro?.pricePerLargeImage?.amountMicros).toBeGreaterThan(pro?.pricePerImage?.amountMicros ?? Infinity);
  });

  it('leaves the large-image price unset for single-price models', () => {
    const m45 = infos.find((m) => m.specField === 'seedream_4_5');
    expect(m45).toMatchObject({ pricePerLargeImage: undefined, largeImageMinPixels: 0 });
  });
});
