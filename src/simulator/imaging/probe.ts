/**
 * Reads the format and pixel size of an input image from its header, without decoding it, for the
 * reference-image rules of reference §1.4 (formats, pixel count, side length, aspect ratio). Knows the
 * formats the upstream accepts: jpeg, png, webp, bmp, tiff, gif.
 */

/** Input image formats as named in data URIs (`data:image/<format>;base64,…`). */
export type InputImageFormat = 'jpeg' | 'png' | 'webp' | 'bmp' | 'tiff' | 'gif';

/** What an image header says. */
export interface ImageInfo {
  readonly format: InputImageFormat;
  readonly width: number;
  readonly height: number;
}

/** The format and size of an image, or undefined when the bytes are not a recognisable image. */
export function probeImage(bytes: Buffer): ImageInfo | undefined {
  if (bytes.length < 12) return undefined;
  try {
    if (bytes.readUInt32BE(0) === 0x89504e47 && bytes.toString('latin1', 12, 16) === 'IHDR') {
      return sized('png', bytes.readUInt32BE(16), bytes.readUInt32BE(20));
    }
    if (bytes[0] === 0xff && bytes[1] === 0xd8) return probeJpeg(bytes);
    const magic6 = bytes.toString('latin1', 0, 6);
    if (magic6 === 'GIF87a' || magic6 === 'GIF89a') return sized('gif', bytes.readUInt16LE(6), bytes.readUInt16LE(8));
    if (magic6.startsWith('BM')) return sized('bmp', Math.abs(bytes.readInt32LE(18)), Math.abs(bytes.readInt32LE(22)));
    if (magic6.startsWith('RIFF') && bytes.toString('latin1', 8, 12) === 'WEBP') return probeWebp(bytes);
    if (magic6.startsWith('II*\u0000') || magic6.startsWith('MM\u0000*')) return probeTiff(bytes);
  } catch {
    // A header cut short (RangeError from a read past the end): not a usable image.
  }
  return undefined;
}

function sized(format: InputImageFormat, width: number, height: number): ImageInfo | undefined {
  return width > 0 && height > 0 ? { format, width, height } : undefined;
}

/** Walks the marker segments to the first start-of-frame (any SOFn but DHT, JPG and DAC). */
function probeJpeg(bytes: Buffer): ImageInfo | undefined {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return sized('jpeg', bytes.readUInt16BE(offset + 7), bytes.readUInt16BE(offset + 5));
    }
    offset += 2 + bytes.readUInt16BE(offset + 2);
  }
  return undefined;
}

function probeWebp(bytes: Buffer): ImageInfo | undefined {
  const chunk = bytes.toString('latin1', 12, 16);
  if (chunk === 'VP8 ') return sized('webp', bytes.readUInt16LE(26) & 0x3fff, bytes.readUInt16LE(28) & 0x3fff);
  if (chunk === 'VP8L') {
    const bits = bytes.readUInt32LE(21);
    return sized('webp', (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1);
  }
  if (chunk === 'VP8X') return sized('webp', bytes.readUIntLE(24, 3) + 1, bytes.readUIntLE(27, 3) + 1);
  return undefined;
}

/** Reads ImageWidth (256) and ImageLength (257) from the first IFD. */
function probeTiff(bytes: Buffer): ImageInfo | undefined {
  const little = bytes[0] === 0x49;
  const u16 = (at: number) => (little ? bytes.readUInt16LE(at) : bytes.readUInt16BE(at));
  const u32 = (at: number) => (little ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at));
  const ifd = u32(4);
  const entries = u16(ifd);
  let width = 0;
  let height = 0;
  for (let i = 0; i < entries; i++) {
    const at = ifd + 2 + i * 12;
    const tag = u16(at);
    if (tag !== 256 && tag !== 257) continue;
    const value = u16(at + 2) === 3 ? u16(at + 8) : u32(at + 8); // SHORT or LONG
    if (tag === 256) width = value;
    else height = value;
  }
  return sized('tiff', width, height);
}
