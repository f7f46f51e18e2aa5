/**
 * Reading response bodies: a whole body with a size bound (DESIGN §9: every size is bounded before
 * allocation), as the chunks it arrived in or joined once — one copy, whatever the chunking — and the
 * bounded draining of a body's unneeded rest.
 */
import type { Readable } from 'node:stream';
import { byteChain, type ByteChain } from './byte-chain.js';

/** Thrown when a body exceeds its bound; the caller maps it. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`response body larger than ${limit} bytes`);
  }
}

/**
 * Reads `body` to the end, as one buffer. Over `limit` bytes: with `truncate`, returns the first
 * `limit` bytes and stops reading (closing the stream); otherwise throws BodyTooLargeError.
 */
export async function readBody(
  body: AsyncIterable<Uint8Array>,
  limit: number,
  truncate = false,
): Promise<Buffer> {
  const { pieces, length } = await readBodyPieces(body, limit, truncate);
  return pieces.length === 1 && pieces[0] !== undefined ? pieces[0] : Buffer.concat(pieces, length);
}

/** Reads `body` to the end like `readBody`, keeping the chunks as they arrived (no joining copy). */
export async function readBodyPieces(
  body: AsyncIterable<Uint8Array>,
  limit: number,
  truncate = false,
): Promise<ByteChain> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (total + buf.length > limit) {
      if (!truncate) throw new BodyTooLargeError(limit);
      chunks.push(buf.subarray(0, limit - total));
      total = limit;
      break; // leaving the loop destroys the stream: an oversized error body is not worth reading
    }
    chunks.push(buf);
    total += buf.length;
  }
  return byteChain(chunks);
}

/**
 * Reads what is left of a body we no longer need (after a stream's `[DONE]`) in the background, so
 * the keep-alive connection goes back to the pool instead of being torn down. Bounded in bytes and
 * time: past either bound the body is destroyed, which closes the connection.
 */
export function drainInBackground(body: Readable, maxBytes = 64 * 1024, maxMs = 1000): void {
  if (body.readableEnded || body.destroyed) return;
  let seen = 0;
  const timer = setTimeout(() => body.destroy(), maxMs);
  body.on('error', () => undefined); // a late reset only costs the connection
  body.once('close', () => clearTimeout(timer));
  body.on('data', (chunk: Uint8Array) => {
    seen += chunk.byteLength;
    if (seen > maxBytes) body.destroy();
  });
  body.resume();
}
