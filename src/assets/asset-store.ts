/**
 * `AssetStore` (DESIGN §7, §11): where delivered images live once the gateway hosts them. Two
 * implementations chosen by config — a local directory served by the gateway (local-asset-store.ts) and
 * S3-compatible object storage (s3-asset-store.ts). The core puts images; the REST asset route and,
 * later, jobs read them. Nothing is buffered without bound: `put` takes a stream and hashes while writing
 * (the local store collects at most a write batch, 1 MiB, at a time; S3 one multipart part).
 */
import type { Readable } from 'node:stream';
import type { CancelSignal } from '../cancel-signal.js';

/** The image types the gateway stores (the upstream answers JPEG or PNG, reference §2). */
export type AssetContentType = 'image/jpeg' | 'image/png';

/** What the writer knows about an image before its bytes flow. */
export interface AssetDescription {
  readonly contentType: AssetContentType;
  readonly width: number;
  readonly height: number;
}

/** A stored image: its id and what a client needs to trust the file. */
export interface StoredAsset extends AssetDescription {
  /** Opaque to callers; safe in a URL path segment. */
  readonly id: string;
  /** SHA-256 of the file, lowercase hex, computed while it was written. */
  readonly sha256: string;
  readonly byteSize: number;
}

/** A URL for an asset and the moment it stops working. */
export interface AssetUrl {
  readonly url: string;
  readonly expiresAt: Date;
}

/** An asset opened for reading: its metadata now, its bytes when asked (whole or one range). */
export interface OpenedAsset {
  readonly contentType: AssetContentType;
  /** Size of the whole file. */
  readonly byteSize: number;
  /** Strong entity tag, quoted. */
  readonly etag: string;
  /** The bytes of `range` (inclusive offsets), or of the whole file. Call at most once. */
  read(range?: ByteRange): Promise<Readable>;
  /** Releases the asset without reading it (HEAD, 304, 416). */
  release(): Promise<void>;
}

/** A byte range, inclusive at both ends (as in HTTP `Range`). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface AssetStore {
  /** `local` or `s3`, for metrics and logs. */
  readonly kind: 'local' | 's3';
  /**
   * Streams `source` into the store. Rejects — and leaves nothing behind — when the source errors, the
   * signal aborts, or the source grows past `maxBytes`.
   */
  put(source: Readable, description: AssetDescription, options?: { readonly signal?: CancelSignal; readonly maxBytes?: number }): Promise<StoredAsset>;
  /** A URL for `id`, valid until `expiresAt` (or earlier, when the store's own limit is shorter). */
  url(id: string, expiresAt: Date): Promise<AssetUrl>;
  /** Opens `id` for reading, or undefined when there is no such asset (never stored, swept, evicted). */
  open(id: string): Promise<OpenedAsset | undefined>;
  /** Deletes `id`; a missing asset is not an error. */
  delete(id: string): Promise<void>;
  /** Deletes what is older than the retention; resolves to the number of assets deleted. */
  sweep(): Promise<number>;
  /** Stops timers and closes connections. */
  close(): Promise<void>;
}

/** File extension of a content type, used in ids and object keys. */
export function extensionOf(contentType: AssetContentType): 'jpeg' | 'png' {
  return contentType === 'image/png' ? 'png' : 'jpeg';
}

/** Content type of an id's extension, or undefined for anything else. */
export function contentTypeOfId(id: string): AssetContentType | undefined {
  if (id.endsWith('.png')) return 'image/png';
  if (id.endsWith('.jpeg')) return 'image/jpeg';
  return undefined;
}
