/**
 * Seedream 5.5 end to end on both edges (the app with its embedded simulator behind the real Ark
 * client): listed by ListModels and /v1/models, generated through the generated gRPC client and the
 * OpenAI SDK, a transparent background really decoding with alpha, its price with the 2.6 MP threshold
 * and the per-reference charge; plus the 5.0 pro updates (thinking, unaligned pixel sizes).
 */
import OpenAI from 'openai';
import { Status } from 'nice-grpc';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ResponseFormat } from '../../gen/seedream/v1/generation_spec.js';
import { Background } from '../../gen/seedream/v1/model_options.js';
import { OutputFormat, SizeTier } from '../../gen/seedream/v1/types.js';
import { decodeImage } from '../helpers/image-decoders.js';
import { richError, startGrpcApp, type TestGrpcApp } from '../helpers/grpc-app.js';
import { referenceImageDataUri } from '../helpers/simulator.js';
import { seedream, seedreamStream } from '../rest/helpers/sdk.js';

let gw: TestGrpcApp;
let client: OpenAI;

beforeAll(async () => {
  gw = await startGrpcApp();
  client = new OpenAI({ baseURL: `${gw.httpUrl}/v1`, apiKey: 'unused-open-gateway', maxRetries: 0 });
});
afterAll(() => gw.close());
beforeEach(() => gw.app.simulator?.requests.clear());

/** The bodies the embedded simulator received. */
const upstreamBodies = () => (gw.app.simulator?.requests.entries() ?? []).map((entry) => entry.body as Record<string, unknown>);
const pngReference = () => Buffer.from(referenceImageDataUri().split(',')[1] ?? '', 'base64');

/** The share of fully transparent and fully opaque pixels on a coarse grid. */
function alphaCensus(bytes: Buffer): { transparent: number; opaque: number; hasAlpha: boolean } {
  const image = decodeImage(bytes);
  let transparent = 0;
  let opaque = 0;
  for (let y = 4; y < image.height; y += 32) {
    for (let x = 4; x < image.width; x += 32) {
      const alpha = image.alpha(x, y);
      if (alpha === 0) transparent += 1;
      if (alpha === 255) opaque += 1;
    }
  }
  return { transparent, opaque, hasAlpha: image.hasAlpha };
}

describe('Seedream 5.5 in the listings', () => {
  it('ListModels lists it with its names, limits and prices', async () => {
    const { models } = await gw.client.listModels({}, { metadata: gw.auth() });
    const info = models.find((m) => m.specField === 'seedream_5_5');
    expect(info).toMatchObject({
      displayName: 'Seedream 5.5',
      modelId: 'doubao-seedream-5-5-261028',
      maxReferenceImages: 10,
      maxPixels: 2048 * 2048,
      supportsImageSet: false,
      supportsNativeStreaming: false,
      sizeTiers: [SizeTier.SIZE_TIER_1K, SizeTier.SIZE_TIER_1_5K, SizeTier.SIZE_TIER_2K],
      pricePerImage: { currencyCode: 'USD', amountMicros: 20_000 },
      pricePerLargeImage: { currencyCode: 'USD', amountMicros: 35_000 },
      largeImageMinPixels: 2_601_124,
      pricePerReferenceImage: { currencyCode: 'USD', amountMicros: 8_000 },
      freeReferenceImages: 0,
    });
    expect(info?.aliases).toEqual(
      expect.arrayContaining(['doubao-seedream-5-5-261028', 'dola-seedream-5-5-261028', 'seedream-5-5-261028', 'seedream-5-5']),
    );
  });

  it('GET /v1/models lists it', async () => {
    const model = (await client.models.retrieve('dola-seedream-5-5-261028')) as unknown as Record<string, unknown>;
    expect(model).toMatchObject({ id: 'doubao-seedream-5-5-261028', spec_field: 'seedream_5_5', parameters: ['size', 'output_format', 'background'] });
    expect(model.price_per_reference_image).toEqual({ currency: 'USD', amount: 0.008, amount_micros: 8000 });
  });
});

describe('Seedream 5.5 over gRPC', () => {
  it('draws a transparent PNG with a real alpha channel, priced as a large image', async () => {
    const res = await gw.client.generateImages(
      {
        spec: {
          prompt: 'a paper lantern, product shot',
          responseFormat: ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES,
          model: { $case: 'seedream55', value: { outputFormat: OutputFormat.OUTPUT_FORMAT_PNG, background: Background.BACKGROUND_TRANSPARENT } },
        },
      },
      { metadata: gw.auth() },
    );
    const image = res.images[0];
    expect(image).toMatchObject({ mimeType: 'image/png', width: 2048, height: 2048 });
    const census = alphaCensus(image?.content?.$case === 'data' ? image.content.value : Buffer.alloc(0));
    expect(census.hasAlpha).toBe(true);
    expect(census.transparent).toBeGreaterThan(0);
    expect(census.opaque).toBeGreaterThan(0);
    expect(res.usage?.estimatedCost).toEqual({ currencyCode: 'USD', amountMicros: 35_000 });
    expect(upstreamBodies()[0]).toMatchObject({ model: 'doubao-seedream-5-5-261028', background: 'transparent', output_format: 'png', size: '2K' });
  });

  it('charges each reference image and prices 1K at the small-image price', async () => {
    const reference = { source: { $case: 'data' as const, value: pngReference() }, mimeType: '' };
    const res = await gw.client.generateImages(
      {
        spec: {
          prompt: 'the same lantern in blue',
          referenceImages: [reference, reference],
          model: { $case: 'seedream55', value: { size: { kind: { $case: 'tier', value: SizeTier.SIZE_TIER_1K } } } },
        },
      },
      { metadata: gw.auth() },
    );
    expect(res.images).toHaveLength(1);
    // $0.020 for the image + 2 × $0.008 for the references.
    expect(res.usage?.estimatedCost).toEqual({ currencyCode: 'USD', amountMicros: 36_000 });
  });

  it('rejects a transparent JPEG, a 3K tier and more than 2048×2048 pixels before any upstream call', async () => {
    const error = await richError(() =>
      gw.client.generateImages(
        {
          spec: {
            prompt: 'x',
            model: { $case: 'seedream55', value: { background: Background.BACKGROUND_TRANSPARENT, size: { kind: { $case: 'pixels', value: { width: 2049, height: 2048 } } } } },
          },
        },
        { metadata: gw.auth() },
      ),
    );
    expect(error.code).toBe(Status.INVALID_ARGUMENT);
    const fields = error.extra.flatMap((detail) => ('fieldViolations' in detail ? detail.fieldViolations.map((v) => v.field) : []));
    expect(fields).toEqual(expect.arrayContaining(['spec.seedream_5_5.background', 'spec.seedream_5_5.size']));
    const tier = await richError(() =>
      gw.client.generateImages(
        { spec: { prompt: 'x', model: { $case: 'seedream55', value: { size: { kind: { $case: 'tier', value: SizeTier.SIZE_TIER_3K } } } } } },
        { metadata: gw.auth() },
      ),
    );
    expect(tier.details).toMatch(/1K, 1\.5K, 2K, not 3K/);
    expect(upstreamBodies()).toHaveLength(0);
  });
});

describe('Seedream 5.5 through the OpenAI SDK', () => {
  it('answers a transparent b64 PNG with the echoed background and the cost', async () => {
    const res = await client.images.generate(
      seedream({ model: 'dola-seedream-5-5-261028', prompt: 'a glass bottle', size: '1K', background: 'transparent', output_format: 'png', response_format: 'b64_json' }),
    );
    const census = alphaCensus(Buffer.from(res.data?.[0]?.b64_json ?? '', 'base64'));
    expect(census.hasAlpha).toBe(true);
    expect(census.transparent).toBeGreaterThan(0);
    expect((res.usage as unknown as Record<string, unknown>).estimated_cost).toEqual({ currency: 'USD', amount: 0.02, amount_micros: 20_000 });
  });

  it('streams a 5.5 image although the upstream cannot stream it', async () => {
    const stream = await client.images.generate(seedreamStream({ model: 'seedream-5-5', prompt: 'a kite', size: '1.5K' }));
    const types: string[] = [];
    for await (const event of stream) types.push((event as { type: string }).type);
    expect(types).toEqual(['image_generation.partial_succeeded', 'image_generation.completed']);
    expect(upstreamBodies()[0]).not.toHaveProperty('stream');
  });

  it('rejects a transparent JPEG naming background', async () => {
    const error = await client.images.generate(seedream({ model: 'seedream-5-5', prompt: 'x', background: 'transparent' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('background');
  });

  it('warns instead of failing when a model without backgrounds gets one', async () => {
    const res = await client.images.generate(seedream({ model: 'doubao-seedream-4-5', prompt: 'x', background: 'opaque' })).withResponse();
    expect(res.response.headers.get('x-seedream-warnings')).toMatch(/background is not supported by Seedream 4\.5/);
    expect(upstreamBodies()[0]).not.toHaveProperty('background');
  });
});

describe('Seedream 5.0 pro updates', () => {
  it('passes thinking on for text-to-image and refuses to disable it with reference images', async () => {
    await client.images.generate(seedream({ model: 'dola-seedream-5-0-pro', prompt: 'x', size: '1K', optimize_prompt_options: { thinking: 'disabled' } }));
    expect(upstreamBodies()[0]).toMatchObject({ optimize_prompt_options: { thinking: 'disabled' } });
    const error = await client.images
      .generate(seedream({ model: 'dola-seedream-5-0-pro', prompt: 'x', image: referenceImageDataUri(), optimize_prompt_options: { thinking: 'disabled' } }))
      .catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('optimize_prompt_options.thinking');
    const notPro = await client.images.generate(seedream({ model: 'seedream-4-0', prompt: 'x', optimize_prompt_options: { thinking: 'enabled' } })).catch((e: unknown) => e);
    expect((notPro as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('optimize_prompt_options.thinking');
  });

  it('accepts unaligned exact sizes (1500x1000) and returns exactly that size', async () => {
    const res = await client.images.generate(seedream({ model: 'dola-seedream-5-0-pro', prompt: 'x', size: '1500x1000', response_format: 'b64_json' }));
    const decoded = decodeImage(Buffer.from(res.data?.[0]?.b64_json ?? '', 'base64'));
    expect([decoded.width, decoded.height]).toEqual([1500, 1000]);
  });

  it('sends dated BytePlus ids for every undated BytePlus name', async () => {
    // The gateway resolves short names to the catalog snapshot: upstream only ever sees dated ids.
    await client.images.generate(seedream({ model: 'seedream-5-0-lite', prompt: 'x' }));
    expect(upstreamBodies()[0]?.model).toMatch(/-\d{6}$/);
  });
});
