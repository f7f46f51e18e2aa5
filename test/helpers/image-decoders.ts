/**
 * Dependency-free decoders for the images the simulator returns, strict enough to prove a file is
 * well-formed: the PNG decoder checks every chunk CRC, inflates the IDAT stream, checks its length and
 * undoes the row filters; the JPEG decoder walks every marker to EOI and Huffman-decodes every block
 * of a baseline 4:4:4 file (it supports DC-only blocks — what the simulator emits — and throws on others).
 */
import { crc32, inflateSync } from 'node:zlib';

/** A decoded image. */
export interface DecodedImage {
  readonly format: 'png' | 'jpeg';
  readonly width: number;
  readonly height: number;
  /** Whether the file has an alpha channel (RGBA PNG). */
  readonly hasAlpha: boolean;
  /** The RGB colour of a pixel. */
  rgb(x: number, y: number): [number, number, number];
  /** The opacity of a pixel, 0–255 (255 for files without alpha). */
  alpha(x: number, y: number): number;
}

/** Decodes a PNG or JPEG by its signature. */
export function decodeImage(bytes: Buffer): DecodedImage {
  if (bytes[0] === 0x89 && bytes[1] === 0x50) return decodePng(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return decodeJpeg(bytes);
  throw new Error('neither PNG nor JPEG');
}

/** Decodes an 8-bit palette, RGB or RGBA, non-interlaced PNG. */
export function decodePng(bytes: Buffer): DecodedImage {
  if (!bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) throw new Error('bad PNG signature');
  let offset = 8;
  let ihdr: Buffer | undefined;
  let palette: Buffer | undefined;
  const idat: Buffer[] = [];
  let ended = false;
  while (offset < bytes.length) {
    if (ended) throw new Error('data after IEND');
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (data.length !== length) throw new Error(`chunk ${type} is cut short`);
    if (crc32(bytes.subarray(offset + 4, offset + 8 + length)) !== bytes.readUInt32BE(offset + 8 + length)) throw new Error(`bad CRC in ${type}`);
    if (type === 'IHDR') ihdr = data;
    else if (type === 'PLTE') palette = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') ended = true;
    offset += 12 + length;
  }
  if (ihdr === undefined || !ended) throw new Error('missing IHDR or IEND');
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const [depth, colourType, , , interlace] = ihdr.subarray(8);
  if (depth !== 8 || interlace !== 0 || (colourType !== 3 && colourType !== 2 && colourType !== 6)) throw new Error('unsupported PNG variant');
  if (colourType === 3 && palette === undefined) throw new Error('palette image without PLTE');
  const bpp = colourType === 3 ? 1 : colourType === 6 ? 4 : 3;
  const stride = width * bpp;
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length !== height * (stride + 1)) throw new Error(`IDAT holds ${raw.length} bytes, expected ${height * (stride + 1)}`);
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i] ?? 0;
      const a = i >= bpp ? (pixels[y * stride + i - bpp] ?? 0) : 0;
      const b = y > 0 ? (pixels[(y - 1) * stride + i] ?? 0) : 0;
      const c = i >= bpp && y > 0 ? (pixels[(y - 1) * stride + i - bpp] ?? 0) : 0;
      let value: number;
      if (filter === 0) value = x;
      else if (filter === 1) value = x + a;
      else if (filter === 2) value = x + b;
      else if (filter === 3) value = x + ((a + b) >> 1);
      else if (filter === 4) value = x + paeth(a, b, c);
      else throw new Error(`bad filter ${String(filter)} on row ${y}`);
      pixels[y * stride + i] = value & 0xff;
    }
  }
  return {
    format: 'png',
    width,
    height,
    hasAlpha: bpp === 4,
    alpha(x, y) {
      return bpp === 4 ? (pixels[y * stride + x * 4 + 3] ?? 0) : 255;
    },
    rgb(x, y) {
      if (bpp >= 3) return [pixels[y * stride + x * bpp] ?? 0, pixels[y * stride + x * bpp + 1] ?? 0, pixels[y * stride + x * bpp + 2] ?? 0];
      const index = (pixels[y * stride + x] ?? 0) * 3;
      return [palette?.[index] ?? 0, palette?.[index + 1] ?? 0, palette?.[index + 2] ?? 0];
    },
  };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

interface Huffman {
  /** `length:code` → symbol. */
  readonly codes: Map<string, number>;
}

/** Decodes a baseline, Huffman-coded, 3-component 4:4:4 JPEG whose blocks carry only DC coefficients. */
export function decodeJpeg(bytes: Buffer): DecodedImage {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw new Error('missing SOI');
  const quant = new Map<number, number>();
  const dcTables = new Map<number, Huffman>();
  const acTables = new Map<number, Huffman>();
  let frame: { width: number; height: number; components: { id: number; tq: number }[] } | undefined;
  let offset = 2;
  let levels: Int16Array | undefined;
  for (;;) {
    if (bytes[offset] !== 0xff) throw new Error(`expected a marker at ${offset}`);
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xd9) {
      if (offset + 2 !== bytes.length) throw new Error('data after EOI');
      break;
    }
    const length = bytes.readUInt16BE(offset + 2);
    const data = bytes.subarray(offset + 4, offset + 2 + length);
    if (marker === 0xdb) {
      for (let p = 0; p < data.length; p += 65) {
        if ((data[p] ?? 0) >> 4 !== 0) throw new Error('16-bit quantisation table');
        quant.set((data[p] ?? 0) & 15, data[p + 1] ?? 0); // only the DC entry matters here
      }
    } else if (marker === 0xc4) {
      let p = 0;
      while (p < data.length) {
        const tableClass = (data[p] ?? 0) >> 4;
        const id = (data[p] ?? 0) & 15;
        const counts = [...data.subarray(p + 1, p + 17)];
        const total = counts.reduce((s, n) => s + n, 0);
        const symbols = data.subarray(p + 17, p + 17 + total);
        const codes = new Map<string, number>();
        let code = 0;
        let k = 0;
        for (let len = 1; len <= 16; len++) {
          for (let n = 0; n < (counts[len - 1] ?? 0); n++) codes.set(`${len}:${code++}`, symbols[k++] ?? 0);
          code <<= 1;
        }
        (tableClass === 0 ? dcTables : acTables).set(id, { codes });
        p += 17 + total;
      }
    } else if (marker === 0xc0) {
      if (data[0] !== 8) throw new Error('not 8-bit precision');
      const components = [];
      for (let i = 0; i < (data[5] ?? 0); i++) {
        if (data[7 + i * 3] !== 0x11) throw new Error('only 1x1 sampling is supported');
        components.push({ id: data[6 + i * 3] ?? 0, tq: data[8 + i * 3] ?? 0 });
      }
      frame = { height: data.readUInt16BE(1), width: data.readUInt16BE(3), components };
    } else if (marker >= 0xc1 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new Error(`not baseline (SOF${marker - 0xc0})`);
    } else if (marker === 0xda) {
      if (frame === undefined) throw new Error('SOS before SOF0');
      const scan = [];
      for (let i = 0; i < (data[0] ?? 0); i++) {
        const tables = data[2 + i * 2] ?? 0;
        scan.push({ dc: dcTables.get(tables >> 4), ac: acTables.get(tables & 15) });
      }
      if (scan.length !== 3 || frame.components.length !== 3) throw new Error('expected 3 components');
      const decoded = decodeScan(bytes, offset + 2 + length, frame, scan, quant);
      levels = decoded.levels;
      offset = decoded.end;
      continue;
    }
    offset += 2 + length;
  }
  if (frame === undefined || levels === undefined) throw new Error('no frame or scan');
  const { width, height } = frame;
  const blocksWide = Math.ceil(width / 8);
  const values = levels;
  return {
    format: 'jpeg',
    width,
    height,
    hasAlpha: false,
    alpha: () => 255,
    rgb(x, y) {
      const block = (Math.floor(y / 8) * blocksWide + Math.floor(x / 8)) * 3;
      const [yy, cb, cr] = [values[block] ?? 0, (values[block + 1] ?? 0) - 128, (values[block + 2] ?? 0) - 128];
      const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
      return [clamp(yy + 1.402 * cr), clamp(yy - 0.344136 * cb - 0.714136 * cr), clamp(yy + 1.772 * cb)];
    },
  };
}

function decodeScan(
  bytes: Buffer,
  start: number,
  frame: { width: number; height: number; components: { tq: number }[] },
  scan: { dc: Huffman | undefined; ac: Huffman | undefined }[],
  quant: Map<number, number>,
): { levels: Int16Array; end: number } {
  let offset = start;
  let bitBuffer = 0;
  let bitCount = 0;
  const bit = (): number => {
    if (bitCount === 0) {
      const byte = bytes[offset++];
      if (byte === undefined) throw new Error('entropy data runs past the end');
      if (byte === 0xff) {
        if (bytes[offset] !== 0x00) throw new Error(`marker inside entropy data at ${offset}`);
        offset++;
      }
      bitBuffer = byte;
      bitCount = 8;
    }
    bitCount--;
    return (bitBuffer >> bitCount) & 1;
  };
  const receive = (size: number) => {
    let v = 0;
    for (let i = 0; i < size; i++) v = (v << 1) | bit();
    return v < 1 << (size - 1) ? v - (1 << size) + 1 : v;
  };
  const symbol = (table: Huffman | undefined): number => {
    if (table === undefined) throw new Error('missing Huffman table');
    let code = 0;
    for (let len = 1; len <= 16; len++) {
      code = (code << 1) | bit();
      const found = table.codes.get(`${len}:${code}`);
      if (found !== undefined) return found;
    }
    throw new Error('invalid Huffman code');
  };
  const blocks = Math.ceil(frame.width / 8) * Math.ceil(frame.height / 8);
  const levels = new Int16Array(blocks * 3);
  const predictors = [0, 0, 0];
  for (let b = 0; b < blocks; b++) {
    for (let c = 0; c < 3; c++) {
      const category = symbol(scan[c]?.dc);
      predictors[c] = (predictors[c] ?? 0) + (category === 0 ? 0 : receive(category));
      for (let k = 1; k < 64; ) {
        const rs = symbol(scan[c]?.ac);
        if (rs === 0) break; // end of block
        if ((rs & 15) !== 0) throw new Error('AC coefficients are not supported by this test decoder');
        k += 16; // ZRL
      }
      const q = quant.get(frame.components[c]?.tq ?? 0) ?? 1;
      levels[b * 3 + c] = Math.max(0, Math.min(255, Math.round(((predictors[c] ?? 0) * q) / 8) + 128));
    }
  }
  // Padding bits of the last byte must be 1s (T.81 F.1.2.3).
  while (bitCount > 0) if (bit() !== 1) throw new Error('padding bits are not 1s');
  return { levels, end: offset };
}
