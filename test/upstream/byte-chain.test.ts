import { describe, expect, it } from 'vitest';
import { byteAt, byteAtCursor, byteChain, chainEquals, chainText, indexOfByte, slicePieces, type ChainCursor } from '../../src/upstream/byte-chain.js';

const text = 'ab"c火山d"e';
const bytes = Buffer.from(text, 'utf8');
/** The same bytes in pieces of 1, 2, 3, … bytes (火 and 山 are split between pieces). */
const pieces: Buffer[] = [];
for (let at = 0, size = 1; at < bytes.length; at += size, size++) pieces.push(bytes.subarray(at, at + size));
const chain = byteChain(pieces);

describe('byte chain', () => {
  it('has the length and the bytes of its pieces, read forwards or after a step back', () => {
    expect(chain.length).toBe(bytes.length);
    const cursor: ChainCursor = { piece: 0, start: 0 };
    expect(Array.from(bytes, (_, i) => byteAtCursor(chain, i, cursor))).toEqual([...bytes]);
    expect(byteAtCursor(chain, 0, cursor)).toBe(bytes[0]);
    expect(Array.from(bytes, (_, i) => byteAt(chain, i))).toEqual([...bytes]);
    expect(byteAt(chain, bytes.length)).toBeUndefined();
  });

  it('finds bytes across pieces, from any position', () => {
    for (let from = 0; from <= bytes.length; from++) expect(indexOfByte(chain, 0x22, from)).toBe(bytes.indexOf(0x22, from));
    expect(indexOfByte(chain, 0x7a, 0)).toBe(-1);
  });

  it('slices views and decodes text split inside a multi-byte character', () => {
    for (let from = 0; from <= bytes.length; from++) {
      for (let to = from; to <= bytes.length; to++) {
        const slice = slicePieces(chain, from, to);
        expect(Buffer.concat(slice)).toEqual(bytes.subarray(from, to));
        for (const piece of slice) expect(piece.buffer).toBe(bytes.buffer);
      }
    }
    expect(chainText(chain, 0, bytes.length)).toBe(text);
    expect(chainText(chain, 3, bytes.length - 2)).toBe('c火山d');
  });

  it('compares with a buffer', () => {
    expect(chainEquals(chain, bytes)).toBe(true);
    expect(chainEquals(chain, bytes.subarray(1))).toBe(false);
    expect(chainEquals(byteChain([Buffer.from('[DONE]')]), Buffer.from('[DONE]'))).toBe(true);
  });
});
