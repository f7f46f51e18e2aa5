/**
 * The core's hosting stage on its own, with a failing store and a recording meter: a failure delivers
 * the image as the upstream gave it with a warning and counts it by reason; a caller who has gone
 * cancels instead of getting a warning; inline calls skip the stage unless inline storing is on.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AssetStore } from '../../src/assets/asset-store.js';
import { HostingFailure, type UpstreamImageFetcher } from '../../src/assets/upstream-image-fetch.js';
import { base64TextOfString } from '../../src/base64.js';
import { createImageHosting } from '../../src/service/image-hosting.js';
import type { DeliveredImage } from '../../src/service/types.js';
import { recordingMetrics } from '../assets/support.js';

const failingStore = { kind: 'local', put: async () => Promise.reject(new Error('disk full')) } as unknown as AssetStore;
const fetcher: UpstreamImageFetcher = { fetch: async () => Readable.from([Buffer.from('jpeg')]), close: async () => undefined };
const urlImage: DeliveredImage = {
  index: 3,
  requestIndex: 1,
  setIndex: 0,
  content: { kind: 'url', url: 'https://tos.volces.com/x.jpeg', expiresAt: new Date('2026-12-01T00:00:00Z') },
  mimeType: 'image/jpeg',
  width: 2048,
  height: 2048,
};

function hostingWith(store: AssetStore, options: { storeInline?: boolean; fetcher?: UpstreamImageFetcher } = {}) {
  const { metrics, records } = recordingMetrics();
  const hosting = createImageHosting({ store, fetcher: options.fetcher ?? fetcher, retentionMs: 1000, storeInline: options.storeInline ?? false, maxBytes: 1 << 20, metrics });
  return { hosting, records };
}

describe('the image hosting stage', () => {
  it('delivers the upstream URL with a warning when the store fails, and counts the failure', async () => {
    const { hosting, records } = hostingWith(failingStore);
    const delivered = await hosting.host(urlImage, new AbortController().signal);
    expect(delivered.content).toEqual(urlImage.content);
    expect(delivered.warning).toBe("image 3: the gateway could not host it (store_failed); the URL is the upstream's and expires at 2026-12-01T00:00:00.000Z");
    expect(delivered.stored).toBeUndefined();
    expect(records).toEqual([{ metric: 'hostingFailures', value: 1, attributes: { store: 'local', reason: 'store_failed' } }]);
  });

  it('labels a refused download as fetch_refused', async () => {
    const refusing: UpstreamImageFetcher = { fetch: async () => Promise.reject(new HostingFailure('fetch_refused', 'not allowed')), close: async () => undefined };
    const { hosting, records } = hostingWith(failingStore, { fetcher: refusing });
    expect((await hosting.host(urlImage, new AbortController().signal)).warning).toMatch(/\(fetch_refused\)/);
    expect(records[0]?.attributes).toEqual({ store: 'local', reason: 'fetch_refused' });
  });

  it('cancels instead of warning when the caller has gone', async () => {
    const controller = new AbortController();
    const abortingStore = { kind: 'local', put: async () => {
      controller.abort(new Error('the caller cancelled'));
      throw new Error('aborted');
    } } as unknown as AssetStore;
    const { hosting, records } = hostingWith(abortingStore);
    await expect(hosting.host(urlImage, controller.signal)).rejects.toThrow('the caller cancelled');
    expect(records).toEqual([]);
  });

  it('applies to inline calls only when inline storing is on, and keeps inline data with a warning on failure', async () => {
    expect(hostingWith(failingStore).hosting.appliesTo('b64_json')).toBe(false);
    expect(hostingWith(failingStore).hosting.appliesTo('url')).toBe(true);
    const { hosting } = hostingWith(failingStore, { storeInline: true });
    expect(hosting.appliesTo('b64_json')).toBe(true);
    const inline: DeliveredImage = { ...urlImage, content: { kind: 'base64', base64: base64TextOfString(Buffer.from('jpeg').toString('base64'))! } };
    const delivered = await hosting.host(inline, new AbortController().signal);
    expect(delivered.content).toBe(inline.content);
    expect(delivered.warning).toBe('image 3: the gateway could not store it (store_failed); the inline data is complete');
  });
});
