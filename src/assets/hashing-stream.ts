/**
 * A pass-through stream that hashes (SHA-256) and counts the bytes flowing through it, and fails once
 * they exceed a cap — so a store learns the content hash and size while writing, and an upstream answer
 * larger than allowed costs one failed put, never the process's memory (DESIGN §9).
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** The stream grew past its cap. */
export class AssetTooLargeError extends Error {
  override readonly name = 'AssetTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`the image is larger than ${maxBytes} bytes`);
  }
}

export class HashingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private count = 0;

  constructor(private readonly maxBytes = Number.POSITIVE_INFINITY) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.count += chunk.length;
    if (this.count > this.maxBytes) {
      callback(new AssetTooLargeError(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  /** Bytes seen so far. */
  get byteSize(): number {
    return this.count;
  }

  /** The hex digest; call once, after the stream has ended. */
  digest(): string {
    return this.hash.digest('hex');
  }
}
