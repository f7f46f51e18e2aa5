/**
 * Delivery of hosted images (DESIGN §11): each delivered image is stored once and the caller gets the
 * store's URL and its real expiry. URL answers are downloaded from the upstream's allowed hosts into the
 * store as a stream; inline answers are stored from the bytes in hand only when config says so (the
 * caller keeps getting them inline). Hosting never loses a paid image: on any failure the image goes out
 * as the upstream gave it, with a warning, and the hosting-failures metric counts it.
 */
import { Readable } from 'node:stream';
import type { AssetMetrics } from '../assets/asset-metrics.js';
import type { AssetStore } from '../assets/asset-store.js';
import { AssetTooLargeError } from '../assets/hashing-stream.js';
import { HostingFailure, type HostingFailureReason, type UpstreamImageFetcher } from '../assets/upstream-image-fetch.js';
import { decodeBase64 } from '../base64.js';
import type { Logger } from '../telemetry/logger.js';
import type { DeliveredImage, ResponseFormatName } from './types.js';
import type { CancelSignal } from '../cancel-signal.js';

export interface ImageHostingDeps {
  readonly store: AssetStore;
  readonly fetcher: UpstreamImageFetcher;
  readonly retentionMs: number;
  readonly storeInline: boolean;
  readonly maxBytes: number;
  readonly metrics: AssetMetrics;
  readonly logger?: Logger;
  readonly now?: () => number;
}

export interface ImageHosting {
  /** Whether a call answering in `format` goes through hosting at all (inline calls skip it by default). */
  appliesTo(format: ResponseFormatName): boolean;
  /** The image as delivered after hosting: stored, or unchanged with a warning. */
  host(image: DeliveredImage, signal: CancelSignal): Promise<DeliveredImage>;
}

export function createImageHosting(deps: ImageHostingDeps): ImageHosting {
  const now = deps.now ?? Date.now;
  const store = deps.store;
  const fail = (image: DeliveredImage, error: unknown): DeliveredImage => {
    const reason: HostingFailureReason =
      error instanceof HostingFailure ? error.reason : error instanceof AssetTooLargeError ? 'too_large' : 'store_failed';
    deps.metrics.hostingFailures.add(1, { store: store.kind, reason });
    deps.logger?.warn({ err: error, store: store.kind, reason, index: image.index }, 'image hosting failed; delivering the upstream image');
    const content = image.content;
    const warning =
      content.kind === 'url'
        ? `image ${image.index}: the gateway could not host it (${reason}); the URL is the upstream's and expires at ${content.expiresAt.toISOString()}`
        : `image ${image.index}: the gateway could not store it (${reason}); the inline data is complete`;
    return { ...image, warning };
  };

  return {
    appliesTo: (format) => format === 'url' || deps.storeInline,
    async host(image, signal) {
      const content = image.content;
      const description = { contentType: image.mimeType, width: image.width, height: image.height };
      try {
        if (content.kind === 'url') {
          const body = await deps.fetcher.fetch(content.url, signal);
          // No signal for the store: the fetcher already ends the body with the caller's reason when the
          // caller goes, and one listener per image on the call's signal is enough (up to four images of
          // a call are hosted at once, host-images.ts).
          const stored = await store.put(body, description, { maxBytes: deps.maxBytes });
          const hosted = await store.url(stored.id, new Date(now() + deps.retentionMs));
          countStored(deps, 'url', stored.byteSize);
          return { ...image, content: { kind: 'url', url: hosted.url, expiresAt: hosted.expiresAt }, stored: { sha256: stored.sha256, byteSize: stored.byteSize } };
        }
        if (!deps.storeInline) return image;
        const stored = await store.put(Readable.from([decodeBase64(content.base64)]), description, { signal });
        countStored(deps, 'inline', stored.byteSize);
        return { ...image, stored: { sha256: stored.sha256, byteSize: stored.byteSize } };
      } catch (error) {
        // The caller has gone: there is nobody to deliver to, and the call ends as cancelled.
        if (signal.aborted) throw signal.reason;
        return fail(image, error);
      }
    },
  };
}

function countStored(deps: ImageHostingDeps, source: 'url' | 'inline', bytes: number): void {
  deps.metrics.stored.add(1, { store: deps.store.kind, source });
  deps.metrics.storedBytes.add(bytes, { store: deps.store.kind, source });
}
