/**
 * A baseline JPEG encoder for pictures made of flat 8×8 blocks. A flat block has a single non-zero
 * DCT coefficient (DC), so no DCT is needed: each block is its DC difference plus an end-of-block
 * code. The output is an ordinary baseline, Huffman-coded, 4:4:4 YCbCr JFIF file any decoder reads.
 */
import { BLOCK, type Pattern } from './pattern.js';

// DC quantiser 8: a flat block of level v has DC = 8·(v − 128), so the quantised DC is exactly v − 128
// and decodes back without loss. The AC entries are never used (every AC coefficient is zero).
const DC_QUANT = 8;
const AC_QUANT = 16;

// Standard luminance DC table (ITU T.81 Annex K.3): code lengths per category 0–11.
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
// An AC table holding only end-of-block (symbol 0x00) as the one-bit code `0` — what libjpeg's optimal
// tables produce for flat images.
const AC_BITS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const AC_VALUES = [0];

const dcCodes = canonicalCodes(DC_BITS, DC_VALUES);
const header = (width: number, height: number) =>
  Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]), // JFIF 1.1, no thumbnail
    segment(0xdb, [0x00, DC_QUANT, ...new Array<number>(63).fill(AC_QUANT)]),
    segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]),
    segment(0xc4, [0x00, ...DC_BITS, ...DC_VALUES]),
    segment(0xc4, [0x10, ...AC_BITS, ...AC_VALUES]),
    segment(0xda, [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]),
  ]);

/** Encodes a block pattern as a JPEG of exactly width × height pixels (at most 65535 per side). */
export function encodeJpeg(pattern: Pattern, width: number, height: number): Buffer {
  const levels = paletteLevels(pattern.palette);
  const { blocks, blocksWide, blocksHigh } = pattern;
  if (blocksWide !== Math.ceil(width / BLOCK) || blocksHigh !== Math.ceil(height / BLOCK)) {
    throw new Error('pattern does not cover the image');
  }
  // Worst case per block and component: 9-bit code + 8 magnitude bits + 1 EOB bit, doubled by 0xFF stuffing.
  const out = Buffer.allocUnsafe(blocks.length * 3 * 5 + 16);
  let length = 0;
  let acc = 0;
  let bits = 0;
  const put = (code: number, size: number) => {
    acc = (acc << size) | code;
    bits += size;
    while (bits >= 8) {
      bits -= 8;
      const byte = (acc >>> bits) & 0xff;
      out[length++] = byte;
      if (byte === 0xff) out[length++] = 0x00;
    }
    acc &= (1 << bits) - 1;
  };
  const previous = [0, 0, 0];
  for (let i = 0; i < blocks.length; i++) {
    const base = (blocks[i] ?? 0) * 3;
    for (let c = 0; c < 3; c++) {
      const dc = levels[base + c] ?? 0;
      const diff = dc - (previous[c] ?? 0);
      previous[c] = dc;
      const magnitude = diff < 0 ? -diff : diff;
      const category = magnitude === 0 ? 0 : 32 - Math.clz32(magnitude);
      const code = dcCodes[category] ?? [0, 0];
      put(code[0], code[1]);
      if (category > 0) put(diff < 0 ? diff + (1 << category) - 1 : diff, category);
      put(0, 1); // end of block
    }
  }
  if (bits > 0) put((1 << (8 - bits)) - 1, 8 - bits); // pad the last byte with 1-bits (T.81 F.1.2.3)
  return Buffer.concat([header(width, height), out.subarray(0, length), Buffer.from([0xff, 0xd9])]);
}

/** Per palette entry, the quantised DC (level − 128) of Y, Cb and Cr (JFIF full-range conversion). */
function paletteLevels(palette: Uint8Array): Int16Array {
  const levels = new Int16Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const r = palette[i * 3] ?? 0;
    const g = palette[i * 3 + 1] ?? 0;
    const b = palette[i * 3 + 2] ?? 0;
    levels[i * 3] = clamp(0.299 * r + 0.587 * g + 0.114 * b) - 128;
    levels[i * 3 + 1] = clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b) - 128;
    levels[i * 3 + 2] = clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b) - 128;
  }
  return levels;
}

function clamp(value: number): number {
  return Math.min(255, Math.max(0, Math.round(value)));
}

/** Huffman codes from a BITS/HUFFVAL table (T.81 Annex C): symbol → [code, length]. */
function canonicalCodes(bitsPerLength: readonly number[], values: readonly number[]): [number, number][] {
  const codes: [number, number][] = [];
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let n = 0; n < (bitsPerLength[length - 1] ?? 0); n++) codes[values[k++] ?? 0] = [code++, length];
    code <<= 1;
  }
  return codes;
}

function segment(marker: number, payload: readonly number[]): Buffer {
  const length = payload.length + 2;
  return Buffer.from([0xff, marker, length >> 8, length & 0xff, ...payload]);
}
