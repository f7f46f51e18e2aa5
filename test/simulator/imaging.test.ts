import { describe, expect, it } from 'vitest';
import { encodeJpeg } from '../../src/simulator/imaging/jpeg.js';
import { drawPattern, type PatternParams } from '../../src/simulator/imaging/pattern.js';
import { encodePng } from '../../src/simulator/imaging/png.js';
import { probeImage } from '../../src/simulator/imaging/probe.js';
import { renderImage } from '../../src/simulator/imaging/render.js';
import { decodeJpeg, decodePng } from './image-decoders.js';

const params = (width: number, height: number, extra: Partial<PatternParams> = {}): PatternParams => ({
  prompt: 'a fox',
  seed: 1,
  index: 0,
  width,
  height,
  watermark: true,
  ...extra,
});

describe('image encoders', () => {
  it.each([
    [1, 1], [7, 9], [8, 8], [17, 33], [1000, 1003], [1312, 736],
  ])('encode %ix%i as PNG and JPEG files that decode to the drawn picture', (width, height) => {
    const pattern = drawPattern(params(width, height));
    const png = decodePng(encodePng(pattern, width, height));
    const jpeg = decodeJpeg(encodeJpeg(pattern, width, height));
    expect([png.width, png.height, jpeg.width, jpeg.height]).toEqual([width, height, width, height]);
    for (const [x, y] of [[0, 0], [width - 1, height - 1], [Math.floor(width / 2), Math.floor(height / 3)]] as const) {
      const index = pattern.blocks[Math.floor(y / 8) * pattern.blocksWide + Math.floor(x / 8)] ?? 0;
      const colour = [...pattern.palette.subarray(index * 3, index * 3 + 3)];
      expect(png.rgb(x, y)).toEqual(colour);
      jpeg.rgb(x, y).forEach((c, i) => expect(Math.abs(c - (colour[i] ?? 0))).toBeLessThanOrEqual(3));
    }
  });

  it('renders byte-identical files for identical parameters and different ones otherwise', () => {
    const a = renderImage({ ...params(640, 480), format: 'jpeg' });
    expect(renderImage({ ...params(640, 480), format: 'jpeg' }).bytes.equals(a.bytes)).toBe(true);
    expect(renderImage({ ...params(640, 480, { index: 1 }), format: 'jpeg' }).bytes.equals(a.bytes)).toBe(false);
    expect(renderImage({ ...params(640, 480), format: 'png' }).contentType).toBe('image/png');
  });

  it('renders the largest catalog size (6240x2656) as a valid JPEG and PNG', () => {
    const jpeg = renderImage({ ...params(6240, 2656), format: 'jpeg' });
    const png = renderImage({ ...params(6240, 2656), format: 'png' });
    expect(decodeJpeg(jpeg.bytes).width).toBe(6240);
    expect(decodePng(png.bytes).height).toBe(2656);
  });
});

describe('probing input images', () => {
  it('reads the format and size of PNG and JPEG files', () => {
    const pattern = drawPattern(params(40, 30));
    expect(probeImage(encodePng(pattern, 40, 30))).toEqual({ format: 'png', width: 40, height: 30 });
    expect(probeImage(encodeJpeg(pattern, 40, 30))).toEqual({ format: 'jpeg', width: 40, height: 30 });
  });

  it('reads GIF, BMP and WebP (VP8, VP8L) headers', () => {
    const gif = Buffer.concat([Buffer.from('GIF87a', 'latin1'), Buffer.from([20, 0, 10, 0]), Buffer.alloc(10)]);
    expect(probeImage(gif)).toEqual({ format: 'gif', width: 20, height: 10 });
    const bmp = Buffer.alloc(54);
    bmp.write('BM', 0, 'latin1');
    bmp.writeInt32LE(30, 18);
    bmp.writeInt32LE(20, 22);
    expect(probeImage(bmp)).toEqual({ format: 'bmp', width: 30, height: 20 });
    const vp8 = Buffer.alloc(30);
    vp8.write('RIFF', 0, 'latin1');
    vp8.write('WEBPVP8 ', 8, 'latin1');
    vp8.writeUInt16LE(320, 26);
    vp8.writeUInt16LE(240, 28);
    expect(probeImage(vp8)).toEqual({ format: 'webp', width: 320, height: 240 });
    const vp8l = Buffer.alloc(30);
    vp8l.write('RIFF', 0, 'latin1');
    vp8l.write('WEBPVP8L', 8, 'latin1');
    vp8l.writeUInt32LE((99 << 14) | 199, 21);
    expect(probeImage(vp8l)).toEqual({ format: 'webp', width: 200, height: 100 });
  });

  it('returns nothing for text, truncated headers and zero sizes', () => {
    expect(probeImage(Buffer.from('just some text here'))).toBeUndefined();
    expect(probeImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0, 0, 0, 0, 0, 0]))).toBeUndefined();
    const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.alloc(10)]);
    expect(probeImage(gif)).toBeUndefined();
  });
});
