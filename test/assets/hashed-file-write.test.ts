/**
 * The local store's write path: the bytes, hash and size of what was written, one write for an image
 * smaller than a batch, batch-sized writes with the source held back for a larger one (memory bounded
 * by two batches), and nothing left behind on a source error, an oversized source or a cancel.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeHashedFile } from '../../src/assets/hashed-file-write.js';
import { AssetTooLargeError } from '../../src/assets/hashing-stream.js';
import { sha256Hex } from './support.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'seedream-write-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** `count` distinct chunks of `size` bytes. */
const chunksOf = (count: number, size: number) => Array.from({ length: count }, (_, i) => Buffer.alloc(size, i % 251));

/** A source of `chunks` that records the most bytes it had handed out beyond what the file holds. */
function meteredSource(chunks: Buffer[], path: string): { source: Readable; maxAhead: () => number } {
  let given = 0;
  let maxAhead = 0;
  const source = new Readable({
    highWaterMark: 1,
    read() {
      const chunk = chunks.shift();
      if (chunk === undefined) {
        this.push(null);
        return;
      }
      given += chunk.length;
      let written = 0;
      try {
        written = readFileSync(path).length;
      } catch {
        // not created yet
      }
      maxAhead = Math.max(maxAhead, given - written);
      this.push(chunk);
    },
  });
  return { source, maxAhead: () => maxAhead };
}

describe('writing a hashed file', () => {
  it('writes an image smaller than a batch in one write, with its SHA-256 and size', async () => {
    const chunks = chunksOf(20, 16 * 1024);
    const bytes = Buffer.concat(chunks);
    const path = join(dir, 'small');
    const written = await writeHashedFile(Readable.from(chunks), path);
    expect(written).toEqual({ sha256: sha256Hex(bytes), byteSize: bytes.length, writes: 1 });
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('writes a larger image batch by batch, holding back the source so at most two batches wait in memory', async () => {
    const batchBytes = 64 * 1024;
    const chunks = chunksOf(160, 4 * 1024); // 640 KiB: ten batches
    const bytes = Buffer.concat(chunks);
    const path = join(dir, 'large');
    const { source, maxAhead } = meteredSource([...chunks], path);
    const written = await writeHashedFile(source, path, { batchBytes });
    expect(written.sha256).toBe(sha256Hex(bytes));
    expect(written.byteSize).toBe(bytes.length);
    expect(written.writes).toBeGreaterThanOrEqual(bytes.length / batchBytes);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    // Two batches plus the chunk in hand and the source's own buffer.
    expect(maxAhead()).toBeLessThanOrEqual(2 * batchBytes + 2 * 4 * 1024);
  });

  it('writes an empty source as an empty file', async () => {
    const path = join(dir, 'empty');
    expect(await writeHashedFile(Readable.from([]), path)).toEqual({ sha256: sha256Hex(Buffer.alloc(0)), byteSize: 0, writes: 0 });
    expect(readFileSync(path).length).toBe(0);
  });

  it('leaves no file behind when the source fails, grows past the cap or the caller cancels — small or batched', async () => {
    const failing = Readable.from(
      (async function* () {
        yield* chunksOf(40, 4 * 1024);
        throw new Error('connection reset');
      })(),
    );
    await expect(writeHashedFile(failing, join(dir, 'a'), { batchBytes: 32 * 1024 })).rejects.toThrow('connection reset');
    await expect(writeHashedFile(Readable.from(chunksOf(40, 4 * 1024)), join(dir, 'b'), { maxBytes: 100_000, batchBytes: 32 * 1024 })).rejects.toBeInstanceOf(AssetTooLargeError);
    await expect(writeHashedFile(Readable.from(chunksOf(4, 4 * 1024)), join(dir, 'c'), { maxBytes: 10_000 })).rejects.toBeInstanceOf(AssetTooLargeError);

    const controller = new AbortController();
    const reason = new Error('cancelled');
    const stalled = new Readable({ read() {} });
    stalled.push(Buffer.alloc(1024));
    const pending = writeHashedFile(stalled, join(dir, 'd'), { signal: controller.signal });
    setTimeout(() => controller.abort(reason), 20);
    await expect(pending).rejects.toBe(reason);
    expect(stalled.destroyed).toBe(true);
    await expect(writeHashedFile(Readable.from([Buffer.alloc(1)]), join(dir, 'e'), { signal: controller.signal })).rejects.toBe(reason);

    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses to overwrite an existing file', async () => {
    const path = join(dir, 'taken');
    await writeHashedFile(Readable.from([Buffer.from('first')]), path);
    await expect(writeHashedFile(Readable.from([Buffer.from('second')]), path)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(path, 'utf8')).toBe('first');
  });
});
