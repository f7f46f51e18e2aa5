/**
 * Hosted images end to end (DESIGN §11): the app on loopback with the embedded simulator or a scripted
 * upstream, called through the generated gRPC client and the official OpenAI SDK. URL callers get the
 * gateway's own URL with the file's hash and size; inline callers keep inline data; a disallowed host,
 * an oversized image or a failing store never lose the image — the caller gets the upstream URL and a
 * warning, and the store is left untouched.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { ResponseFormat } from '../../gen/seedream/v1/generation_spec.js';
import { startS3Server } from '../../bench/lib/s3-server.js';
import { startGrpcApp, testSpec, type TestGrpcApp } from '../helpers/grpc-app.js';
import { scriptedUpstream } from '../helpers/scripted-upstream.js';
import { jpegFile, sha256Hex } from './support.js';

let gateway: TestGrpcApp | undefined;
let imageServer: Server | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  await new Promise((resolve) => (imageServer ? imageServer.close(resolve) : resolve(undefined)));
  imageServer = undefined;
});

const IMAGE = jpegFile(640, 480, 5);

/** An HTTP server standing in for the upstream's image host; counts the downloads it served. */
async function startImageHost(): Promise<{ url: string; host: string; downloads: () => number }> {
  let downloads = 0;
  imageServer = createServer((_request, response) => {
    downloads += 1;
    response.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': IMAGE.length }).end(IMAGE);
  });
  await new Promise<void>((resolve) => imageServer!.listen(0, '127.0.0.1', resolve));
  const { port } = imageServer.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/tos/image-0.jpeg?X-Tos-Expires=86400`, host: `127.0.0.1:${port}`, downloads: () => downloads };
}

/** The JSON events of a `stream: true` REST call. */
async function sseEvents(httpUrl: string): Promise<Record<string, unknown>[]> {
  const response = await fetch(`${httpUrl}/v1/images/generations`, {
    method: 'POST',
    headers: { authorization: 'Bearer open-mode', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'doubao-seedream-4-5', prompt: 'a fox', stream: true }),
  });
  const text = await response.text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('data: {'))
    .map((line) => JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
}

/** A gateway whose upstream answers one URL image at `url`. */
async function gatewayAnswering(url: string, env: Record<string, string>): Promise<TestGrpcApp> {
  const upstream = scriptedUpstream(async function* () {
    yield { type: 'image', index: 0, url, width: 640, height: 480, expiresAt: new Date(Date.now() + 24 * 3600_000) };
    yield { type: 'completed', model: 'doubao-seedream-4-5-251128', webSearches: 0, generatedImages: 1, outputTokens: 1200 };
  });
  return startGrpcApp({ upstream, env });
}

describe('hosted images', () => {
  it('gives gRPC URL callers the gateway URL, with the hash and size of the bytes it serves and the retention as expiry', async () => {
    gateway = await startGrpcApp();
    const before = Date.now();
    const { images } = await gateway.client.generateImages({ spec: testSpec() });
    const image = images[0]!;
    expect(image.content?.$case).toBe('url');
    const url = image.content?.$case === 'url' ? image.content.value : '';
    expect(url.startsWith(`${gateway.httpUrl}/v1/assets/`)).toBe(true);
    expect(image.warning).toBe('');
    const bytes = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(image.sha256).toBe(sha256Hex(bytes));
    expect(image.byteSize).toBe(bytes.length);
    const expiry = image.expiresAt!.getTime();
    expect(expiry).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 7 * 24 * 3600_000 - 1000);
    expect(expiry).toBeLessThanOrEqual(Date.now() + 7 * 24 * 3600_000);
  });

  it('gives OpenAI SDK callers the gateway URL with sha256 and byte_size in data[i]', async () => {
    gateway = await startGrpcApp();
    const openai = new OpenAI({ baseURL: `${gateway.httpUrl}/v1`, apiKey: 'open-mode' });
    const result = await openai.images.generate({ model: 'doubao-seedream-4-5', prompt: 'a lighthouse at dusk' });
    const item = result.data?.[0] as { url: string; sha256: string; byte_size: number };
    expect(item.url.startsWith(`${gateway.httpUrl}/v1/assets/`)).toBe(true);
    const bytes = Buffer.from(await (await fetch(item.url)).arrayBuffer());
    expect(item).toMatchObject({ sha256: sha256Hex(bytes), byte_size: bytes.length });
  });

  it('keeps inline answers inline and unstored by default, and stores them when IMAGE_HOSTING_STORE_INLINE is set', async () => {
    gateway = await startGrpcApp();
    const plain = await gateway.client.generateImages({ spec: testSpec({ responseFormat: ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES }) });
    expect(plain.images[0]?.content?.$case).toBe('data');
    expect(plain.images[0]?.sha256).toBe('');
    expect(gateway.app.hosting?.local?.totalBytes).toBe(0);
    await gateway.close();

    gateway = await startGrpcApp({ env: { IMAGE_HOSTING_STORE_INLINE: 'true' } });
    const stored = await gateway.client.generateImages({ spec: testSpec({ responseFormat: ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES }) });
    const image = stored.images[0]!;
    const data = image.content?.$case === 'data' ? image.content.value : Buffer.alloc(0);
    expect(image.sha256).toBe(sha256Hex(data));
    expect(image.byteSize).toBe(data.length);
    expect(gateway.app.hosting?.local?.totalBytes).toBe(data.length);
  });

  it('passes the simulator URL through unchanged when IMAGE_HOSTING=off', async () => {
    gateway = await startGrpcApp({ env: { IMAGE_HOSTING: 'off' } });
    const { images } = await gateway.client.generateImages({ spec: testSpec() });
    const url = images[0]?.content?.$case === 'url' ? images[0].content.value : '';
    expect(url.startsWith(`${gateway.app.simulator?.url}/images/`)).toBe(true);
    expect(images[0]?.sha256).toBe('');
    expect(gateway.app.hosting).toBeUndefined();
  });

  it('refuses to download from a host that is not allowed: the caller gets the upstream URL and a warning', async () => {
    const host = await startImageHost();
    gateway = await gatewayAnswering(host.url, { IMAGE_FETCH_ALLOWED_HOSTS: '*.volces.com' });
    const { images } = await gateway.client.generateImages({ spec: testSpec() });
    expect(images[0]?.content).toEqual({ $case: 'url', value: host.url });
    expect(images[0]?.warning).toMatch(/could not host it \(fetch_refused\).*upstream's/);
    expect(images[0]?.sha256).toBe('');
    expect(host.downloads()).toBe(0);
    expect(gateway.app.hosting?.local?.totalBytes).toBe(0);

    const openai = new OpenAI({ baseURL: `${gateway.httpUrl}/v1`, apiKey: 'open-mode' });
    const result = (await openai.images.generate({ model: 'doubao-seedream-4-5', prompt: 'a fox' })) as unknown as { data: { url: string }[]; warnings: string[] };
    expect(result.data[0]?.url).toBe(host.url);
    expect(result.warnings).toEqual([expect.stringMatching(/^image 0: the gateway could not host it \(fetch_refused\)/)]);
    expect(host.downloads()).toBe(0);
  });

  it('streams hosted images with sha256 and byte_size, and an unhosted one with its warning, repeated in completed', async () => {
    const host = await startImageHost();
    gateway = await gatewayAnswering(host.url, { IMAGE_FETCH_ALLOWED_HOSTS: '*.volces.com' });
    const refused = await sseEvents(gateway.httpUrl);
    expect(refused.find((e) => e.type === 'image_generation.partial_succeeded')).toMatchObject({ url: host.url, warning: expect.stringMatching(/\(fetch_refused\)/) });
    expect(refused.find((e) => e.type === 'image_generation.completed')?.warnings).toEqual([expect.stringMatching(/^image 0: .*\(fetch_refused\)/)]);
    await gateway.close();

    gateway = await startGrpcApp();
    const hosted = await sseEvents(gateway.httpUrl);
    const image = hosted.find((e) => e.type === 'image_generation.partial_succeeded') as { url: string; sha256: string; byte_size: number };
    expect(image.url.startsWith(`${gateway.httpUrl}/v1/assets/`)).toBe(true);
    const bytes = Buffer.from(await (await fetch(image.url)).arrayBuffer());
    expect(image).toMatchObject({ sha256: sha256Hex(bytes), byte_size: bytes.length });
    expect(hosted.find((e) => e.type === 'image_generation.completed')?.warnings).toBeUndefined();
  });

  it('downloads from an allowed host into the store, and refuses images over IMAGE_FETCH_MAX_BYTES', async () => {
    const host = await startImageHost();
    gateway = await gatewayAnswering(host.url, { IMAGE_FETCH_ALLOWED_HOSTS: host.host });
    const hosted = (await gateway.client.generateImages({ spec: testSpec() })).images[0]!;
    expect(hosted.content?.$case === 'url' && hosted.content.value.startsWith(`${gateway.httpUrl}/v1/assets/`)).toBe(true);
    expect(hosted.sha256).toBe(sha256Hex(IMAGE));
    await gateway.close();

    gateway = await gatewayAnswering(host.url, { IMAGE_FETCH_ALLOWED_HOSTS: host.host, IMAGE_FETCH_MAX_BYTES: '1024' });
    const capped = (await gateway.client.generateImages({ spec: testSpec() })).images[0]!;
    expect(capped.content).toEqual({ $case: 'url', value: host.url });
    expect(capped.warning).toMatch(/\(too_large\)/);
    expect(gateway.app.hosting?.local?.totalBytes).toBe(0);
  });

  it('delivers the upstream URL with a warning when the store fails (an S3 bucket that does not exist)', async () => {
    const s3 = await startS3Server();
    try {
      gateway = await startGrpcApp({ env: { ...s3.env, S3_BUCKET: 'no-such-bucket' } });
      const { images } = await gateway.client.generateImages({ spec: testSpec() });
      const url = images[0]?.content?.$case === 'url' ? images[0].content.value : '';
      expect(url.startsWith(`${gateway.app.simulator?.url}/images/`)).toBe(true);
      expect(images[0]?.warning).toMatch(/\(store_failed\)/);
      expect((await fetch(url)).status).toBe(200);
      expect(gateway.logs.some((line) => line.msg === 'image hosting failed; delivering the upstream image' && line.reason === 'store_failed')).toBe(true);
    } finally {
      await gateway?.close();
      gateway = undefined;
      await s3.close();
    }
  });
});
