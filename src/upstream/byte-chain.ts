/**
 * Bytes kept in the pieces they arrived in — views of the chunks read from the socket — and never
 * joined into one buffer unless a caller asks for a short range as text. An SSE `data:` line of a
 * 415 KB image arrives in ~7 chunks; joining them would cost a copy and one more large ArrayBuffer
 * per image, only for the image to be copied out again (base64.ts). Views are short-lived: nothing
 * holds one past the decoding of its frame, so the chunks die young (DESIGN §8).
 */

/** A sequence of bytes in pieces. */
export interface ByteChain {
  readonly pieces: readonly Buffer[];
  /** Total length of the pieces. */
  readonly length: number;
}

/** A chain over `pieces` (the pieces are not copied). */
export function byteChain(pieces: readonly Buffer[]): ByteChain {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  return { pieces, length };
}

/** Position → (piece, offset in it), for walking a chain forwards without searching from the start. */
export interface ChainCursor {
  /** The piece holding the position, and the chain offset where that piece starts. */
  piece: number;
  start: number;
}

/** The byte at `pos` (undefined past the end). */
export function byteAt(chain: ByteChain, pos: number): number | undefined {
  let start = 0;
  for (const piece of chain.pieces) {
    if (pos < start + piece.length) return piece[pos - start];
    start += piece.length;
  }
  return undefined;
}

/** The byte at `pos` like `byteAt`, for a walk forwards: `cursor` remembers the piece it is in. */
export function byteAtCursor(chain: ByteChain, pos: number, cursor: ChainCursor): number | undefined {
  if (pos < cursor.start) {
    cursor.piece = 0;
    cursor.start = 0;
  }
  for (;;) {
    const piece = chain.pieces[cursor.piece];
    if (piece === undefined) return undefined;
    if (pos < cursor.start + piece.length) return piece[pos - cursor.start];
    cursor.start += piece.length;
    cursor.piece++;
  }
}

/** The first position at or after `from` holding `byte`, or -1 (memchr speed within each piece). */
export function indexOfByte(chain: ByteChain, byte: number, from: number): number {
  let start = 0;
  for (const piece of chain.pieces) {
    const end = start + piece.length;
    if (from < end) {
      const found = piece.indexOf(byte, Math.max(0, from - start));
      if (found !== -1) return start + found;
    }
    start = end;
  }
  return -1;
}

/** The bytes in [from, to) as pieces: views, no copy. */
export function slicePieces(chain: ByteChain, from: number, to: number): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (const piece of chain.pieces) {
    const end = start + piece.length;
    if (end > from && start < to) out.push(piece.subarray(Math.max(0, from - start), Math.min(piece.length, to - start)));
    if (end >= to) break;
    start = end;
  }
  return out;
}

/** The bytes in [from, to) decoded as text. Meant for short ranges: one spanning pieces is joined
 *  first, so a multi-byte character split between chunks decodes whole. */
export function chainText(chain: ByteChain, from: number, to: number, encoding: BufferEncoding = 'utf8'): string {
  const only = chain.pieces.length === 1 ? chain.pieces[0] : undefined;
  if (only !== undefined) return only.toString(encoding, from, to); // the common case, without a view
  const pieces = slicePieces(chain, from, to);
  if (pieces.length <= 1) return pieces[0]?.toString(encoding) ?? '';
  return Buffer.concat(pieces).toString(encoding);
}

/** Whether the chain holds exactly `bytes`. */
export function chainEquals(chain: ByteChain, bytes: Buffer): boolean {
  if (chain.length !== bytes.length) return false;
  return chain.pieces.length === 1 ? chain.pieces[0]?.equals(bytes) === true : Buffer.concat(chain.pieces).equals(bytes);
}
