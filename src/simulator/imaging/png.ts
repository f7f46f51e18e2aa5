/**
 * A PNG encoder for pictures made of flat 8×8 blocks: 8-bit palette colour, zlib-deflated scanlines.
 * Row filters do the heavy lifting: the first row of each band of blocks uses Sub (non-zero only where
 * a block edge is crossed) and the next seven use Up (all zeros), so deflate sees almost only zeros.
 */
import { crc32, deflateSync, constants } from 'node:zlib';
import { BLOCK, GRADIENT_COLOURS, type Pattern } from './pattern.js';

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
  const ihdr = header(width, height, 3); // palette colour
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

/**
 * Encodes a block pattern as an RGBA PNG (colour type 6) whose background gradient is fully transparent
 * and whose subject is opaque: what Seedream 5.5 returns for `background: transparent`. Same filter
 * scheme as encodePng, with 4 bytes per pixel.
 */
export function encodeTransparentPng(pattern: Pattern, width: number, height: number): Buffer {
  const { blocks, blocksWide, palette } = pattern;
  const stride = width * 4 + 1;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const start = y * stride;
    if (y % BLOCK !== 0) {
      raw[start] = FILTER_UP;
      continue;
    }
    raw[start] = FILTER_SUB;
    const blockRow = (y / BLOCK) * blocksWide;
    let previous = [0, 0, 0, 0];
    for (let bx = 0; bx < blocksWide; bx++) {
      const index = blocks[blockRow + bx] ?? 0;
      const rgba = index < GRADIENT_COLOURS ? [0, 0, 0, 0] : [palette[index * 3] ?? 0, palette[index * 3 + 1] ?? 0, palette[index * 3 + 2] ?? 0, 255];
      const at = start + 1 + bx * BLOCK * 4;
      for (let c = 0; c < 4; c++) raw[at + c] = ((rgba[c] ?? 0) - (previous[c] ?? 0)) & 0xff;
      previous = rgba;
    }
  }
  return Buffer.concat([SIGNATURE, chunk('IHDR', header(width, height, 6)), chunk('IDAT', deflateSync(raw, { level: 6, strategy: constants.Z_RLE })), chunk('IEND', Buffer.alloc(0))]);
}

function header(width: number, height: number, colourType: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, colourType, 0, 0, 0], 8); // bit depth 8, deflate, adaptive filtering, no interlace
  return ihdr;
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}
