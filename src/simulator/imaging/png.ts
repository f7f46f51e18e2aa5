/**
 * A PNG encoder for pictures made of flat 8×8 blocks: 8-bit palette colour, zlib-deflated scanlines.
 * Row filters do the heavy lifting: the first row of each band of blocks uses Sub (non-zero only where
 * a block edge is crossed) and the next seven use Up (all zeros), so deflate sees almost only zeros.
 */
import { crc32, deflateSync, constants } from 'node:zlib';
import { BLOCK, type Pattern } from './pattern.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const FILTER_SUB = 1;
const FILTER_UP = 2;

/** Encodes a block pattern as a PNG of exactly width × height pixels. */
export function encodePng(pattern: Pattern, width: number, height: number): Buffer {
  const { blocks, blocksWide } = pattern;
  const stride = width + 1;
  const raw = Buffer.alloc(stride * height); // zero-filled: Up-filtered rows need nothing more
  for (let y = 0; y < height; y++) {
    const start = y * stride;
    if (y % BLOCK !== 0) {
      raw[start] = FILTER_UP;
      continue;
    }
    raw[start] = FILTER_SUB;
    const blockRow = (y / BLOCK) * blocksWide;
    let previous = 0;
    for (let bx = 0; bx < blocksWide; bx++) {
      const index = blocks[blockRow + bx] ?? 0;
      // Sub stores each byte minus its left neighbour: only the first pixel of a block can differ.
      const x = bx * BLOCK;
      raw[start + 1 + x] = (index - previous) & 0xff;
      previous = index;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 3, 0, 0, 0], 8); // bit depth 8, palette colour, deflate, adaptive filtering, no interlace
  // Z_RLE finds the long zero runs as well as the default strategy does, several times faster.
  const idat = deflateSync(raw, { level: 6, strategy: constants.Z_RLE });
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('PLTE', Buffer.from(pattern.palette)),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
