import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type TestSimulator } from '../helpers/simulator.js';
import { decodeImage } from '../helpers/image-decoders.js';
import { rawPost, sseFrames } from './support.js';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

const streamSet = (count: number, extra: Record<string, unknown> = {}) => ({
  model: 'doubao-seedream-4-5-251128',
  prompt: `Generate ${count} images of a fox, 3:2`,
  size: '2K',
  sequential_image_generation: 'auto',
  stream: true,
  ...extra,
});

type Event = Record<string, unknown> & { type: string };

describe('SSE framing (reference §3.1)', () => {
  it('writes each event as an event line, one single-line data line and a blank line, then data: [DONE]', async () => {
    const answer = await rawPost(sim, streamSet(3), { accept: 'text/event-stream' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('no-cache');
    expect(answer.headers['x-request-id']).toMatch(/^02\d+/);
    expect(answer.headers['content-length']).toBeUndefined();

    const text = answer.body.toString('utf8');
    const events = sseFrames(text)
      .slice(0, -1)
      .map((frame) => JSON.parse(frame.data) as Event);
    const created = events[0]?.created as number;
    const url = (i: number) => String(events[i]?.url);
    const usage = { generated_images: 3, output_tokens: 48672, total_tokens: 48672 };
    // The exact bytes, key order included (reference §3.3 wire example).
    const expected =
      [0, 1, 2]
        .map(
          (i) =>
            `event: image_generation.partial_succeeded\ndata: {"type":"image_generation.partial_succeeded","model":"doubao-seedream-4-5-251128","created":${created},"image_index":${i},"url":"${url(i)}","size":"2496x1664"}\n\n`,
        )
        .join('') +
      `event: image_generation.completed\ndata: {"type":"image_generation.completed","model":"doubao-seedream-4-5-251128","created":${created},"usage":${JSON.stringify(usage)}}\n\n` +
      'data: [DONE]\n\n';
    expect(text).toBe(expected);
  });

  it('sends headers only when the first image is ready, and each event as its image finishes', async () => {
    const slow = await startSimulator({ latencyMs: 150 });
    try {
      const answer = await rawPost(slow, streamSet(3));
      expect(answer.headersAfterMs).toBeGreaterThanOrEqual(140);
      const eventTimes = answer.chunks.filter((c) => c.text.includes('partial_succeeded')).map((c) => c.atMs);
      expect(eventTimes).toHaveLength(3);
      expect((eventTimes[1] ?? 0) - (eventTimes[0] ?? 0)).toBeGreaterThanOrEqual(100);
      expect((eventTimes[2] ?? 0) - (eventTimes[1] ?? 0)).toBeGreaterThanOrEqual(100);
    } finally {
      await slow.close();
    }
  });
});

describe('SSE events (reference §3.2)', () => {
  it('carries b64_json and size in partial_succeeded, decoding to that size', async () => {
    const answer = await rawPost(sim, streamSet(2, { response_format: 'b64_json' }));
    const events = sseFrames(answer.body.toString('utf8')).slice(0, -1).map((f) => JSON.parse(f.data) as Event);
    const images = events.filter((e) => e.type === 'image_generation.partial_succeeded');
    expect(images.map((e) => e.image_index)).toEqual([0, 1]);
    for (const event of images) {
      expect(Object.keys(event)).toEqual(['type', 'model', 'created', 'image_index', 'b64_json', 'size']);
      const image = decodeImage(Buffer.from(event.b64_json as string, 'base64'));
      expect(`${image.width}x${image.height}`).toBe(event.size);
    }
  });

  it('reports a failed image as partial_failed with its index, and keeps counting indexes', async () => {
    sim.simulator.faults.enqueue({ kind: 'moderate', imageIndex: 1 });
    const answer = await rawPost(sim, streamSet(3));
    const frames = sseFrames(answer.body.toString('utf8'));
    expect(frames.map((f) => f.event)).toEqual([
      'image_generation.partial_succeeded',
      'image_generation.partial_failed',
      'image_generation.partial_succeeded',
      'image_generation.completed',
      undefined,
    ]);
    const failed = JSON.parse(frames[1]?.data ?? '{}') as Event;
    expect(Object.keys(failed)).toEqual(['type', 'model', 'created', 'image_index', 'error']);
    expect(failed).toMatchObject({
      image_index: 1,
      error: { code: 'OutputImageSensitiveContentDetected', message: 'The request failed because the output image may contain sensitive information.' },
    });
    expect(JSON.parse(frames[2]?.data ?? '{}')).toMatchObject({ image_index: 2 });
  });

  it('ends with completed carrying usage of delivered images only', async () => {
    sim.simulator.faults.enqueue({ kind: 'moderate', imageIndex: [0, 2] });
    const answer = await rawPost(sim, streamSet(3));
    const frames = sseFrames(answer.body.toString('utf8'));
    const completed = JSON.parse(frames.at(-2)?.data ?? '{}') as Event;
    expect(Object.keys(completed)).toEqual(['type', 'model', 'created', 'usage']);
    expect(completed.usage).toEqual({ generated_images: 1, output_tokens: 16224, total_tokens: 16224 });
    expect(frames.at(-1)).toEqual({ event: undefined, data: '[DONE]' });
  });

  it('echoes tools and web-search usage in completed for 5.0 lite', async () => {
    const answer = await rawPost(sim, { model: 'doubao-seedream-5-0-260128', prompt: 'news', size: '2K', stream: true, tools: [{ type: 'web_search' }] });
    const frames = sseFrames(answer.body.toString('utf8'));
    const completed = JSON.parse(frames.at(-2)?.data ?? '{}') as Event;
    expect(completed).toMatchObject({ tools: [{ type: 'web_search' }], usage: { generated_images: 1, tool_usage: { web_search: 1 } } });
  });

  it('streams a single image when no set is asked for', async () => {
    const answer = await rawPost(sim, { model: 'doubao-seedream-4-0-250828', prompt: 'a fox', size: '1K', stream: true });
    const frames = sseFrames(answer.body.toString('utf8'));
    expect(frames.map((f) => f.event)).toEqual(['image_generation.partial_succeeded', 'image_generation.completed', undefined]);
  });

  it('answers a validation error with stream: true as a 400 JSON body, not SSE (reference §3.1)', async () => {
    const answer = await rawPost(sim, { model: 'doubao-seedream-4-5-251128', prompt: 'a fox', size: '512x512', stream: true });
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toContain('application/json');
    expect(JSON.parse(answer.body.toString('utf8'))).toMatchObject({ error: { code: 'InvalidParameter', param: 'size' } });
  });
});
