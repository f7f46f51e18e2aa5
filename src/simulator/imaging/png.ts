/**
 * A PNG encoder for pictures made of flat 8×8 blocks: 8-bit palette colour (or RGBA for transparent
 * backgrounds), zlib-deflated scanlines. Row filters do the heavy lifting: the first row of each band of
 * blocks uses Sub (non-zero only where a block edge is crossed) and the next seven use Up (all zeros),
 * so deflate sees almost only zeros.
 */
import { crc32, deflateSync, constants } from 'node:zlib';
import { BLOCK, GRADIENT_COLOURS, type Pattern } from './pattern.js';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const FILTER_SUB = 1;
const FILTER_UP = 2;
const COLOUR_PALETTE = 3;
const COLOUR_RGBA = 6;
const TRANSPARENT = [0, 0, 0, 0] as const;

/** Encodes a block pattern as a palette PNG of exactly width × height pixels. */
export function encodePng(pattern: Pattern, width: number, height: number): Buffer {
  const idat = encodeRows(pattern, width, height, 1, (index) => [index]);
  return assemble(width, height, COLOUR_PALETTE, idat, Buffer.from(pattern.palette));
}

/**
 * Encodes a block pattern as an RGBA PNG (colour type 6) whose background gradient is fully transparent
 * and whose subject is opaque: what Seedream 5.5 returns for `background: transparent`.
 */
export function encodeTransparentPng(pattern: Pattern, width: number, height: number): Buffer {
  const { palette } = pattern;
  const idat = encodeRows(pattern, width, height, 4, (index) =>
    index < GRADIENT_COLOURS ? TRANSPARENT : [palette[index * 3] ?? 0, palette[index * 3 + 1] ?? 0, palette[index * 3 + 2] ?? 0, 255],
  );
  return assemble(width, height, COLOUR_RGBA, idat);
}

/** The deflated, filtered scanlines; `pixel` gives the bytes of one pixel of a palette index. */
function encodeRows(pattern: Pattern, width: number, height: number, bytesPerPixel: number, pixel: (index: number) => readonly number[]): Buffer {
  const { blocks, blocksWide } = pattern;
  const pixels = Array.from({ length: 256 }, (_, index) => pixel(index)); // one lookup per block, no allocation
  const stride = width * bytesPerPixel + 1;
  const raw = Buffer.alloc(stride * height); // zero-filled: Up-filtered rows need nothing more
  for (let y = 0; y < height; y++) {
    const start = y * stride;
    if (y % BLOCK !== 0) {
      raw[start] = FILTER_UP;
      continue;
    }
    raw[start] = FILTER_SUB;
    const blockRow = (y / BLOCK) * blocksWide;
    let previous: readonly number[] = TRANSPARENT;
    for (let bx = 0; bx < blocksWide; bx++) {
      const current = pixels[blocks[blockRow + bx] ?? 0] ?? TRANSPARENT;
      // Sub stores each byte minus its left neighbour's: only the first pixel of a block can differ.
      const at = start + 1 + bx * BLOCK * bytesPerPixel;
      for (let c = 0; c < bytesPerPixel; c++) raw[at + c] = ((current[c] ?? 0) - (previous[c] ?? 0)) & 0xff;
      previous = current;
    }
  }
  // Z_RLE finds the long zero runs as well as the default strategy does, several times faster.
  return deflateSync(raw, { level: 6, strategy: constants.Z_RLE });
}

function assemble(width: number, height: number, colourType: number, idat: Buffer, palette?: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, colourType, 0, 0, 0], 8); // bit depth 8, deflate, adaptive filtering, no interlace
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', ihdr),
    ...(palette === undefined ? [] : [chunk('PLTE', palette)]),
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
