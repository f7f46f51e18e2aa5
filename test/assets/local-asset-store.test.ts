/**
 * The local image store and its HTTP route, over real HTTP on loopback: atomic writes, signed expiring
 * URLs (403 tampered, 410 expired, 404 swept or evicted), no path traversal whatever the id, Range,
 * ETag and immutable caching, the disk cap with oldest-first eviction, and the retention sweep.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fastify, type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AssetTooLargeError } from '../../src/assets/hashing-stream.js';
import { createLocalAssetStore, type LocalAssetStore } from '../../src/assets/local-asset-store.js';
import { createUrlSigner } from '../../src/assets/url-signing.js';
import { registerAssetRoutes } from '../../src/rest/routes/assets.js';
import { jpegFile, recordingMetrics, sha256Hex, type Recorded } from './support.js';

const KEY = Buffer.from('a-test-signing-key-of-at-least-32-chars');
const JPEG = { contentType: 'image/jpeg', width: 320, height: 240 } as const;
const DAY = 24 * 3600_000;

let dataDir: string;
let clock: number;
let server: FastifyInstance;
let origin: string;
let store: LocalAssetStore;
let records: Recorded[];

async function openStore(options: { diskCapBytes?: number; key?: Buffer; systemClock?: boolean; writeBatchBytes?: number } = {}): Promise<LocalAssetStore> {
  const recorded = recordingMetrics();
  records = recorded.records;
  return createLocalAssetStore({
    dataDir,
    signer: createUrlSigner(options.key ?? KEY),
    publicBaseUrl: () => origin,
    retentionMs: 7 * DAY,
    diskCapBytes: options.diskCapBytes ?? 1024 ** 3,
    metrics: recorded.metrics,
    ...(options.systemClock !== true && { now: () => clock }),
    ...(options.writeBatchBytes !== undefined && { writeBatchBytes: options.writeBatchBytes }),
  });
}

async function serve(s: LocalAssetStore): Promise<void> {
  await server?.close();
  server = fastify({ forceCloseConnections: true });
  registerAssetRoutes(server, s, () => clock);
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  origin = typeof address === 'object' && address !== null ? `http://127.0.0.1:${address.port}` : '';
}

const put = (bytes: Buffer, s = store) => s.put(Readable.from([bytes]), JPEG);
const urlFor = async (id: string, ttl = DAY) => (await store.url(id, new Date(clock + ttl))).url;

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'seedream-assets-'));
  clock = Date.parse('2026-11-30T10:00:00Z');
  store = await openStore();
  await serve(store);
});

afterEach(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the local asset store', () => {
  it('stores a stream with its SHA-256 and size, and serves the same bytes at its signed URL', async () => {
    const file = jpegFile();
    const stored = await put(file);
    expect(stored).toMatchObject({ sha256: sha256Hex(file), byteSize: file.length, contentType: 'image/jpeg', width: 320, height: 240 });
    const url = await urlFor(stored.id);
    expect(url.startsWith(`${origin}/v1/assets/`)).toBe(true);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(response.headers.get('etag')).toBe(`"${sha256Hex(file)}"`);
    expect(response.headers.get('cache-control')).toBe(`public, max-age=${DAY / 1000}, immutable`);
    expect(Buffer.from(await response.arrayBuffer()).equals(file)).toBe(true);
    expect(records).toEqual([]); // stores count in the hosting stage, not here
  });

  it('answers Range requests with 206, unsatisfiable ones with 416, and If-None-Match with 304', async () => {
    const file = jpegFile();
    const url = await urlFor((await put(file)).id);
    const partial = await fetch(url, { headers: { range: 'bytes=10-19' } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-range')).toBe(`bytes 10-19/${file.length}`);
    expect(Buffer.from(await partial.arrayBuffer()).equals(file.subarray(10, 20))).toBe(true);
    const suffix = await fetch(url, { headers: { range: 'bytes=-5' } });
    expect(Buffer.from(await suffix.arrayBuffer()).equals(file.subarray(-5))).toBe(true);
    const beyond = await fetch(url, { headers: { range: `bytes=${file.length}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${file.length}`);
    const cached = await fetch(url, { headers: { 'if-none-match': `"${sha256Hex(file)}"` } });
    expect(cached.status).toBe(304);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(file.length));
  });

  it('refuses a tampered signature, a signature moved to another image, and a missing one with 403', async () => {
    const first = await put(jpegFile(320, 240, 1));
    const second = await put(jpegFile(320, 240, 2));
    const url = new URL(await urlFor(first.id));
    const sig = url.searchParams.get('sig') ?? '';
    const tampered = new URL(url);
    tampered.searchParams.set('sig', `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`);
    expect((await fetch(tampered)).status).toBe(403);
    const extended = new URL(url);
    extended.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    expect((await fetch(extended)).status).toBe(403);
    const moved = new URL(url.href.replace(first.id, second.id));
    expect((await fetch(moved)).status).toBe(403);
    expect((await fetch(`${origin}/v1/assets/${first.id}`)).status).toBe(403);
    const other = await openStore({ key: Buffer.from('another-key-another-key-another-key') });
    expect((await fetch(await other.url(first.id, new Date(clock + DAY)).then((u) => u.url))).status).toBe(403);
  });

  it('answers 410 once the URL expired, and 404 once the sweep removed the file', async () => {
    const stored = await put(jpegFile());
    const shortUrl = await urlFor(stored.id, 60_000);
    const longUrl = await urlFor(stored.id, 8 * DAY);
    clock += 61_000;
    expect((await fetch(shortUrl)).status).toBe(410);
    expect((await fetch(longUrl)).status).toBe(200);
    clock += 7 * DAY;
    expect(await store.sweep()).toBe(1);
    expect((await fetch(longUrl)).status).toBe(404);
    expect(readdirSync(join(dataDir, 'images'))).toEqual([]);
    expect(records).toEqual([
      { metric: 'removed', value: 1, attributes: { store: 'local', cause: 'retention' } },
      { metric: 'removedBytes', value: stored.byteSize, attributes: { store: 'local', cause: 'retention' } },
    ]);
  });

  it('never serves a file outside its directory, whatever the id — even one signed with the right key', async () => {
    writeFileSync(join(dataDir, 'secret.jpeg'), 'not for callers');
    const signer = createUrlSigner(KEY);
    const expires = Math.floor(clock / 1000) + 3600;
    const attempts = ['../secret.jpeg', '..%2Fsecret.jpeg', '%2e%2e%2fsecret.jpeg', '..%5csecret.jpeg', 'images%2F..%2F..%2Fsecret.jpeg', `${'a'.repeat(64)}_1x1.jpeg%00.png`];
    for (const id of attempts) {
      const signedFor = decodeURIComponent(id);
      const response = await fetch(`${origin}/v1/assets/${id}?expires=${expires}&sig=${signer.sign(signedFor, expires)}`);
      expect(response.status, id).toBe(404);
      expect(await response.text(), id).not.toContain('not for callers');
    }
    expect(await store.open('../secret.jpeg')).toBeUndefined();
  });

  it('writes atomically: a source that fails or grows past the cap leaves no file behind', async () => {
    const failing = Readable.from(
      (async function* () {
        yield jpegFile();
        throw new Error('connection reset');
      })(),
    );
    await expect(store.put(failing, JPEG)).rejects.toThrow('connection reset');
    await expect(store.put(Readable.from([jpegFile()]), JPEG, { maxBytes: 1000 })).rejects.toBeInstanceOf(AssetTooLargeError);
    expect(readdirSync(join(dataDir, 'images'))).toEqual([]);
    expect(readdirSync(join(dataDir, 'tmp'))).toEqual([]);
  });

  it('evicts the oldest files beyond the disk cap, counts them, and keeps the index across a restart', async () => {
    const files = [1, 2, 3].map((seed) => jpegFile(640, 480, seed));
    const cap = files[0]!.length + files[1]!.length + files[2]!.length - 1;
    store = await openStore({ diskCapBytes: cap });
    const ids: string[] = [];
    for (const file of files.slice(0, 2)) {
      ids.push((await put(file)).id);
      clock += 1000;
    }
    // A restart: the new process finds the two files and still knows which is older.
    store = await openStore({ diskCapBytes: cap });
    await serve(store);
    ids.push((await put(files[2]!)).id);
    expect(await store.open(ids[0]!)).toBeUndefined();
    expect((await fetch(await urlFor(ids[0]!))).status).toBe(404);
    expect((await fetch(await urlFor(ids[2]!))).status).toBe(200);
    expect(store.totalBytes).toBe(files[1]!.length + files[2]!.length);
    expect(records).toContainEqual({ metric: 'removed', value: 1, attributes: { store: 'local', cause: 'disk_cap' } });
  });

  it('on the system clock, keeps the age order across a restart from the mtimes the kernel stamped (no utimes)', async () => {
    const files = [4, 5, 6].map((seed) => jpegFile(640, 480, seed));
    const cap = files[0]!.length + files[1]!.length + files[2]!.length - 1;
    store = await openStore({ diskCapBytes: cap, systemClock: true });
    const before = Date.now();
    const ids: string[] = [];
    for (const file of files.slice(0, 2)) {
      ids.push((await put(file)).id);
      await new Promise((resolve) => setTimeout(resolve, 30)); // distinct mtimes whatever the file system's granularity
    }
    const mtimes = ids.map((id) => statSync(join(dataDir, 'images', id)).mtimeMs);
    expect(mtimes[0]).toBeGreaterThanOrEqual(before - 1000);
    expect(mtimes[1]).toBeGreaterThan(mtimes[0]!);
    store = await openStore({ diskCapBytes: cap, systemClock: true });
    ids.push((await put(files[2]!)).id);
    expect(await store.open(ids[0]!)).toBeUndefined();
    expect(await store.open(ids[1]!)).toBeDefined();
    expect(store.totalBytes).toBe(files[1]!.length + files[2]!.length);
  });

  it('stores an image larger than its write batch with the same bytes, hash and size', async () => {
    store = await openStore({ writeBatchBytes: 4096 });
    await serve(store);
    const file = jpegFile(1280, 960, 7);
    expect(file.length).toBeGreaterThan(4 * 4096);
    const stored = await store.put(Readable.from(chunked(file, 1500)), JPEG);
    expect(stored).toMatchObject({ sha256: sha256Hex(file), byteSize: file.length });
    const response = await fetch(await urlFor(stored.id));
    expect(Buffer.from(await response.arrayBuffer()).equals(file)).toBe(true);
    expect(readdirSync(join(dataDir, 'tmp'))).toEqual([]);
  });
});

/** `bytes` in pieces of `size`, as a network would deliver them. */
function chunked(bytes: Buffer, size: number): Buffer[] {
  const pieces: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) pieces.push(bytes.subarray(offset, offset + size));
  return pieces;
}
