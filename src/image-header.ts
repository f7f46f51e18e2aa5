/**
 * Reads an image file's format and, where the header holds them, its pixel dimensions — from the first
 * bytes only, without decoding the image. Shared by the core's reference-image validation and the
 * simulator's (both check reference §1.4 against src/models/reference-image-rules.ts).
 */

/** Formats recognised from a file's signature. */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'bmp' | 'tiff' | 'gif' | 'heic' | 'heif';

export interface ImageInfo {
  readonly format: ImageFormat;
  /** Present when the header holds them within the bytes given. */
  readonly width?: number;
  readonly height?: number;
}

/** How many leading bytes to look at: enough for a JPEG whose frame header follows a large EXIF block. */
export const SIGNATURE_PREFIX_BYTES = 256 * 1024;

const ascii = (bytes: Uint8Array, start: number, length: number) =>
  String.fromCharCode(...bytes.subarray(start, start + length));

/** The format and dimensions of an image file, or undefined when the bytes are not a known format. */
export function readImageInfo(bytes: Uint8Array): ImageInfo | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const has = (n: number) => bytes.length >= n;
  if (has(24) && view.getUint32(0) === 0x89504e47 && view.getUint32(4) === 0x0d0a1a0a) {
    return { format: 'png', width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (has(3) && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return readJpeg(bytes, view);
  if (has(10) && (ascii(bytes, 0, 6) === 'GIF87a' || ascii(bytes, 0, 6) === 'GIF89a')) {
    return { format: 'gif', width: view.getUint16(6, true), height: view.getUint16(8, true) };
  }
  if (has(26) && ascii(bytes, 0, 2) === 'BM') {
    return { format: 'bmp', width: Math.abs(view.getInt32(18, true)), height: Math.abs(view.getInt32(22, true)) };
  }
  if (has(12) && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return readWebp(bytes, view);
  if (has(8) && (ascii(bytes, 0, 4) === 'II*\0' || ascii(bytes, 0, 4) === 'MM\0*')) return readTiff(bytes, view);
  if (has(12) && ascii(bytes, 4, 4) === 'ftyp') {
    const brand = ascii(bytes, 8, 4);
    if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis'].includes(brand)) return { format: 'heic' };
    if (['mif1', 'msf1', 'heif'].includes(brand)) return { format: 'heif' };
  }
  return undefined;
}

function readJpeg(bytes: Uint8Array, view: DataView): ImageInfo {
  let offset = 2;
  while (offset + 9 <= bytes.length) {
    if (bytes[offset] !== 0xff) return { format: 'jpeg' };
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    // Start-of-frame markers C0–CF carry the size, except C4 (DHT), C8 (JPG) and CC (DAC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { format: 'jpeg', height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
    }
    if (marker === 0xd9 || marker === 0xda) return { format: 'jpeg' }; // end of image / start of scan
    offset += 2 + view.getUint16(offset + 2);
  }
  return { format: 'jpeg' };
}

function readWebp(bytes: Uint8Array, view: DataView): ImageInfo {
  const chunk = ascii(bytes, 12, 4);
  if (chunk === 'VP8 ' && bytes.length >= 30) {
    return { format: 'webp', width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  if (chunk === 'VP8L' && bytes.length >= 25) {
    const bits = view.getUint32(21, true);
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X' && bytes.length >= 30) {
    const width = 1 + ((bytes[24] ?? 0) | ((bytes[25] ?? 0) << 8) | ((bytes[26] ?? 0) << 16));
    const height = 1 + ((bytes[27] ?? 0) | ((bytes[28] ?? 0) << 8) | ((bytes[29] ?? 0) << 16));
    return { format: 'webp', width, height };
  }
  return { format: 'webp' };
}

/** ImageWidth (tag 256) and ImageLength (257) from the first IFD, when it lies within the bytes given. */
function readTiff(bytes: Uint8Array, view: DataView): ImageInfo {
  const little = bytes[0] === 0x49;
  try {
    const ifd = view.getUint32(4, little);
    const entries = view.getUint16(ifd, little);
    let width: number | undefined;
    let height: number | undefined;
    for (let i = 0; i < entries; i++) {
      const at = ifd + 2 + i * 12;
      const tag = view.getUint16(at, little);
      if (tag !== 256 && tag !== 257) continue;
      // Type 3 is SHORT, otherwise LONG.
      const value = view.getUint16(at + 2, little) === 3 ? view.getUint16(at + 8, little) : view.getUint32(at + 8, little);
      if (tag === 256) width = value;
      else height = value;
    }
    return width !== undefined && height !== undefined ? { format: 'tiff', width, height } : { format: 'tiff' };
  } catch {
    return { format: 'tiff' }; // the IFD lies beyond the bytes given (a RangeError from DataView)
  }
}
