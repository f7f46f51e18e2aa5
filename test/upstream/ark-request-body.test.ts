import { describe, expect, it } from 'vitest';
import { arkRequestBody, arkRequestJson } from '../../src/upstream/ark/request-body.js';
import { requestWithEverything, simpleRequest } from './helpers/requests.js';

describe('Ark request body', () => {
  it.each([
    [
      'seedream_3_0',
      { model: 'doubao-seedream-3-0-t2i-250415', seed: 42, guidance_scale: 3 },
    ],
    [
      'seedream_4_0',
      {
        model: 'doubao-seedream-4-0-250828',
        image: 'https://example.com/ref.png',
        sequential_image_generation: 'auto',
        sequential_image_generation_options: { max_images: 3 },
        optimize_prompt_options: { mode: 'standard' },
      },
    ],
    [
      'seedream_4_5',
      {
        model: 'doubao-seedream-4-5-251128',
        image: 'https://example.com/ref.png',
        sequential_image_generation: 'auto',
        sequential_image_generation_options: { max_images: 3 },
      },
    ],
    [
      'seedream_5_0_lite',
      {
        model: 'doubao-seedream-5-0-260128',
        image: 'https://example.com/ref.png',
        sequential_image_generation: 'auto',
        sequential_image_generation_options: { max_images: 3 },
        output_format: 'png',
        tools: [{ type: 'web_search' }],
      },
    ],
    [
      'seedream_5_0_pro',
      {
        model: 'doubao-seedream-5-0-pro-260628',
        image: 'https://example.com/ref.png',
        optimize_prompt_options: { mode: 'standard' },
        output_format: 'png',
      },
    ],
    [
      'seedream_5_0_flash',
      { model: 'doubao-seedream-5-0-flash-260915', image: 'https://example.com/ref.png', output_format: 'png' },
    ],
  ] as const)('%s: sends exactly the fields the model accepts', (key, specific) => {
    const request = requestWithEverything(key);
    expect(arkRequestBody(request, { modelId: request.modelId, stream: false })).toEqual({
      prompt: 'a red fox in snow, 16:9',
      size: '2048x2048',
      response_format: 'url',
      watermark: false,
      ...specific,
    });
  });

  it('never sends n or user to Ark, and stream only when asked', () => {
    const request = requestWithEverything('seedream_4_5');
    const body = arkRequestBody(request, { modelId: 'm', stream: true });
    expect(body).not.toHaveProperty('user');
    expect(body).not.toHaveProperty('n');
    expect(body.stream).toBe(true);
    expect(arkRequestBody(request, { modelId: 'm', stream: false })).not.toHaveProperty('stream');
  });

  it('sends user to relays when the request has one', () => {
    expect(arkRequestBody(requestWithEverything('seedream_4_5'), { modelId: 'm', stream: false, includeUser: true }).user).toBe(
      'end-user-7',
    );
  });

  it('sends one reference as a string and several as an array; none omits the field', () => {
    const one = simpleRequest('seedream_4_5', { images: ['data:image/png;base64,AAAA'] });
    const two = simpleRequest('seedream_4_5', { images: ['https://a/1.png', 'https://a/2.png'] });
    expect(arkRequestBody(one, { modelId: 'm', stream: false }).image).toBe('data:image/png;base64,AAAA');
    expect(arkRequestBody(two, { modelId: 'm', stream: false }).image).toEqual(['https://a/1.png', 'https://a/2.png']);
    expect(arkRequestBody(simpleRequest('seedream_4_5'), { modelId: 'm', stream: false })).not.toHaveProperty('image');
  });

  it('omits watermark when unset and leaves web search out when false', () => {
    const body = arkRequestBody(simpleRequest('seedream_5_0_lite', { webSearch: false }), { modelId: 'm', stream: false });
    expect(body).not.toHaveProperty('watermark');
    expect(body).not.toHaveProperty('tools');
  });

  it('serialises a large base64 reference in one pass, unchanged', () => {
    const data = `data:image/png;base64,${'Q'.repeat(8 * 1024 * 1024)}`;
    const json = arkRequestJson(simpleRequest('seedream_4_5', { images: [data] }), { modelId: 'm', stream: false });
    expect((JSON.parse(json) as { image: string }).image).toBe(data);
  });
});
