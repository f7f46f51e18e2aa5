import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type TestSimulator } from '../helpers/simulator.js';
import { expectImageOfReportedSize, generate } from './support.js';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

describe('successful answers (reference §2)', () => {
  it.each([
    // model, size, prompt, expected W×H, output_format
    ['doubao-seedream-4-0-250828', '1K', 'a lighthouse', '1024x1024', undefined],
    ['doubao-seedream-4-0-250828', '1K', 'a lighthouse, 16:9', '1312x736', undefined],
    ['doubao-seedream-4-5-251128', '2K', 'a lighthouse, 16:9 cinematic', '2848x1600', undefined],
    ['doubao-seedream-4-5-251128', '4K', 'a panorama 21:9', '6240x2656', undefined],
    ['doubao-seedream-4-5-251128', '2500x1500', 'a lighthouse', '2500x1500', undefined],
    ['doubao-seedream-5-0-260128', '3K', 'a lighthouse 9:16', '2304x4096', 'png'],
    ['doubao-seedream-5-0-pro-260628', '1.5K', 'a lighthouse 3:4', '1344x1792', 'jpeg'],
    ['doubao-seedream-5-0-flash-260915', '1K', 'a lighthouse 2:3', '832x1248', 'png'],
  ] as const)('%s with size %s and prompt "%s" returns a decodable %s image (output_format %s)', async (model, size, prompt, expected, outputFormat) => {
    const answer = await generate(sim, { model, prompt, size, watermark: false, ...(outputFormat && { output_format: outputFormat }) });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('application/json');
    expect(answer.headers.get('x-request-id')).toMatch(/^02\d+/);
    const item = answer.body.data?.[0];
    expect(answer.body.data).toHaveLength(1);
    expect(item?.size).toBe(expected);
    expect(item?.url).toMatch(new RegExp(`^${sim.url}/images/[A-Za-z0-9_-]{22}\\.${outputFormat ?? 'jpeg'}$`));
    if (item !== undefined) await expectImageOfReportedSize(item, outputFormat ?? 'jpeg');
  });

  it('returns raw base64 (no data-URI prefix) for b64_json, decoding to the reported size', async () => {
    const answer = await generate(sim, { model: 'seedream-4-5-251128', prompt: 'a fox', size: '2K', response_format: 'b64_json' });
    const item = answer.body.data?.[0];
    expect(item?.url).toBeUndefined();
    expect(item?.b64_json).toMatch(/^\/9j\//); // JPEG SOI in base64
    if (item !== undefined) await expectImageOfReportedSize(item);
  });

  it('reports usage as generated images and round(W×H / 256) output tokens', async () => {
    const answer = await generate(sim, { model: 'doubao-seedream-4-5-251128', prompt: 'a fox 16:9', size: '2K' });
    expect(answer.body.usage).toEqual({ generated_images: 1, output_tokens: 17800, total_tokens: 17800 });
  });

  it('stamps created in Unix seconds', async () => {
    const before = Math.floor(Date.now() / 1000);
    const answer = await generate(sim, { model: 'doubao-seedream-4-0-250828', prompt: 'a fox', size: '1K' });
    expect(answer.body.created).toBeGreaterThanOrEqual(before);
    expect(answer.body.created).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('omits size for Seedream 3.0 and uses its 1024x1024 default', async () => {
    const answer = await generate(sim, { model: 'doubao-seedream-3-0-t2i-250415', prompt: 'a fox', response_format: 'b64_json' });
    const item = answer.body.data?.[0];
    expect(item?.size).toBeUndefined();
    const image = await expectImageOfReportedSize({ ...item, size: '1024x1024' });
    expect(image.width).toBe(1024);
  });

  it('adds output_format to items and input_images to usage for 5.0 pro', async () => {
    const answer = await generate(sim, { model: 'doubao-seedream-5-0-pro-260628', prompt: 'a fox', output_format: 'png' });
    expect(answer.body.data?.[0]).toMatchObject({ size: '2048x2048', output_format: 'png' });
    expect(answer.body.usage).toMatchObject({ generated_images: 1, input_images: 0 });
  });

  it('echoes the tools and counts the search when 5.0 lite is asked to search the web', async () => {
    const answer = await generate(sim, { model: 'doubao-seedream-5-0-260128', prompt: 'today', size: '2K', tools: [{ type: 'web_search' }] });
    expect(answer.body.tools).toEqual([{ type: 'web_search' }]);
    expect(answer.body.usage).toMatchObject({ generated_images: 1, tool_usage: { web_search: 1 } });
  });

  it('serves the same answer on the relay path /v1/images/generations', async () => {
    const answer = await generate(sim, { model: 'doubao-seedream-4-5-251128', prompt: 'a fox', size: '2K' }, { path: '/v1/images/generations' });
    expect(answer.status).toBe(200);
    expect(answer.body.data?.[0]?.size).toBe('2048x2048');
    expect(answer.body.model).toBe('doubao-seedream-4-5-251128');
  });
});

describe('model ids', () => {
  it.each([
    ['doubao-seedream-4-5-251128', 'doubao-seedream-4-5-251128'],
    ['seedream-4-5-251128', 'seedream-4-5-251128'],
    ['doubao-seedream-4-5', 'doubao-seedream-4-5-251128'],
    ['Doubao-Seedream-4-5', 'doubao-seedream-4-5-251128'],
    ['doubao-seedream-5-0-lite-260128', 'doubao-seedream-5-0-260128'],
    ['seedream-5-0-lite-260128', 'seedream-5-0-260128'],
    ['dola-seedream-5-0-pro-260628', 'dola-seedream-5-0-pro-260628'],
    ['seedream-3-0-t2i-250415', 'seedream-3-0-t2i-250415'],
  ])('accepts %s and echoes the canonical id of its region, %s', async (model, echoed) => {
    const size = model.includes('3-0') ? undefined : model.includes('pro') ? '1K' : '2K';
    const answer = await generate(sim, { model, prompt: 'a fox', ...(size && { size }) });
    expect(answer.status).toBe(200);
    expect(answer.body.model).toBe(echoed);
  });

  it.each(['seedream-4-5', 'seedream-5-0-lite', 'dola-seedream-5-0-pro', 'seedream-5-5'])('refuses the undated BytePlus id %s with 404, as BytePlus does', async (model) => {
    const answer = await generate(sim, { model, prompt: 'a fox' });
    expect(answer.status).toBe(404);
    expect(answer.body.error?.code).toBe('InvalidEndpointOrModel.NotFound');
  });
});

describe('image content', () => {
  const b64 = async (body: Record<string, unknown>) =>
    (await generate(sim, { response_format: 'b64_json', ...body })).body.data?.[0]?.b64_json;
  const v30 = { model: 'doubao-seedream-3-0-t2i-250415', size: '512x512' };

  it('is the same for the same prompt and seed', async () => {
    expect(await b64({ ...v30, prompt: 'a fox', seed: 42 })).toBe(await b64({ ...v30, prompt: 'a fox', seed: 42 }));
  });

  it('differs between prompts, seeds and watermark settings', async () => {
    const base = await b64({ ...v30, prompt: 'a fox', seed: 42 });
    expect(await b64({ ...v30, prompt: 'a cat', seed: 42 })).not.toBe(base);
    expect(await b64({ ...v30, prompt: 'a fox', seed: 43 })).not.toBe(base);
    expect(await b64({ ...v30, prompt: 'a fox', seed: 42, watermark: false })).not.toBe(base);
  });

  it('draws a random seed per request without a seed or with seed -1, as the upstream does', async () => {
    expect(await b64({ ...v30, prompt: 'a fox' })).not.toBe(await b64({ ...v30, prompt: 'a fox' }));
    expect(await b64({ ...v30, prompt: 'a fox', seed: -1 })).not.toBe(await b64({ ...v30, prompt: 'a fox', seed: -1 }));
  });

  it('repeats images for seedless requests when started with fixedSeed', async () => {
    const fixed = await startSimulator({ fixedSeed: 7 });
    try {
      const body = { model: 'doubao-seedream-4-0-250828', prompt: 'a fox', size: '1K', response_format: 'b64_json' };
      const first = await generate(fixed, body);
      const second = await generate(fixed, body);
      expect(first.body.data?.[0]?.b64_json).toBe(second.body.data?.[0]?.b64_json);
    } finally {
      await fixed.close();
    }
  });

  it('draws the same picture as PNG and as JPEG', async () => {
    const body = { model: 'doubao-seedream-5-0-260128', prompt: 'a fox', size: '2560x1440', response_format: 'b64_json' };
    const fixed = await startSimulator({ fixedSeed: 3 });
    try {
      const png = await generate(fixed, { ...body, output_format: 'png' });
      const jpeg = await generate(fixed, { ...body, output_format: 'jpeg' });
      const a = await expectImageOfReportedSize(png.body.data?.[0] ?? {}, 'png');
      const b = await expectImageOfReportedSize(jpeg.body.data?.[0] ?? {}, 'jpeg');
      for (const [x, y] of [[0, 0], [1000, 700], [2559, 1439], [123, 1300]] as const) {
        const [p, j] = [a.rgb(x, y), b.rgb(x, y)];
        for (let c = 0; c < 3; c++) expect(Math.abs((p[c] ?? 0) - (j[c] ?? 0))).toBeLessThanOrEqual(3);
      }
    } finally {
      await fixed.close();
    }
  });
});
