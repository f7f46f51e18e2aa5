import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type TestSimulator } from '../helpers/simulator.js';
import { download, generate } from './support.js';

let now = Date.now();
let sim: TestSimulator;
beforeAll(async () => {
  sim = await startSimulator({ now: () => now });
});
afterAll(() => sim.close());

const body = (extra: Record<string, unknown> = {}) => ({ model: 'doubao-seedream-4-5-251128', prompt: 'a fox', size: '2K', ...extra });
const urlOf = async (extra: Record<string, unknown> = {}) => {
  const answer = await generate(sim, body(extra));
  const url = answer.body.data?.[0]?.url;
  if (url === undefined) throw new Error(`no url in ${JSON.stringify(answer.body)}`);
  return url;
};

describe('image URLs (reference §2: response_format url)', () => {
  it('serves a JPEG with its Content-Type and Content-Length', async () => {
    const { response, bytes, image } = await download(await urlOf());
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(Number(response.headers.get('content-length'))).toBe(bytes.length);
    expect([image.width, image.height]).toEqual([2048, 2048]);
  });

  it('serves a PNG when the model was asked for png', async () => {
    const url = await urlOf({ model: 'doubao-seedream-5-0-260128', output_format: 'png' });
    expect(url).toMatch(/\.png$/);
    const { response, image } = await download(url);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(image.format).toBe('png');
  });

  it('uses an unguessable path: 128 random bits, different for every image', async () => {
    const [a, b] = [await urlOf(), await urlOf()];
    const token = /\/images\/([A-Za-z0-9_-]+)\.jpeg$/.exec(a)?.[1] ?? '';
    expect(Buffer.from(token, 'base64url')).toHaveLength(16);
    expect(a).not.toBe(b);
  });

  it('serves the same bytes on every download', async () => {
    const url = await urlOf();
    const first = await download(url);
    const second = await download(url);
    expect(second.bytes.equals(first.bytes)).toBe(true);
  });

  it('answers HEAD with the headers only', async () => {
    const url = await urlOf();
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(1000);
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers 404 for unknown tokens and for the wrong extension', async () => {
    const url = await urlOf();
    expect((await fetch(url.replace(/\.jpeg$/, '.png'))).status).toBe(404);
    expect((await fetch(`${sim.url}/images/AAAAAAAAAAAAAAAAAAAAAA.jpeg`)).status).toBe(404);
    expect((await fetch(`${sim.url}/images/nope.jpeg`)).status).toBe(404);
  });

  it('expires URLs after 24 hours by default, then answers 404', async () => {
    const url = await urlOf();
    now += 24 * 3600_000 - 1;
    expect((await fetch(url)).status).toBe(200);
    now += 1;
    const expired = await fetch(url);
    expect(expired.status).toBe(404);
    expect(((await expired.json()) as { error: { code: string } }).error.code).toBe('NotFound');
  });

  it('follows the urlTtlMs option', async () => {
    let clock = Date.now();
    const short = await startSimulator({ urlTtlMs: 1000, now: () => clock });
    try {
      const url = (await generate(short, body())).body.data?.[0]?.url ?? '';
      expect((await fetch(url)).status).toBe(200);
      clock += 1000;
      expect((await fetch(url)).status).toBe(404);
    } finally {
      await short.close();
    }
  });

  it('still serves correct images when the cache is too small to hold any', async () => {
    const tiny = await startSimulator({ imageCacheBytes: 1 });
    try {
      const url = (await generate(tiny, body())).body.data?.[0]?.url ?? '';
      const [a, b] = [await download(url), await download(url)];
      expect(a.bytes.equals(b.bytes)).toBe(true);
      expect(a.image.width).toBe(2048);
    } finally {
      await tiny.close();
    }
  });

  it('forgets the oldest URLs beyond maxUrlTokens', async () => {
    const bounded = await startSimulator({ maxUrlTokens: 2 });
    try {
      const urls = [];
      for (let i = 0; i < 3; i++) urls.push((await generate(bounded, body())).body.data?.[0]?.url ?? '');
      expect((await fetch(urls[0] ?? '')).status).toBe(404);
      expect((await fetch(urls[2] ?? '')).status).toBe(200);
    } finally {
      await bounded.close();
    }
  });
});
