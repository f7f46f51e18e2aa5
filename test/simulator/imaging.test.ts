import { describe, expect, it } from 'vitest';
import { encodeJpeg } from '../../src/simulator/imaging/jpeg.js';
import { drawPattern, type PatternParams } from '../../src/simulator/imaging/pattern.js';
import { encodePng } from '../../src/simulator/imaging/png.js';
import { renderImage } from '../../src/simulator/imaging/render.js';
import { decodeJpeg, decodePng } from '../helpers/image-decoders.js';

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

