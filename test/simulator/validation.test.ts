import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceImageDataUri, startSimulator, type TestSimulator } from '../helpers/simulator.js';
import { expectArkError, generate, outcome } from './support.js';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

const models = {
  '3.0': 'doubao-seedream-3-0-t2i-250415',
  '4.0': 'doubao-seedream-4-0-250828',
  '4.5': 'doubao-seedream-4-5-251128',
  lite: 'doubao-seedream-5-0-260128',
  pro: 'doubao-seedream-5-0-pro-260628',
  flash: 'doubao-seedream-5-0-flash-260915',
} as const;
type Model = keyof typeof models;
const all = Object.keys(models) as Model[];
const ref = referenceImageDataUri();

/** Reference §1.2, written out from the reference (not from the catalog): which models accept a field. */
const fieldSupport: [string, Record<string, unknown>, Model[], string][] = [
  ['seed', { seed: 42 }, ['3.0'], 'seed'],
  ['guidance_scale', { guidance_scale: 5 }, ['3.0'], 'guidance_scale'],
  ['image set (auto)', { sequential_image_generation: 'auto', sequential_image_generation_options: { max_images: 1 } }, ['4.0', '4.5', 'lite'], 'sequential_image_generation'],
  ['image set options alone', { sequential_image_generation_options: { max_images: 2 } }, ['4.0', '4.5', 'lite'], 'sequential_image_generation_options'],
  ['sequential_image_generation disabled', { sequential_image_generation: 'disabled' }, all, ''],
  ['stream', { stream: true }, ['4.0', '4.5', 'lite'], 'stream'],
  ['optimize_prompt_options.mode standard', { optimize_prompt_options: { mode: 'standard' } }, ['4.0', '4.5', 'lite', 'pro', 'flash'], 'optimize_prompt_options'],
  ['optimize_prompt_options.mode fast', { optimize_prompt_options: { mode: 'fast' } }, ['4.0', 'pro'], 'optimize_prompt_options.mode'],
  ['output_format png', { output_format: 'png' }, ['lite', 'pro', 'flash'], 'output_format'],
  ['output_format jpeg (⚠ accepted everywhere: what 3.0/4.x produce anyway)', { output_format: 'jpeg' }, all, ''],
  ['tools web_search', { tools: [{ type: 'web_search' }] }, ['lite'], 'tools'],
  ['image (one reference)', { image: ref }, ['4.0', '4.5', 'lite', 'pro', 'flash'], 'image'],
  ['response_format and watermark', { response_format: 'b64_json', watermark: false }, all, ''],
  ['layer_decomposition (not simulated)', { layer_decomposition: true }, [], 'layer_decomposition'],
];

describe('field support per model (reference §1.2)', () => {
  const cases = fieldSupport.flatMap(([name, fields, accepted, param]) =>
    all.map((model) => [name, model, fields, accepted.includes(model), param] as const),
  );
  it.each(cases)('%s on %s: accepted=%s', async (_name, model, fields, accepted, param) => {
    const result = await outcome(sim, { model: models[model], prompt: 'a fox', ...fields });
    if (accepted) {
      expect(result.status, JSON.stringify(result.error)).toBe(200);
      return;
    }
    expect(result.status).toBe(400);
    expect(result.error?.code).toBe('InvalidParameter');
    // 3.0 has no prompt optimisation at all, so the whole object is refused there.
    expect(result.error?.param).toBe(model === '3.0' && param === 'optimize_prompt_options.mode' ? 'optimize_prompt_options' : param);
  });
});

/** Reference §1.2 bottom row: tier keywords per model. */
const tiers: Record<Model, string[]> = {
  '3.0': [],
  '4.0': ['1K', '2K', '4K'],
  '4.5': ['2K', '4K'],
  lite: ['2K', '3K', '4K'],
  pro: ['1K', '1.5K', '2K'],
  flash: ['1K', '1.5K', '2K'],
};

describe('size tiers (reference §1.2, §1.3)', () => {
  const cases = all.flatMap((model) => ['1K', '1.5K', '2K', '3K', '4K'].map((tier) => [model, tier, tiers[model].includes(tier)] as const));
  it.each(cases)('%s with size %s: accepted=%s', async (model, tier, accepted) => {
    const result = await outcome(sim, { model: models[model], prompt: 'a fox', size: tier });
    expect(result.status).toBe(accepted ? 200 : 400);
    if (!accepted) expect(result.error).toMatchObject({ code: 'InvalidParameter', param: 'size', type: 'BadRequest' });
  });
});

describe('WxH pixel and aspect ranges (reference §1.3)', () => {
  it.each([
    ['3.0', '512x512', true], ['3.0', '511x512', false], ['3.0', '2048x2048', true], ['3.0', '2049x2048', false],
    ['3.0', '1536x512', true], ['3.0', '1537x512', false],
    ['4.0', '1280x720', true], ['4.0', '1279x720', false], ['4.0', '4096x4096', true], ['4.0', '4097x4096', false],
    ['4.0', '4096x256', true], ['4.0', '4113x257', false], ['4.0', '256x4096', true], ['4.0', '257x4113', false],
    ['4.5', '2560x1440', true], ['4.5', '2559x1440', false], ['4.5', '1024x1024', false], ['4.5', '4096x4096', true],
    ['4.5', '4097x4096', false], ['4.5', '8000x500', true], ['4.5', '8016x500', false],
    ['lite', '2560x1440', true], ['lite', '2559x1440', false], ['lite', '4096x4096', true], ['lite', '4097x4096', false],
    ['pro', '1280x720', true], ['pro', '1279x720', false], ['pro', '2150x2150', true], ['pro', '2151x2150', false],
    ['flash', '1280x720', true], ['flash', '2151x2150', false],
  ] as const)('%s with size %s: accepted=%s', async (model, size, accepted) => {
    const result = await outcome(sim, { model: models[model], prompt: 'a fox', size, response_format: 'url' });
    expect(result.status, JSON.stringify(result.error)).toBe(accepted ? 200 : 400);
    if (!accepted) expect(result.error).toMatchObject({ code: 'InvalidParameter', param: 'size' });
  });

  it.each(['2048*2048', 'big', '2Kx2K', 'adaptive', '', 2048])('refuses the malformed size %j', async (size) => {
    const answer = await generate(sim, { model: models['4.5'], prompt: 'a fox', size });
    expectArkError(answer, 400, 'InvalidParameter', 'size');
  });
});

describe('max_images and the ≤ 15 rule (reference §1.5)', () => {
  const set = (maxImages: unknown, refs = 0) => ({
    model: models['4.5'],
    prompt: 'one image',
    sequential_image_generation: 'auto',
    sequential_image_generation_options: { max_images: maxImages },
    ...(refs > 0 && { image: new Array<string>(refs).fill('https://example.com/ref.png') }),
  });
  it.each([
    [1, 0, true], [15, 0, true], [0, 0, false], [16, 0, false], [1.5, 0, false], ['3', 0, false],
    [14, 1, true], [15, 1, false], [1, 14, true], [2, 14, false], [5, 10, true], [6, 10, false],
  ] as const)('max_images %j with %i references: accepted=%s', async (maxImages, refs, accepted) => {
    const result = await outcome(sim, set(maxImages, refs));
    expect(result.status, JSON.stringify(result.error)).toBe(accepted ? 200 : 400);
    if (!accepted) expect(result.error?.param).toBe('sequential_image_generation_options.max_images');
  });
});

describe('required fields, types and values', () => {
  it.each([
    ['a missing model', { prompt: 'a fox' }, 400, 'MissingParameter', 'model'],
    ['a model that is not a string', { model: 45, prompt: 'a fox' }, 400, 'InvalidParameter', 'model'],
    ['an unknown model', { model: 'dall-e-3', prompt: 'a fox' }, 404, 'InvalidEndpointOrModel.NotFound', 'model'],
    ['a missing prompt', { model: models['4.5'] }, 400, 'MissingParameter', 'prompt'],
    ['an empty prompt', { model: models['4.5'], prompt: '  ' }, 400, 'MissingParameter', 'prompt'],
    ['a prompt that is not a string', { model: models['4.5'], prompt: 5 }, 400, 'InvalidParameter', 'prompt'],
    ['an unknown response_format', { model: models['4.5'], prompt: 'a', response_format: 'png' }, 400, 'InvalidParameter', 'response_format'],
    ['a watermark that is not a boolean', { model: models['4.5'], prompt: 'a', watermark: 'no' }, 400, 'InvalidParameter', 'watermark'],
    ['a stream flag that is not a boolean', { model: models['4.5'], prompt: 'a', stream: 'true' }, 400, 'InvalidParameter', 'stream'],
    ['a seed above 2147483647', { model: models['3.0'], prompt: 'a', seed: 2_147_483_648 }, 400, 'InvalidParameter', 'seed'],
    ['a seed below -1', { model: models['3.0'], prompt: 'a', seed: -2 }, 400, 'InvalidParameter', 'seed'],
    ['a fractional seed', { model: models['3.0'], prompt: 'a', seed: 1.5 }, 400, 'InvalidParameter', 'seed'],
    ['a guidance_scale below 1', { model: models['3.0'], prompt: 'a', guidance_scale: 0.5 }, 400, 'InvalidParameter', 'guidance_scale'],
    ['a guidance_scale above 10', { model: models['3.0'], prompt: 'a', guidance_scale: 10.5 }, 400, 'InvalidParameter', 'guidance_scale'],
    ['an unknown sequential_image_generation', { model: models['4.5'], prompt: 'a', sequential_image_generation: 'maybe' }, 400, 'InvalidParameter', 'sequential_image_generation'],
    ['output_format webp', { model: models.lite, prompt: 'a', output_format: 'webp' }, 400, 'InvalidParameter', 'output_format'],
    ['an unknown tool', { model: models.lite, prompt: 'a', tools: [{ type: 'code' }] }, 400, 'InvalidParameter', 'tools'],
    ['tools that are not an array', { model: models.lite, prompt: 'a', tools: 'web_search' }, 400, 'InvalidParameter', 'tools'],
    ['a transparent background', { model: models.pro, prompt: 'a', background: 'transparent' }, 400, 'InvalidParameter', 'background'],
    ['a body that is an array', [], 400, 'InvalidParameter', ''],
  ])('refuses %s', async (_name, body, status, code, param) => {
    expectArkError(await generate(sim, body), status, code, param);
  });

  it('refuses a body that is not JSON', async () => {
    expectArkError(await generate(sim, '{"model":'), 400, 'InvalidParameter');
  });

  it.each([
    ['seed -1 (the default) on 3.0', { model: models['3.0'], seed: -1 }],
    ['guidance_scale 1 and 10 on 3.0', { model: models['3.0'], guidance_scale: 10 }],
    ['fields the upstream does not know (n, quality, user)', { model: models['4.5'], n: 3, quality: 'hd', user: 'u1' }],
    ['null as absent', { model: models['4.5'], seed: null, size: null, stream: null }],
  ])('accepts %s', async (_name, fields) => {
    const result = await outcome(sim, { prompt: 'a fox', ...fields });
    expect(result.status, JSON.stringify(result.error)).toBe(200);
  });

  it('answers validation errors as JSON even when stream is true (reference §3.1)', async () => {
    const result = await outcome(sim, { model: models['4.5'], prompt: 'a fox', size: '1K', stream: true });
    expect(result.status).toBe(400);
    expect(result.contentType).toContain('application/json');
    expect(result.error?.param).toBe('size');
  });

  it('words errors like Ark: type from the error table and a message ending in the request id', async () => {
    const answer = await generate(sim, { model: models['4.5'], prompt: 'a', seed: 3 });
    expectArkError(answer, 400, 'InvalidParameter', 'seed');
    expect(answer.body.error?.type).toBe('BadRequest');
    expect(answer.body.error?.message).toMatch(/^The parameter `seed` specified in the request is not valid: .*Request id: 02/);
  });
});
