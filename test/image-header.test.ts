import { describe, expect, it } from 'vitest';
import { readImageInfo } from '../src/image-header.js';
import { encodeJpeg } from '../src/simulator/imaging/jpeg.js';
import { drawPattern } from '../src/simulator/imaging/pattern.js';
import { encodePng } from '../src/simulator/imaging/png.js';

const pattern = drawPattern({ prompt: 'a fox', seed: 1, index: 0, width: 40, height: 30, watermark: false });

function tiff(little: boolean, width: number, height: number): Buffer {
  const b = Buffer.alloc(8 + 2 + 2 * 12 + 4);
  const u16 = (v: number, at: number) => (little ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  const u32 = (v: number, at: number) => (little ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  b.write(little ? 'II*\0' : 'MM\0*', 0, 'latin1');
  u32(8, 4);
  u16(2, 8);
  u16(256, 10); u16(3, 12); u32(1, 14); u16(width, 18); // ImageWidth, SHORT
  u16(257, 22); u16(4, 24); u32(1, 26); u32(height, 30); // ImageLength, LONG
  return b;
}

describe('readImageInfo (shared by the core and the simulator)', () => {
  it('reads the format and size of PNG and JPEG files', () => {
    expect(readImageInfo(encodePng(pattern, 40, 30))).toEqual({ format: 'png', width: 40, height: 30 });
    expect(readImageInfo(encodeJpeg(pattern, 40, 30))).toEqual({ format: 'jpeg', width: 40, height: 30 });
  });

  it('reads GIF, BMP, WebP (VP8, VP8L) and TIFF (both byte orders) headers', () => {
    const gif = Buffer.concat([Buffer.from('GIF87a', 'latin1'), Buffer.from([20, 0, 10, 0]), Buffer.alloc(10)]);
    expect(readImageInfo(gif)).toEqual({ format: 'gif', width: 20, height: 10 });
    const bmp = Buffer.alloc(54);
    bmp.write('BM', 0, 'latin1');
    bmp.writeInt32LE(30, 18);
    bmp.writeInt32LE(-20, 22); // top-down bitmaps store a negative height
    expect(readImageInfo(bmp)).toEqual({ format: 'bmp', width: 30, height: 20 });
    const vp8 = Buffer.alloc(30);
    vp8.write('RIFFxxxxWEBPVP8 ', 0, 'latin1');
    vp8.writeUInt16LE(320, 26);
    vp8.writeUInt16LE(240, 28);
    expect(readImageInfo(vp8)).toEqual({ format: 'webp', width: 320, height: 240 });
    const vp8l = Buffer.alloc(30);
    vp8l.write('RIFFxxxxWEBPVP8L', 0, 'latin1');
    vp8l.writeUInt32LE((99 << 14) | 199, 21);
    expect(readImageInfo(vp8l)).toEqual({ format: 'webp', width: 200, height: 100 });
    expect(readImageInfo(tiff(true, 640, 480))).toEqual({ format: 'tiff', width: 640, height: 480 });
    expect(readImageInfo(tiff(false, 64, 4800))).toEqual({ format: 'tiff', width: 64, height: 4800 });
  });

  it('recognises HEIC/HEIF by their brand (to refuse them clearly), without dimensions', () => {
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 24]), Buffer.from('ftypheic', 'latin1'), Buffer.alloc(12)]);
    expect(readImageInfo(heic)).toEqual({ format: 'heic' });
  });

  it('gives the format without dimensions for headers cut short, and nothing for non-images', () => {
    expect(readImageInfo(Buffer.from('just some text here'))).toBeUndefined();
    expect(readImageInfo(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0, 0, 0, 0, 0, 0]))).toEqual({ format: 'jpeg' });
    expect(readImageInfo(tiff(true, 640, 480).subarray(0, 12))).toEqual({ format: 'tiff' });
  });
});
