/**
 * `POST /v1/images/edits` with the official OpenAI SDK's `images.edit()` (real multipart bodies) over the
 * simulator behind the real Ark client: one and several images, url and b64_json, streaming and not;
 * files checked like any reference image with envelopes naming `image[i]`; `mask` refused; OpenAI-only
 * fields as warnings; the body bounds; `/v1/images/variations` explained.
 */
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeImage } from '../helpers/image-decoders.js';
import { referenceImageDataUri } from '../helpers/simulator.js';
import type { TestSimulator } from '../helpers/simulator.js';
import { API_KEY, startWithSimulator, type RestHarness } from './helpers/rest-harness.js';
import { sdkClient } from './helpers/sdk.js';

let harness: RestHarness & { simulator: TestSimulator };
let client: OpenAI;

beforeAll(async () => {
  harness = await startWithSimulator();
  client = sdkClient(harness.url);
});
afterAll(() => harness.close());
beforeEach(() => harness.simulator.simulator.requests.clear());

const pngBytes = (width = 64, height = 64) => Buffer.from(referenceImageDataUri({ width, height }).split(',')[1] ?? '', 'base64');
const jpegBytes = () => Buffer.from(referenceImageDataUri({ format: 'jpeg' }).split(',')[1] ?? '', 'base64');
const png = (name = 'photo.png', bytes = pngBytes()) => toFile(bytes, name, { type: 'image/png' });
const upstreamBodies = () => harness.simulator.simulator.requests.entries().map((entry) => entry.body as Record<string, unknown>);
type EditParams = Parameters<OpenAI['images']['edit']>[0];
/** Params with Seedream form fields the SDK's types do not know. */
const edit = (params: Record<string, unknown>) => params as unknown as EditParams & { stream?: false };

async function badRequest(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.BadRequestError>> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  return error as InstanceType<typeof OpenAI.BadRequestError>;
}

describe('images.edit through the OpenAI SDK', () => {
  it('edits one image and answers a URL to an image of the requested size', async () => {
    const res = await client.images.edit(edit({ model: 'doubao-seedream-4-5', image: await png(), prompt: 'make it night', size: '2560x1440', watermark: false }));
    const item = res.data?.[0] as { url: string };
    const decoded = decodeImage(Buffer.from(await (await fetch(item.url)).arrayBuffer()));
    expect([decoded.width, decoded.height]).toEqual([2560, 1440]);
    const [body] = upstreamBodies();
    // One image goes upstream as a data URI of the uploaded file, with the form's other fields.
    expect(body).toMatchObject({ model: 'doubao-seedream-4-5-251128', prompt: 'make it night', size: '2560x1440', watermark: false });
    expect(body?.image).toMatch(/^data:image\/png;base64,/);
  });

  it('edits several images (PNG and JPEG) and answers b64_json', async () => {
    const images = [await png('a.png'), await toFile(jpegBytes(), 'b.jpg', { type: 'image/jpeg' }), await png('c.png')];
    const res = await client.images.edit({ model: 'dola-seedream-5-0-pro', image: images, prompt: 'combine them', response_format: 'b64_json', n: 2 });
    expect(res.data).toHaveLength(2);
    for (const item of res.data ?? []) expect(decodeImage(Buffer.from(item.b64_json ?? '', 'base64')).format).toBe('jpeg');
    const bodies = upstreamBodies();
    expect(bodies).toHaveLength(2);
    expect(bodies[0]?.image).toEqual([expect.stringMatching(/^data:image\/png/), expect.stringMatching(/^data:image\/jpeg/), expect.stringMatching(/^data:image\/png/)]);
  });

  it('streams an edit of one image as image_edit events', async () => {
    const stream = await client.images.edit({ model: 'doubao-seedream-4-0', image: await png(), prompt: 'add snow', stream: true, response_format: 'b64_json' } as unknown as EditParams & { stream: true });
    const events: Record<string, unknown>[] = [];
    for await (const event of stream) events.push(event as unknown as Record<string, unknown>);
    expect(events.map((e) => e.type)).toEqual(['image_edit.partial_succeeded', 'image_edit.completed']);
    expect(decodeImage(Buffer.from(String(events[0]?.b64_json), 'base64')).format).toBe('jpeg');
    expect(upstreamBodies()[0]).toMatchObject({ stream: true });
  });

  it('streams an edit of several images into an image set', async () => {
    const stream = await client.images.edit({
      model: 'doubao-seedream-4-5',
      image: [await png('a.png'), await png('b.png')],
      prompt: 'a story in 3 images',
      stream: true,
      sequential_image_generation: 'auto',
      'sequential_image_generation_options[max_images]': 3,
    } as unknown as EditParams & { stream: true });
    const types: string[] = [];
    for await (const event of stream) types.push((event as unknown as { type: string }).type);
    expect(types).toEqual(['image_edit.partial_succeeded', 'image_edit.partial_succeeded', 'image_edit.partial_succeeded', 'image_edit.completed']);
    expect(upstreamBodies()[0]).toMatchObject({ sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 3 } });
  });

  it('names image[i] for a file that is not an image, and for one too small, before any upstream call', async () => {
    const notImage = await toFile(Buffer.from('just some text'), 'notes.png', { type: 'image/png' });
    const error = await badRequest(client.images.edit({ model: 'doubao-seedream-4-5', image: [await png(), notImage], prompt: 'x' }));
    expect(error.param).toBe('image[1]');
    const tiny = await badRequest(client.images.edit({ model: 'doubao-seedream-4-5', image: [await png('tiny.png', pngBytes(10, 10))], prompt: 'x' }));
    expect(tiny.param).toBe('image[0]');
    expect(tiny.message).toMatch(/10x10|14/);
    expect(upstreamBodies()).toHaveLength(0);
  });

  it('refuses more images than the model takes, naming image', async () => {
    const eleven = await Promise.all(Array.from({ length: 11 }, (_, i) => png(`${i}.png`)));
    const error = await badRequest(client.images.edit({ model: 'seedream-5-5', image: eleven, prompt: 'x' }));
    expect(error.param).toBe('image');
    expect(error.message).toMatch(/at most 10/);
  });

  it('refuses a mask, naming mask', async () => {
    const error = await badRequest(client.images.edit({ model: 'doubao-seedream-4-5', image: await png(), mask: await png('mask.png'), prompt: 'x' }));
    expect(error.param).toBe('mask');
    expect(error.message).toMatch(/no masks/);
  });

  it('accepts OpenAI-only fields with warnings', async () => {
    const res = await client.images
      .edit(edit({ model: 'doubao-seedream-4-5', image: await png(), prompt: 'x', input_fidelity: 'high', quality: 'high', output_compression: 50, partial_images: 2, background: 'opaque' }))
      .withResponse();
    const warnings = res.response.headers.get('x-seedream-warnings') ?? '';
    for (const field of ['input_fidelity', 'quality', 'output_compression', 'partial_images', 'background']) expect(warnings).toContain(field);
  });

  it('names a form field of the wrong type and an unknown one', async () => {
    expect((await badRequest(client.images.edit(edit({ model: 'doubao-seedream-4-5', image: await png(), prompt: 'x', n: 'two' })))).param).toBe('n');
    expect((await badRequest(client.images.edit(edit({ model: 'doubao-seedream-4-5', image: await png(), prompt: 'x', colour: 'red' })))).param).toBe('colour');
  });

  it('answers variations with a 400 that points to edits', async () => {
    const error = await badRequest(client.images.createVariation({ image: await png() }));
    expect(error.message).toMatch(/images\/edits/);
  });

  it('answers a JSON body with a 400 that asks for multipart', async () => {
    const res = await fetch(`${harness.url}/v1/images/edits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'doubao-seedream-4-5', prompt: 'x' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/multipart\/form-data/);
  });
});

describe('images.edit body bounds', () => {
  let small: RestHarness & { simulator: TestSimulator };
  let smallClient: OpenAI;
  beforeAll(async () => {
    small = await startWithSimulator({ env: { MAX_REFERENCE_IMAGE_BYTES: '4096', HTTP_BODY_LIMIT_BYTES: '20000' } });
    smallClient = sdkClient(small.url);
  });
  afterAll(() => small.close());

  it('names the file over the per-file limit without keeping it', async () => {
    const big = await toFile(Buffer.concat([pngBytes(), Buffer.alloc(5000)]), 'big.png', { type: 'image/png' });
    const error = await badRequest(smallClient.images.edit({ model: 'doubao-seedream-4-5', image: [await png(), big], prompt: 'x' }));
    expect(error.param).toBe('image[1]');
    expect(error.message).toMatch(/larger than 4096 bytes/);
  });

  it('answers 413 when the whole form is over the body limit', async () => {
    const files = await Promise.all(Array.from({ length: 8 }, (_, i) => toFile(Buffer.concat([pngBytes(), Buffer.alloc(3000)]), `${i}.png`, { type: 'image/png' })));
    const error = await smallClient.images.edit({ model: 'doubao-seedream-4-5', image: files, prompt: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
  });
});
