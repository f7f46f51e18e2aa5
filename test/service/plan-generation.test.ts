import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import type { ModelKey } from '../../src/models/types.js';
import { planGeneration, type PlanContext } from '../../src/service/plan-generation.js';
import type { GenerationSpec } from '../../src/service/types.js';
import { dataUri, jpegHeader, pngHeader } from '../helpers/image-headers.js';

const context: PlanContext = {
  limits: { maxN: 10, maxImagesPerRequest: 30, promptMaxChars: 8000, maxReferenceImageBytes: 10_000_000 },
  region: 'cn',
  preferStreaming: true,
};

const spec = (model: ModelKey, extra: Partial<GenerationSpec> = {}): GenerationSpec => ({
  model,
  prompt: 'a lighthouse at dusk',
  referenceImages: [],
  responseFormat: 'url',
  n: 1,
  ...extra,
});

function violationsOf(input: GenerationSpec): { field: string; description: string }[] {
  try {
    planGeneration(input, context);
  } catch (error) {
    if (error instanceof GatewayError) return [...error.violations];
    throw error;
  }
  return [];
}

describe('planGeneration: what is sent upstream', () => {
  it.each([
    ['seedream_3_0', 'doubao-seedream-3-0-t2i-250415', '1024x1024', false],
    ['seedream_4_0', 'doubao-seedream-4-0-250828', '2048x2048', true],
    ['seedream_4_5', 'doubao-seedream-4-5-251128', '2048x2048', true],
    ['seedream_5_0_lite', 'doubao-seedream-5-0-260128', '2048x2048', true],
    ['seedream_5_0_pro', 'doubao-seedream-5-0-pro-260628', '2K', false],
    ['seedream_5_0_flash', 'doubao-seedream-5-0-flash-260915', '2K', false],
  ] as const)('%s: current id, explicit default size, streaming only where native', (model, id, size, stream) => {
    const plan = planGeneration(spec(model), context);
    expect(plan.request).toMatchObject({ modelId: id, size, stream, responseFormat: 'url', images: [] });
    expect(plan.imagesPerRequest).toBe(1);
    expect(plan.mimeType).toBe('image/jpeg');
  });

  it('uses BytePlus ids for the international region and honours a pinned alias', () => {
    const intl = planGeneration(spec('seedream_5_0_lite', { modelId: 'doubao-seedream-5-0-lite-260128' }), { ...context, region: 'international' });
    expect(intl.request.modelId).toBe('seedream-5-0-260128');
  });

  it('carries only the options the model has, with their values', () => {
    const plan = planGeneration(
      spec('seedream_5_0_lite', { size: { kind: 'tier', tier: '3K' }, imageSet: { maxImages: 4 }, outputFormat: 'png', webSearch: true, watermark: false, user: 'u1', promptOptimization: 'standard' }),
      context,
    );
    expect(plan.request).toMatchObject({ size: '3K', imageSet: { maxImages: 4 }, outputFormat: 'png', webSearch: true, watermark: false, user: 'u1' });
    expect(plan.request).not.toHaveProperty('promptOptimization'); // standard is 5.0 lite's only mode: nothing to send
    expect(plan.imagesPerRequest).toBe(4);
    expect(plan.mimeType).toBe('image/png');
    const three = planGeneration(spec('seedream_3_0', { seed: 7, guidanceScale: 5.5, size: { kind: 'pixels', width: 1280, height: 720 } }), context);
    expect(three.request).toMatchObject({ seed: 7, guidanceScale: 5.5, size: '1280x720' });
    expect(three.requestedPixels).toEqual({ width: 1280, height: 720 });
  });

  it('defaults an image set to 15 minus the reference images', () => {
    const refs = Array.from({ length: 3 }, () => ({ kind: 'url' as const, url: 'https://example.com/a.png' }));
    const plan = planGeneration(spec('seedream_4_5', { referenceImages: refs, imageSet: {} }), context);
    expect(plan.imagesPerRequest).toBe(12);
    expect(plan.request.imageSet).toEqual({ maxImages: 12 });
  });

  it('passes data URIs through untouched and encodes raw bytes once as a data URI', () => {
    const png = pngHeader(512, 512);
    const uri = dataUri('image/png', png);
    const plan = planGeneration(spec('seedream_4_5', { referenceImages: [{ kind: 'data-uri', uri }, { kind: 'bytes', data: jpegHeader(640, 480) }] }), context);
    expect(plan.request.images[0]).toBe(uri);
    expect(plan.request.images[1]).toBe(dataUri('image/jpeg', jpegHeader(640, 480)));
  });
});

describe('planGeneration: every rule names its field', () => {
  const png = pngHeader(1024, 1024);
  it.each<[string, GenerationSpec, string, RegExp]>([
    ['empty prompt', spec('seedream_4_5', { prompt: '  ' }), 'prompt', /prompt is required/],
    ['long prompt', spec('seedream_4_5', { prompt: 'x'.repeat(8001) }), 'prompt', /8001 characters; the limit is 8000/],
    ['n = 0', spec('seedream_4_5', { n: 0 }), 'n', /from 1 to 10/],
    ['n too large', spec('seedream_4_5', { n: 11 }), 'n', /from 1 to 10/],
    ['size too small for 4.5', spec('seedream_4_5', { size: { kind: 'pixels', width: 1024, height: 1024 } }), 'size', /needs 3686400 to 16777216/],
    ['tier 3.0 lacks', spec('seedream_3_0', { size: { kind: 'tier', tier: '2K' } }), 'size', /only exact pixel sizes/],
    ['aspect ratio', spec('seedream_4_0', { size: { kind: 'pixels', width: 8192, height: 400 } }), 'size', /aspect ratio/],
    ['seed on 4.5', spec('seedream_4_5', { seed: 1 }), 'seed', /does not accept a seed/],
    ['seed out of range', spec('seedream_3_0', { seed: -2 }), 'seed', /-1 to 2147483647/],
    ['guidance on 4.0', spec('seedream_4_0', { guidanceScale: 3 }), 'guidanceScale', /does not accept guidance_scale/],
    ['guidance out of range', spec('seedream_3_0', { guidanceScale: 10.5 }), 'guidanceScale', /from 1 to 10/],
    ['image set on 3.0', spec('seedream_3_0', { imageSet: { maxImages: 2 } }), 'imageSet', /does not accept image sets/],
    ['image set on 5.0 pro', spec('seedream_5_0_pro', { imageSet: { maxImages: 2 } }), 'imageSet', /does not accept image sets/],
    ['max_images 16', spec('seedream_4_5', { imageSet: { maxImages: 16 } }), 'imageSet.maxImages', /from 1 to 15/],
    ['refs + max_images > 15', spec('seedream_4_5', { imageSet: { maxImages: 13 }, referenceImages: [1, 2, 3].map(() => ({ kind: 'url' as const, url: 'https://e.com/r.png' })) }), 'imageSet.maxImages', /3 reference images \+ max_images 13 exceeds 15; use at most 12/],
    ['fast mode on 4.5', spec('seedream_4_5', { promptOptimization: 'fast' }), 'promptOptimization', /accepts only the mode standard/],
    ['mode on 3.0', spec('seedream_3_0', { promptOptimization: 'standard' }), 'promptOptimization', /does not accept prompt optimisation/],
    ['png on 4.0', spec('seedream_4_0', { outputFormat: 'png' }), 'outputFormat', /produces only jpeg/],
    ['web search on 4.5', spec('seedream_4_5', { webSearch: true }), 'webSearch', /does not accept web search/],
    ['refs on 3.0', spec('seedream_3_0', { referenceImages: [{ kind: 'url', url: 'https://e.com/a.png' }] }), 'referenceImages', /text to image only/],
    ['11 refs on 5.0 pro', spec('seedream_5_0_pro', { referenceImages: Array.from({ length: 11 }, () => ({ kind: 'url' as const, url: 'https://e.com/a.png' })) }), 'referenceImages', /11 reference images; Seedream 5.0 pro accepts at most 10/],
    ['15 refs on 5.0 lite', spec('seedream_5_0_lite', { referenceImages: Array.from({ length: 15 }, () => ({ kind: 'url' as const, url: 'https://e.com/a.png' })) }), 'referenceImages', /at most 14/],
    ['ftp URL', spec('seedream_4_5', { referenceImages: [{ kind: 'url', url: 'ftp://e.com/a.png' }] }), 'referenceImages[0]', /scheme must be http or https/],
    ['broken URL', spec('seedream_4_5', { referenceImages: [{ kind: 'url', url: 'https://' }] }), 'referenceImages[0]', /not a valid URL/],
    ['upper-case MIME', spec('seedream_4_5', { referenceImages: [{ kind: 'data-uri', uri: dataUri('image/PNG', png) }] }), 'referenceImages[0]', /must be lower case: image\/png/],
    ['image/jpg', spec('seedream_4_5', { referenceImages: [{ kind: 'data-uri', uri: dataUri('image/jpg', jpegHeader(64, 64)) }] }), 'referenceImages[0]', /use image\/jpeg/],
    ['svg', spec('seedream_4_5', { referenceImages: [{ kind: 'data-uri', uri: 'data:image/svg+xml;base64,PHN2Zz4=' }] }), 'referenceImages[0]', /image\/svg\+xml is not accepted/],
    ['no format', spec('seedream_4_5', { referenceImages: [{ kind: 'data-uri', uri: 'data:;base64,AAAA' }] }), 'referenceImages[0]', /must name its format/],
    ['not base64', spec('seedream_4_5', { referenceImages: [{ kind: 'data-uri', uri: 'data:image/png;base64,iVBOR w0K' }] }), 'referenceImages[0]', /not valid base64/],
    ['not a data URI', spec('seedream_4_5', { referenceImages: [{ kind: 'data-uri', uri: 'data:image/png,raw' }] }), 'referenceImages[0]', /must look like data:image/],
    ['declared png, is jpeg', spec('seedream_4_5', { referenceImages: [{ kind: 'data-uri', uri: dataUri('image/png', jpegHeader(64, 64)) }] }), 'referenceImages[0]', /jpeg file but is declared as image\/png/],
    ['too small', spec('seedream_4_5', { referenceImages: [{ kind: 'bytes', data: pngHeader(14, 100) }] }), 'referenceImages[0]', /more than 14 pixels/],
    ['too many pixels', spec('seedream_4_5', { referenceImages: [{ kind: 'bytes', data: pngHeader(7000, 6000) }] }), 'referenceImages[0]', /at most 36000000 pixels/],
    ['too thin', spec('seedream_4_5', { referenceImages: [{ kind: 'bytes', data: jpegHeader(1700, 100, 60_000) }] }), 'referenceImages[0]', /between 1:16 and 16:1/],
    ['not an image', spec('seedream_4_5', { referenceImages: [{ kind: 'bytes', data: Buffer.from('hello world, not an image') }] }), 'referenceImages[0]', /not a supported image/],
    ['empty bytes', spec('seedream_4_5', { referenceImages: [{ kind: 'bytes', data: Buffer.alloc(0) }] }), 'referenceImages[0]', /empty/],
    ['bytes mime mismatch', spec('seedream_4_5', { referenceImages: [{ kind: 'bytes', data: png, mimeType: 'image/gif' }] }), 'referenceImages[0]', /png file but is declared as image\/gif/],
    ['user too long', spec('seedream_4_5', { user: 'u'.repeat(257) }), 'user', /longer than 256/],
    ['model id of another model', spec('seedream_4_5', { modelId: 'doubao-seedream-4-0-250828' }), 'modelId', /names Seedream 4.0, not Seedream 4.5/],
    ['too many images in total', spec('seedream_4_5', { n: 3, imageSet: { maxImages: 15 } }), 'imageSet.maxImages', /n × images per set = 45; at most 30/],
  ])('%s', (_name, input, field, description) => {
    const violations = violationsOf(input);
    expect(violations).toHaveLength(1);
    expect(violations[0]?.field).toBe(field);
    expect(violations[0]?.description).toMatch(description);
  });

  it('rejects an oversized data URI from its length, without decoding it', () => {
    const big = `data:image/png;base64,${pngHeader(1024, 1024).toString('base64').slice(0, 40)}${'A'.repeat(13_400_000)}`;
    const violations = violationsOf(spec('seedream_4_5', { referenceImages: [{ kind: 'data-uri', uri: big }] }));
    expect(violations[0]?.description).toMatch(/bytes; the limit is 10000000/);
  });

  it('reports every problem of a request together', () => {
    const violations = violationsOf(spec('seedream_4_5', { prompt: '', n: 99, seed: 3, outputFormat: 'png', size: { kind: 'tier', tier: '1K' } }));
    expect(violations.map((v) => v.field).sort()).toEqual(['n', 'outputFormat', 'prompt', 'seed', 'size']);
  });

  it('answers MODEL_NOT_FOUND for an unknown pinned model name', () => {
    expect(() => planGeneration(spec('seedream_4_5', { modelId: 'doubao-seedream-9-9' }), context)).toThrow(
      expect.objectContaining({ reason: 'MODEL_NOT_FOUND' }),
    );
  });

  it('accepts a model\'s one fixed value for an option it lacks (standard mode, jpeg) without sending it', () => {
    const plan = planGeneration(spec('seedream_4_5', { promptOptimization: 'standard', outputFormat: 'jpeg' }), context);
    expect(plan.request).not.toHaveProperty('promptOptimization');
    expect(plan.request).not.toHaveProperty('outputFormat');
  });
});

describe('planGeneration: formats both upstream doc revisions accept', () => {
  it('refuses HEIC reference images with a clear reason', () => {
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic'), Buffer.alloc(16)]);
    const violations = violationsOf(spec('seedream_4_5', { referenceImages: [{ kind: 'bytes', data: heic }] }));
    expect(violations[0]).toEqual({ field: 'referenceImages[0]', description: 'heic images are not accepted; convert to png, jpeg, webp, bmp, tiff, gif' });
    expect(violationsOf(spec('seedream_4_5', { referenceImages: [{ kind: 'data-uri', uri: 'data:image/heif;base64,AAAA' }] }))[0]?.description).toMatch(/image\/heif is not accepted/);
  });
});
