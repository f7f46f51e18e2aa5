/**
 * The embedded `AssetStore` (DESIGN §11): files under `<DATA_DIR>/images`, each written to
 * `<DATA_DIR>/tmp` first — in batches of up to 1 MiB, hashed on the way (hashed-file-write.ts) — and
 * renamed into place (a reader never sees half a file; a crash leaves only a temp file, cleared at the
 * next boot). Ids are content addressed — `<sha256>_<width>x<height>.<ext>` —
 * so the same image is stored once, the ETag is free, and the pixel size is recorded without a sidecar.
 * URLs are HMAC-signed and expire (url-signing.ts); the REST asset route serves them.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { contentTypeOfId, extensionOf, type AssetStore, type StoredAsset } from './asset-store.js';
import type { AssetMetrics } from './asset-metrics.js';
import { createDiskIndex, type DiskIndex, type IndexedFile } from './disk-index.js';
import { writeHashedFile } from './hashed-file-write.js';
import type { UrlSigner } from './url-signing.js';

/** The only ids this store ever creates; anything else (`..`, slashes, encodings) is no asset at all. */
const ID_PATTERN = /^([0-9a-f]{64})_\d{1,5}x\d{1,5}\.(jpeg|png)$/;

/** Path of the asset route; local URLs are `<public base URL>/v1/assets/<id>?expires=…&sig=…`. */
export const ASSET_ROUTE_PREFIX = '/v1/assets/';

export interface LocalAssetStoreOptions {
  readonly dataDir: string;
  readonly signer: UrlSigner;
  /** The base URL callers reach the REST server at; read per URL (known only once it listens). */
  readonly publicBaseUrl: () => string;
  readonly retentionMs: number;
  readonly diskCapBytes: number;
  readonly metrics: AssetMetrics;
  /** The store's clock; when absent, the system clock (which also stamps file mtimes). */
  readonly now?: () => number;
  /** Bytes collected per file write (hashed-file-write.ts); tests make it small to cover large files. */
  readonly writeBatchBytes?: number;
}

/** The local store plus what its HTTP route needs: the signer. */
export interface LocalAssetStore extends AssetStore {
  readonly kind: 'local';
  readonly signer: UrlSigner;
  /** Bytes stored now. */
  readonly totalBytes: number;
}

/** Whether `id` is one this store could have created (checked before any file system access). */
export function isLocalAssetId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** Opens (creating) the directories and indexes what is already there. */
export async function createLocalAssetStore(options: LocalAssetStoreOptions): Promise<LocalAssetStore> {
  const now = options.now ?? Date.now;
  // The kernel stamps a new file's mtime from the system clock: when that is the store's clock too, the
  // mtime already is the write time and setting it again would be one more file system round trip.
  const stampMtime = options.now !== undefined;
  const imagesDir = join(options.dataDir, 'images');
  const tmpDir = join(options.dataDir, 'tmp');
  await rm(tmpDir, { recursive: true, force: true }); // partial writes of a previous process
  await mkdir(tmpDir, { recursive: true });
  await mkdir(imagesDir, { recursive: true });
  const index = createDiskIndex(await scan(imagesDir));
  const attrs = { store: 'local' };

  const removeFile = async (id: string, cause: 'disk_cap' | 'retention' | 'deleted') => {
    const file = index.remove(id);
    await unlink(join(imagesDir, id)).catch(() => undefined); // already gone is fine
    if (file !== undefined && cause !== 'deleted') {
      options.metrics.removed.add(1, { ...attrs, cause });
      options.metrics.removedBytes.add(file.byteSize, { ...attrs, cause });
    }
  };
  const isExpired = (file: IndexedFile) => file.writtenAt <= now() - options.retentionMs;

  return {
    kind: 'local',
    signer: options.signer,
    get totalBytes() {
      return index.totalBytes;
    },
    async put(source: Readable, description, putOptions = {}): Promise<StoredAsset> {
      const tmp = join(tmpDir, randomUUID());
      // Hashed and counted while written; on failure the temp file is already gone.
      const { sha256, byteSize } = await writeHashedFile(source, tmp, { ...putOptions, ...(options.writeBatchBytes !== undefined && { batchBytes: options.writeBatchBytes }) });
      const id = `${sha256}_${description.width}x${description.height}.${extensionOf(description.contentType)}`;
      // The file's mtime is its write time on the store's clock: the next boot's index (and so the age
      // order of eviction and sweep) is rebuilt from it. On the system clock the kernel stamped it at the
      // last write, a moment before `writtenAt`; any other clock needs utimes().
      const writtenAt = now();
      try {
        if (stampMtime) await utimes(tmp, writtenAt / 1000, writtenAt / 1000);
        // rename() replaces atomically: an identical image stored again just becomes the newest.
        await rename(tmp, join(imagesDir, id));
      } catch (error) {
        await rm(tmp, { force: true });
        throw error;
      }
      index.add({ id, byteSize, writtenAt });
      // Oldest first, but never the file just written: it is what the caller is about to fetch.
      for (let oldest = index.oldest(); index.totalBytes > options.diskCapBytes && oldest !== undefined && oldest.id !== id; oldest = index.oldest()) {
        await removeFile(oldest.id, 'disk_cap');
      }
      return { id, sha256, byteSize, ...description };
    },
    async url(id, expiresAt) {
      const expires = Math.floor(expiresAt.getTime() / 1000);
      const sig = options.signer.sign(id, expires);
      return {
        url: `${options.publicBaseUrl()}${ASSET_ROUTE_PREFIX}${id}?expires=${expires}&sig=${sig}`,
        expiresAt: new Date(expires * 1000),
      };
    },
    async open(id) {
      const match = ID_PATTERN.exec(id);
      const contentType = contentTypeOfId(id);
      if (match === null || contentType === undefined) return undefined;
      const indexed = index.get(id);
      if (indexed !== undefined && isExpired(indexed)) return undefined; // due for the sweep
      // Open first, then stat the descriptor: an eviction after this point cannot cut the download.
      const handle = await open(join(imagesDir, id), 'r').catch(() => undefined);
      if (handle === undefined) return undefined;
      const { size } = await handle.stat();
      let used = false;
      return {
        contentType,
        byteSize: size,
        etag: `"${match[1]}"`,
        async read(range) {
          used = true;
          return handle.createReadStream(range && { start: range.start, end: range.end });
        },
        async release() {
          if (!used) await handle.close();
        },
      };
    },
    delete: (id) => (isLocalAssetId(id) ? removeFile(id, 'deleted') : Promise.resolve()),
    async sweep() {
      let removed = 0;
      for (let oldest = index.oldest(); oldest !== undefined && isExpired(oldest); oldest = index.oldest()) {
        await removeFile(oldest.id, 'retention');
        removed += 1;
      }
      return removed;
    },
    async close() {},
  };
}

/** The files already in the store, with their sizes and write times. */
async function scan(imagesDir: string): Promise<IndexedFile[]> {
  const files: IndexedFile[] = [];
  for (const name of await readdir(imagesDir)) {
    if (!ID_PATTERN.test(name)) continue;
    const info = await stat(join(imagesDir, name)).catch(() => undefined);
    if (info?.isFile() === true) files.push({ id: name, byteSize: info.size, writtenAt: info.mtimeMs });
  }
  return files;
}
