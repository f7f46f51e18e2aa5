/**
 * Writes a stream to a new file while hashing (SHA-256) and counting its bytes, failing once they
 * exceed a cap — the local store's write path (DESIGN §11). It replaces `pipeline(source, hasher,
 * createWriteStream())`, which cost one `write` round trip per network chunk plus the stream machinery
 * around each: chunks are collected into batches of up to `batchBytes` and each batch goes to the file
 * in one `writev`. An image smaller than a batch (the common case: a 4K JPEG is ≈ 0.3 MB) is written
 * with one call once its last byte arrived; a larger one is written batch by batch, the source paused
 * while a batch is in flight, so memory stays bounded by two batches per write whatever the image size.
 */
import { createHash } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { AssetTooLargeError } from './hashing-stream.js';
import type { CancelSignal } from '../cancel-signal.js';

/** Bytes collected before a write; also the most a write holds in memory besides the batch in flight. */
export const WRITE_BATCH_BYTES = 1024 * 1024;

export interface HashedFileOptions {
  readonly maxBytes?: number;
  readonly signal?: CancelSignal;
  readonly batchBytes?: number;
}

/** What was written: the content hash (lowercase hex), the size, and how many writes it took. */
export interface HashedFile {
  readonly sha256: string;
  readonly byteSize: number;
  readonly writes: number;
}

/**
 * Creates `path` (it must not exist) with the bytes of `source`. Rejects — after closing and removing
 * the file — when the source errors, the signal aborts or the source grows past `maxBytes`; the source
 * is destroyed then.
 */
export function writeHashedFile(source: Readable, path: string, options: HashedFileOptions = {}): Promise<HashedFile> {
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  const batchBytes = options.batchBytes ?? WRITE_BATCH_BYTES;
  const signal = options.signal;
  if (signal?.aborted === true) {
    source.destroy();
    return Promise.reject(signal.reason);
  }
  return new Promise<HashedFile>((resolve, reject) => {
    const hash = createHash('sha256');
    // Opened while the first bytes are still on their way, so the open costs no latency.
    const opened = open(path, 'wx');
    opened.catch(() => undefined); // handled where awaited
    let byteSize = 0;
    let writes = 0;
    let batch: Buffer[] = [];
    let batchSize = 0;
    let inFlight: Promise<void> | undefined;
    let ended = false;
    let closed = false;
    let settled = false;

    const detach = () => {
      source.off('data', onData);
      source.off('end', onEnd);
      source.off('error', fail);
      signal?.removeEventListener('abort', onAbort);
    };
    function fail(error: unknown): void {
      if (settled) return;
      settled = true;
      detach();
      source.on('error', () => undefined); // destroying may report the cause again
      source.destroy();
      void (async () => {
        await inFlight?.catch(() => undefined);
        const handle = await opened.catch(() => undefined);
        await handle?.close().catch(() => undefined);
        if (handle !== undefined) await rm(path, { force: true }).catch(() => undefined);
        reject(error);
      })();
    }
    function onAbort(): void {
      fail(signal?.reason);
    }
    function onData(chunk: Buffer): void {
      byteSize += chunk.length;
      if (byteSize > maxBytes) {
        fail(new AssetTooLargeError(maxBytes));
        return;
      }
      hash.update(chunk);
      batch.push(chunk);
      batchSize += chunk.length;
      if (batchSize < batchBytes) return;
      if (inFlight === undefined) flush();
      else source.pause(); // a batch is in flight and another is full: wait for the disk
    }
    function onEnd(): void {
      ended = true;
      if (inFlight === undefined) flush();
    }
    function flush(): void {
      const buffers = batch;
      batch = [];
      batchSize = 0;
      const last = ended;
      inFlight = (async () => {
        const handle = await opened;
        if (buffers.length > 0) {
          writes += 1;
          await writeAll(handle, buffers);
        }
        if (last) {
          await handle.close();
          closed = true;
        }
      })();
      inFlight.then(
        () => {
          inFlight = undefined;
          if (settled) return;
          if (closed) {
            settled = true;
            detach();
            source.on('error', () => undefined); // nothing to report to any more
            resolve({ sha256: hash.digest('hex'), byteSize, writes });
            return;
          }
          if (ended || batchSize >= batchBytes) flush();
          if (!ended && source.isPaused()) source.resume();
        },
        (error: unknown) => {
          inFlight = undefined;
          fail(error);
        },
      );
    }

    source.on('data', onData);
    source.once('end', onEnd);
    source.on('error', fail);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One `writev` of `buffers`; libuv already retries short writes, so a short count is an I/O error. */
async function writeAll(handle: FileHandle, buffers: Buffer[]): Promise<void> {
  let total = 0;
  for (const buffer of buffers) total += buffer.length;
  const { bytesWritten } = await handle.writev(buffers);
  if (bytesWritten !== total) throw new Error(`short write: ${bytesWritten} of ${total} bytes`);
}
