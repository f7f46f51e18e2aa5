/**
 * The official `openai` SDK against the adapter, over the Seedream simulator behind the real Ark client:
 * every model in url and b64_json modes (images decoded, pixel size checked), image-to-image in both
 * dialects, an image set, n = 3, an invalid size raising BadRequestError, and streams.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceImageDataUri } from '../helpers/simulator.js';
import { decodeImage } from '../helpers/image-decoders.js';
import { startWithSimulator, type RestHarness } from './helpers/rest-harness.js';
import { sdkClient, seedream, seedreamStream } from './helpers/sdk.js';
import type { TestSimulator } from '../helpers/simulator.js';

let harness: RestHarness & { simulator: TestSimulator };
let client: OpenAI;

beforeAll(async () => {
  harness = await startWithSimulator();
  client = sdkClient(harness.url);
});
afterAll(() => harness.close());

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

// One name per model, each a different spelling (dated CN, BytePlus, short, the 5.0 `-lite-` alias).
const models: ReadonlyArray<readonly [string, string, 'jpeg' | 'png']> = [
  ['doubao-seedream-3-0-t2i-250415', '512x512', 'jpeg'],
  ['seedream-4-0-250828', '1280x720', 'jpeg'],
  ['doubao-seedream-4-5', '2560x1440', 'jpeg'],
  ['doubao-seedream-5-0-lite-260128', '1440x2560', 'png'],
  ['dola-seedream-5-0-pro-260628', '1280x720', 'png'],
  ['seedream-5-0-flash', '960x960', 'jpeg'],
];

describe('images.generate through the OpenAI SDK', () => {
  it.each(models)('%s returns a %s image by URL that decodes to that size', async (model, size, format) => {
    const extra = format === 'png' ? { output_format: 'png' } : {};
    const res = await client.images.generate(seedream({ model, prompt: 'a lighthouse at dusk', size, response_format: 'url', watermark: false, ...extra }));
    expect(res.data).toHaveLength(1);
    const item = res.data?.[0] as { url: string; size: string };
    expect(item.size).toBe(size);
    const decoded = decodeImage(await download(item.url));
    expect(`${decoded.width}x${decoded.height}`).toBe(size);
    expect(decoded.format).toBe(format);
    expect(res.usage).toMatchObject({ generated_images: 1 });
    expect(typeof res.created).toBe('number');
  });

  it.each(models)('%s returns a %s image as b64_json that decodes to that size', async (model, size, format) => {
    const extra = format === 'png' ? { output_format: 'png' } : {};
    const res = await client.images.generate(seedream({ model, prompt: 'a lighthouse at dusk', size, response_format: 'b64_json', ...extra }));
    const item = res.data?.[0];
    expect(item?.url).toBeUndefined();
    const decoded = decodeImage(Buffer.from(item?.b64_json ?? '', 'base64'));
    expect(`${decoded.width}x${decoded.height}`).toBe(size);
    expect(decoded.format).toBe(format);
  });

  it('exposes the estimated cost in usage', async () => {
    const res = await client.images.generate(seedream({ model: 'doubao-seedream-4-5-251128', prompt: 'a cat', size: '2K' }));
    expect(res).toMatchObject({
      model: 'doubao-seedream-4-5-251128',
      usage: { generated_images: 1, estimated_cost: { currency: 'USD', amount: 0.04, amount_micros: 40_000 } },
    });
  });

  it('generates from reference images sent as `image` (Ark dialect)', async () => {
    const res = await client.images.generate(
      seedream({ model: 'doubao-seedream-4-5-251128', prompt: 'the same cat in winter', image: [referenceImageDataUri(), referenceImageDataUri({ format: 'jpeg' })], size: '2K' }),
    );
    expect(res.data).toHaveLength(1);
    const sent = harness.simulator.simulator.requests.entries().at(-1);
    expect(sent?.body).toMatchObject({ image: [expect.stringMatching(/^data:image\/png;base64,/), expect.stringMatching(/^data:image\/jpeg;base64,/)] });
  });

  it('generates from a reference image sent as `image_input` (gateway dialect, one string)', async () => {
    const res = await client.images.generate(
      seedream({ model: 'seedream-5-0-260128', prompt: 'the same cat in spring', image_input: referenceImageDataUri(), size: '2K' }),
    );
    expect(res.data).toHaveLength(1);
    const sent = harness.simulator.simulator.requests.entries().at(-1);
    // The Ark client sends a single reference as a string, as Ark documents (reference §1.1).
    expect(sent?.body).toMatchObject({ image: expect.stringMatching(/^data:image\/png;base64,/) });
  });

  it('generates an image set with sequential_image_generation', async () => {
    const res = await client.images.generate(
      seedream({
        model: 'doubao-seedream-4-0-250828',
        prompt: 'a comic strip of 3 panels about a fox',
        size: '1K',
        sequential_image_generation: 'auto',
        sequential_image_generation_options: { max_images: 3 },
      }),
    );
    expect(res.data?.length).toBeGreaterThanOrEqual(1);
    expect(res.data?.length).toBeLessThanOrEqual(3);
    expect(res.usage).toMatchObject({ generated_images: res.data?.length });
  });

  it('fans n = 3 out into three independent images', async () => {
    const res = await client.images.generate(seedream({ model: 'doubao-seedream-4-5-251128', prompt: 'a dog', size: '2560x1440', n: 3 }));
    expect(res.data).toHaveLength(3);
    expect(new Set(res.data?.map((d) => d.url)).size).toBe(3);
    expect(res.usage).toMatchObject({ generated_images: 3 });
  });

  it('raises BadRequestError with our message and param for an invalid size', async () => {
    const error = await client.images.generate(seedream({ model: 'doubao-seedream-4-5-251128', prompt: 'a dog', size: '1024x1024' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    const apiError = error as InstanceType<typeof OpenAI.BadRequestError>;
    expect(apiError.status).toBe(400);
    expect(apiError.param).toBe('size');
    expect(apiError.code).toBe('invalid_value');
    expect(apiError.type).toBe('invalid_request_error');
    expect(apiError.message).toMatch(/^400 size: 1024x1024 has 1048576 pixels; Seedream 4\.5 needs 3686400 to 16777216/);
  });

  it('raises BadRequestError for OpenAI\'s size "auto", listing the accepted forms', async () => {
    const error = await client.images.generate({ model: 'doubao-seedream-4-5', prompt: 'a dog', size: 'auto' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('accepts the tiers 2K, 4K or WIDTHxHEIGHT');
  });

  it('raises NotFoundError for an unknown model', async () => {
    const error = await client.images.generate({ model: 'dall-e-3', prompt: 'a dog' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect(error).toMatchObject({ code: 'model_not_found', param: 'model' });
  });

  it('raises AuthenticationError for a wrong key', async () => {
    const error = await sdkClient(harness.url, 'sk-wrong').images.generate({ model: 'doubao-seedream-4-5', prompt: 'a dog' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

describe('streams through the OpenAI SDK', () => {
  it('yields partial_succeeded events and then completed', async () => {
    const stream = await client.images.generate(
      seedreamStream({ model: 'doubao-seedream-4-5-251128', prompt: '2 images of a fox', size: '2K', sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 2 }, response_format: 'b64_json' }),
    );
    const events: Record<string, unknown>[] = [];
    for await (const event of stream) events.push(event as unknown as Record<string, unknown>);
    const types = events.map((e) => e.type);
    expect(types.at(-1)).toBe('image_generation.completed');
    const images = events.filter((e) => e.type === 'image_generation.partial_succeeded');
    expect(images.length).toBeGreaterThanOrEqual(1);
    for (const image of images) {
      const decoded = decodeImage(Buffer.from(String(image.b64_json), 'base64'));
      expect(`${decoded.width}x${decoded.height}`).toBe(image.size);
      expect(image).toMatchObject({ model: 'doubao-seedream-4-5-251128', image_index: expect.any(Number), created: expect.any(Number) });
    }
    expect(events.at(-1)).toMatchObject({ usage: { generated_images: images.length, estimated_cost: { currency: 'USD' } } });
  });

  it('streams models without native streaming too (5.0 pro)', async () => {
    const stream = await client.images.generate(seedreamStream({ model: 'doubao-seedream-5-0-pro-260628', prompt: 'a fox', size: '1K' }));
    const types: unknown[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types).toEqual(['image_generation.partial_succeeded', 'image_generation.completed']);
  });

  it('raises an APIError on partial_failed, as documented (reference §3.4)', async () => {
    harness.simulator.simulator.faults.enqueue({ kind: 'moderate', imageIndex: 1 });
    const stream = await client.images.generate(
      seedreamStream({ model: 'doubao-seedream-4-5-251128', prompt: '3 images of a fox', size: '2K', sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 3 } }),
    );
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const event of stream) seen.push(event.type);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['image_generation.partial_succeeded']);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ code: 'OutputImageSensitiveContentDetected' });
  });

  it('raises BadRequestError before the stream for invalid input', async () => {
    const error = await client.images.generate(seedreamStream({ model: 'doubao-seedream-4-5', prompt: 'a fox', seed: 7 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ param: 'seed', status: 400 });
  });
});
