/**
 * Where generated images live. URL mode never renders at request time: `register` files the render
 * parameters under an unguessable token with an expiry (reference §2: links live 24 h), and the first
 * download renders them. Rendered bytes (and their base64, for `b64_json`) sit in an LRU bounded by
 * total bytes, so repeated downloads and repeated identical b64 requests cost a map lookup.
 */
import { randomFillSync } from 'node:crypto';
import { renderImage, renderKey, type RenderParams, type RenderedImage } from './imaging/render.js';

/** An image ready to send, with its base64 once someone asked for it. */
export interface StoredImage extends RenderedImage {
  base64(): string;
}

/** Download registrations and the rendered-image cache of one simulator. */
export interface ImageStore {
  /** Files the image for download; returns its path (`/images/<token>.jpeg`). Renders nothing. */
  register(params: RenderParams): string;
  /** The image for these parameters, rendered now unless cached. */
  get(params: RenderParams): StoredImage;
  /** The image behind a download path's token and extension; undefined when unknown or expired. */
  download(token: string, extension: string): StoredImage | undefined;
}

/** Limits and clock of an image store. */
export interface ImageStoreOptions {
  readonly ttlMs: number;
  readonly cacheBytes: number;
  /** Live download tokens kept at most; the oldest are forgotten first (their URLs answer 404 early). */
  readonly maxTokens: number;
  readonly now: () => number;
}

interface Registration {
  readonly params: RenderParams;
  readonly expiresAt: number;
}

interface CacheEntry {
  readonly image: RenderedImage;
  base64?: string;
}

/** Creates an empty store. */
export function createImageStore(options: ImageStoreOptions): ImageStore {
  const tokens = new Map<string, Registration>();
  const cache = new Map<string, CacheEntry>();
  let cachedBytes = 0;
  const randomPool = Buffer.alloc(4096);
  let poolOffset = randomPool.length;

  // 128 random bits per token (base64url, 22 characters), drawn from a refilled pool to stay cheap.
  const newToken = () => {
    if (poolOffset + 16 > randomPool.length) {
      randomFillSync(randomPool);
      poolOffset = 0;
    }
    const token = randomPool.toString('base64url', poolOffset, poolOffset + 16);
    poolOffset += 16;
    return token;
  };

  const dropExpired = (now: number) => {
    // Registrations are appended with a constant TTL, so the Map's insertion order is expiry order.
    for (const [token, registration] of tokens) {
      if (registration.expiresAt > now && tokens.size <= options.maxTokens) break;
      tokens.delete(token);
    }
  };

  const account = (delta: number) => {
    cachedBytes += delta;
    for (const [key, entry] of cache) {
      if (cachedBytes <= options.cacheBytes) break;
      cache.delete(key);
      cachedBytes -= entrySize(entry);
    }
  };

  const lookup = (params: RenderParams): CacheEntry => {
    const key = renderKey(params);
    let entry = cache.get(key);
    if (entry !== undefined) {
      cache.delete(key); // re-insert: most recently used last
      cache.set(key, entry);
      return entry;
    }
    entry = { image: renderImage(params) };
    cache.set(key, entry);
    account(entrySize(entry));
    return entry;
  };

  const stored = (params: RenderParams): StoredImage => {
    const entry = lookup(params);
    return {
      ...entry.image,
      base64() {
        if (entry.base64 === undefined) {
          entry.base64 = entry.image.bytes.toString('base64');
          if (cache.get(renderKey(params)) === entry) account(entry.base64.length);
        }
        return entry.base64;
      },
    };
  };

  return {
    register(params) {
      const now = options.now();
      const token = newToken();
      tokens.set(token, { params, expiresAt: now + options.ttlMs });
      dropExpired(now);
      return `/images/${token}.${params.format}`;
    },
    get: stored,
    download(token, extension) {
      const registration = tokens.get(token);
      if (registration === undefined || registration.params.format !== extension) return undefined;
      if (registration.expiresAt <= options.now()) {
        tokens.delete(token);
        return undefined;
      }
      return stored(registration.params);
    },
  };
}

function entrySize(entry: CacheEntry): number {
  return entry.image.bytes.length + (entry.base64?.length ?? 0);
}
