import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countFromPrompt } from '../../src/simulator/plan.js';
import { startSimulator, type TestSimulator } from '../helpers/simulator.js';
import { expectImageOfReportedSize, generate } from './support.js';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

const refs = (n: number) => Array.from({ length: n }, (_, i) => `https://example.com/${i}.png`);
const set = (prompt: string, extra: Record<string, unknown> = {}) => ({
  model: 'doubao-seedream-4-0-250828',
  prompt,
  size: '1K',
  sequential_image_generation: 'auto',
  ...extra,
});

describe('image sets: the model decides the count (reference §1.5)', () => {
  it.each([
    ['the number the prompt states', set('Generate 4 images of a fox', { sequential_image_generation_options: { max_images: 15 } }), 4],
    ['max_images when the prompt states none', set('a fox in each season', { sequential_image_generation_options: { max_images: 3 } }), 3],
    ['max_images when the prompt asks for more', set('Generate 10 images', { sequential_image_generation_options: { max_images: 3 } }), 3],
    ['15 when neither prompt nor max_images says', set('a fox in each season'), 15],
    ['15 − references when max_images is absent', set('a fox in each season', { image: refs(5) }), 10],
    ['15 − references when the prompt asks for more', set('Generate 6 images', { image: refs(14) }), 1],
    ['a count written as a word', set('three pictures of a fox'), 3],
    ['a count in Chinese', set('生成4张狐狸的图片'), 4],
    ['one image when sequential_image_generation is disabled', set('Generate 4 images', { sequential_image_generation: 'disabled' }), 1],
  ])('makes %s', async (_name, body, count) => {
    const answer = await generate(sim, body);
    expect(answer.status, JSON.stringify(answer.body.error)).toBe(200);
    expect(answer.body.data).toHaveLength(count);
    expect(answer.body.usage).toEqual({
      generated_images: count,
      output_tokens: Math.round((count * 1024 * 1024) / 256),
      total_tokens: Math.round((count * 1024 * 1024) / 256),
    });
  });

  it('makes every image of a set decodable, of the reported size, and different from the others', async () => {
    const answer = await generate(sim, set('Generate 3 images of a fox, 4:3', { response_format: 'b64_json' }));
    const items = answer.body.data ?? [];
    expect(items.map((item) => item.size)).toEqual(['1152x864', '1152x864', '1152x864']);
    for (const item of items) await expectImageOfReportedSize(item);
    expect(new Set(items.map((item) => item.b64_json)).size).toBe(3);
  });

  it('hands out a distinct URL for every image', async () => {
    const answer = await generate(sim, set('Generate 5 images'));
    expect(new Set(answer.body.data?.map((item) => item.url)).size).toBe(5);
  });
});

describe('reading a count from a prompt', () => {
  it.each([
    ['Generate 3 images of a girl and a cow plushie', 3],
    ['4 cute photos', 4],
    ['twelve illustrations', 12],
    ['生成5幅插画', 5],
    ['a 16:9 poster', undefined],
    ['a fox with 4 legs', undefined],
  ])('%s → %s', (prompt, count) => {
    expect(countFromPrompt(prompt)).toBe(count);
  });
});
