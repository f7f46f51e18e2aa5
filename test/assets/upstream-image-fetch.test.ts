/**
 * The upstream image fetcher against a real HTTP server on loopback: allowed hosts only, no redirects,
 * the size cap from Content-Length, and one deadline for the whole download — before the headers and
 * while the body trickles in (undici's own timeouts are per phase and reset on every byte) — and the
 * caller's cancel, before and during the body — through the hosting stage too, which then leaves nothing
 * in the store.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalAssetStore } from '../../src/assets/local-asset-store.js';
import { createUpstreamImageFetcher, HostingFailure, type UpstreamImageFetcher } from '../../src/assets/upstream-image-fetch.js';
import { createUrlSigner } from '../../src/assets/url-signing.js';
import { createImageHosting } from '../../src/service/image-hosting.js';
import { recordingMetrics } from './support.js';

let server: Server | undefined;
let fetcher: UpstreamImageFetcher | undefined;
const open = new Set<ServerResponse>();
afterEach(async () => {
  await fetcher?.close();
  for (const response of open) response.destroy();
  open.clear();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A server whose routes answer as scripted; resolves to its `host:port`. */
async function serve(routes: Record<string, (response: ServerResponse) => void>): Promise<string> {
  server = createServer((request, response) => {
    open.add(response);
    routes[request.url ?? '']?.(response);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Writes one byte every `everyMs` for as long as the response is open. */
function trickle(response: ServerResponse, everyMs: number): void {
  response.writeHead(200, { 'content-type': 'image/jpeg' });
  const timer = setInterval(() => response.write('x'), everyMs);
  response.on('close', () => clearInterval(timer));
}

const drain = async (body: AsyncIterable<Buffer>) => {
  let bytes = 0;
  for await (const chunk of body) bytes += chunk.length;
  return bytes;
};

describe('the upstream image fetcher', () => {
  it('downloads from an allowed host and refuses other hosts, redirects and oversized images', async () => {
    const host = await serve({
      '/ok': (response) => response.writeHead(200, { 'content-length': '5' }).end('12345'),
      '/moved': (response) => response.writeHead(302, { location: '/ok' }).end(),
      '/big': (response) => response.writeHead(200, { 'content-length': '5000' }).end('x'.repeat(5000)),
    });
    fetcher = createUpstreamImageFetcher({ allowedHosts: [host], maxBytes: 1000, timeoutMs: 5000 });
    const signal = new AbortController().signal;
    expect(await drain(await fetcher.fetch(`http://${host}/ok`, signal))).toBe(5);
    await expect(fetcher.fetch(`http://${host}/moved`, signal)).rejects.toMatchObject({ reason: 'fetch_failed', message: expect.stringMatching(/HTTP 302/) });
    await expect(fetcher.fetch(`http://${host}/big`, signal)).rejects.toMatchObject({ reason: 'too_large' });
    await expect(fetcher.fetch('http://example.com/ok', signal)).rejects.toMatchObject({ reason: 'fetch_refused' });
  });

  it('gives up on an answer whose headers never come, at the deadline', async () => {
    const host = await serve({ '/silent': () => undefined });
    fetcher = createUpstreamImageFetcher({ allowedHosts: [host], maxBytes: 1000, timeoutMs: 300 });
    const started = Date.now();
    const failure = await fetcher.fetch(`http://${host}/silent`, new AbortController().signal).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HostingFailure);
    expect(failure).toMatchObject({ reason: 'fetch_failed' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('cuts a body that keeps trickling past the deadline, with a fetch_failed error on the stream', async () => {
    const host = await serve({ '/slow': (response) => trickle(response, 50) });
    fetcher = createUpstreamImageFetcher({ allowedHosts: [host], maxBytes: 1_000_000, timeoutMs: 400 });
    const started = Date.now();
    const body = await fetcher.fetch(`http://${host}/slow`, new AbortController().signal);
    const failure = await drain(body).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HostingFailure);
    expect(failure).toMatchObject({ reason: 'fetch_failed', message: expect.stringMatching(/longer than 400 ms/) });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("ends the download with the caller's reason when the caller cancels, before or during the body", async () => {
    const host = await serve({ '/slow': (response) => trickle(response, 20), '/silent': () => undefined });
    fetcher = createUpstreamImageFetcher({ allowedHosts: [host], maxBytes: 1_000_000, timeoutMs: 60_000 });
    const reason = new Error('the caller went away');

    const early = new AbortController();
    const pending = fetcher.fetch(`http://${host}/silent`, early.signal);
    setTimeout(() => early.abort(reason), 50);
    await expect(pending).rejects.toBe(reason);

    const late = new AbortController();
    const body = await fetcher.fetch(`http://${host}/slow`, late.signal);
    setTimeout(() => late.abort(reason), 100);
    await expect(drain(body)).rejects.toBe(reason);

    await expect(fetcher.fetch(`http://${host}/slow`, late.signal)).rejects.toBe(reason);
  });
});

describe('hosting a download that the caller cancels', () => {
  it('ends with the caller\'s reason and leaves nothing in the store, its temp directory included', async () => {
    const host = await serve({ '/slow': (response) => trickle(response, 10) });
    fetcher = createUpstreamImageFetcher({ allowedHosts: [host], maxBytes: 1_000_000, timeoutMs: 60_000 });
    const dataDir = mkdtempSync(join(tmpdir(), 'seedream-cancel-'));
    try {
      const { metrics, records } = recordingMetrics();
      const store = await createLocalAssetStore({ dataDir, signer: createUrlSigner(Buffer.alloc(32, 1)), publicBaseUrl: () => 'http://127.0.0.1', retentionMs: 60_000, diskCapBytes: 1 << 30, metrics });
      const hosting = createImageHosting({ store, fetcher, retentionMs: 60_000, storeInline: false, maxBytes: 1_000_000, metrics });
      const controller = new AbortController();
      const reason = new Error('the caller went away');
      setTimeout(() => controller.abort(reason), 150);
      const image = {
        index: 0,
        requestIndex: 0,
        setIndex: 0,
        content: { kind: 'url', url: `http://${host}/slow`, expiresAt: new Date(Date.now() + 60_000) },
        mimeType: 'image/jpeg',
        width: 64,
        height: 64,
      } as const;
      await expect(hosting.host(image, controller.signal)).rejects.toBe(reason);
      expect(readdirSync(join(dataDir, 'images'))).toEqual([]);
      expect(readdirSync(join(dataDir, 'tmp'))).toEqual([]);
      expect(records).toEqual([]); // a cancel is not a hosting failure
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
