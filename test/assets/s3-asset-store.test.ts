/**
 * The S3 image store against a real S3 API server on loopback (s3rver): streamed multipart uploads of
 * real images, presigned GET URLs that serve the same bytes, ranged reads, public base URLs, deletes,
 * the retention sweep, and failed uploads that leave nothing behind.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssetStore } from '../../src/assets/asset-store.js';
import { createS3AssetStore, type S3StoreConfig } from '../../src/assets/s3-asset-store.js';
import { startS3Server, type TestS3Server } from '../../bench/lib/s3-server.js';
import { jpegFile, sha256Hex } from './support.js';

const DAY = 24 * 3600_000;
let s3: TestS3Server;
let config: S3StoreConfig;
let store: AssetStore;
let clock = Date.now();

beforeAll(async () => {
  s3 = await startS3Server();
  config = {
    kind: 's3',
    endpoint: s3.endpoint,
    region: 'us-east-1',
    bucket: s3.bucket,
    prefix: 'images/',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    publicBaseUrl: undefined,
  };
  store = createS3AssetStore({ config, retentionMs: 7 * DAY, now: () => clock });
});

afterAll(async () => {
  await store?.close();
  await s3?.close();
});

const JPEG = { contentType: 'image/jpeg', width: 2048, height: 2048 } as const;

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('the S3 asset store', () => {
  it('round-trips a real 2048×2048 JPEG in several chunks, and its presigned URL serves the same bytes', async () => {
    const file = jpegFile(2048, 2048, 7);
    const chunks = [file.subarray(0, 1000), file.subarray(1000, 50_000), file.subarray(50_000)];
    const stored = await store.put(Readable.from(chunks), JPEG);
    expect(stored).toMatchObject({ sha256: sha256Hex(file), byteSize: file.length, width: 2048, height: 2048 });
    expect(stored.id).toMatch(/\.jpeg$/);
    const { url, expiresAt } = await store.url(stored.id, new Date(clock + DAY));
    expect(url.startsWith(`${s3.endpoint}/${s3.bucket}/images/${stored.id}?`)).toBe(true);
    expect(url).toContain('X-Amz-Signature=');
    expect(expiresAt.getTime()).toBe(clock + DAY);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(sha256Hex(Buffer.from(await response.arrayBuffer()))).toBe(stored.sha256);
  });

  it('streams a PNG larger than one multipart part (5 MiB) through a multipart upload', async () => {
    const big = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.alloc(12 * 1024 * 1024, 3)]);
    const pieces = Array.from({ length: 24 }, (_, i) => big.subarray(i * 524_289, (i + 1) * 524_289));
    const stored = await store.put(Readable.from(pieces), { contentType: 'image/png', width: 4096, height: 4096 });
    expect(stored.byteSize).toBe(big.length);
    const opened = await store.open(stored.id);
    expect(opened?.byteSize).toBe(big.length);
    expect(sha256Hex(await bytesOf(await opened!.read()))).toBe(sha256Hex(big));
  });

  it('opens with a byte range, reports unknown ids as absent, and deletes', async () => {
    const file = jpegFile(320, 240, 3);
    const stored = await store.put(Readable.from([file]), JPEG);
    const opened = await store.open(stored.id);
    expect(opened?.contentType).toBe('image/jpeg');
    expect((await bytesOf(await opened!.read({ start: 5, end: 14 }))).equals(file.subarray(5, 15))).toBe(true);
    expect(await store.open('00000000-0000-4000-8000-000000000000.jpeg')).toBeUndefined();
    expect(await store.open('../../etc/passwd')).toBeUndefined();
    await store.delete(stored.id);
    expect(await store.open(stored.id)).toBeUndefined();
  });

  it('builds public URLs on a CDN base instead of presigning when configured', async () => {
    const cdn = createS3AssetStore({ config: { ...config, publicBaseUrl: 'https://cdn.example.com/img' }, retentionMs: DAY, now: () => clock });
    const stored = await cdn.put(Readable.from([jpegFile()]), JPEG);
    const { url } = await cdn.url(stored.id, new Date(clock + DAY));
    expect(url).toBe(`https://cdn.example.com/img/images/${stored.id}`);
    await cdn.close();
  });

  it('fails an upload whose source breaks, leaving no object, and sweeps objects past the retention', async () => {
    const broken = Readable.from(
      (async function* () {
        yield jpegFile();
        throw new Error('upstream reset');
      })(),
    );
    await expect(store.put(broken, JPEG)).rejects.toThrow();
    const kept = await store.put(Readable.from([jpegFile(64, 64, 9)]), JPEG);
    clock += 8 * DAY;
    // Everything this file stored and did not delete: 2 + 1 (CDN) + 1 — and nothing of the failed upload.
    expect(await store.sweep()).toBe(4);
    expect(await store.open(kept.id)).toBeUndefined();
  });
});
