import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { referenceImageDataUri, startSimulator, type TestSimulator } from '../helpers/simulator.js';
import { expectArkError, generate } from './support.js';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

const withImages = (image: unknown, model = 'doubao-seedream-4-5-251128') => ({ model, prompt: 'a fox', size: '2K', image });
const uri = (format: string, bytes: Buffer) => `data:image/${format};base64,${bytes.toString('base64')}`;

/** Just enough of a PNG for its header to name a size (the simulator reads headers, never pixels). */
function pngHeader(width: number, height: number, padTo = 0): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write('IHDR', 4, 'latin1');
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.set([8, 2, 0, 0, 0], 16);
  ihdr.writeUInt32BE(crc32(ihdr.subarray(4, 21)), 21);
  const head = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr]);
  return padTo > head.length ? Buffer.concat([head, Buffer.alloc(padTo - head.length)]) : head;
}

const headers = {
  gif: () => Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([64, 0, 48, 0]), Buffer.alloc(20)]),
  bmp: () => {
    const b = Buffer.alloc(54);
    b.write('BM', 0, 'latin1');
    b.writeInt32LE(64, 18);
    b.writeInt32LE(-48, 22); // top-down bitmaps store a negative height
    return b;
  },
  webp: () => {
    const b = Buffer.alloc(30);
    b.write('RIFF', 0, 'latin1');
    b.write('WEBPVP8X', 8, 'latin1');
    b.writeUIntLE(63, 24, 3);
    b.writeUIntLE(47, 27, 3);
    return b;
  },
  tiff: () => {
    const b = Buffer.alloc(40);
    b.write('II*\u0000', 0, 'latin1');
    b.writeUInt32LE(8, 4);
    b.writeUInt16LE(2, 8);
    b.writeUInt16LE(256, 10);
    b.writeUInt16LE(3, 12);
    b.writeUInt16LE(64, 18);
    b.writeUInt16LE(257, 22);
    b.writeUInt16LE(4, 24);
    b.writeUInt32LE(48, 30);
    return b;
  },
};

describe('reference image formats (reference §1.4)', () => {
  it.each([
    ['a PNG data URI', referenceImageDataUri({ format: 'png' })],
    ['a JPEG data URI', referenceImageDataUri({ format: 'jpeg' })],
    ['a GIF data URI', uri('gif', headers.gif())],
    ['a BMP data URI', uri('bmp', headers.bmp())],
    ['a WebP data URI', uri('webp', headers.webp())],
    ['a TIFF data URI', uri('tiff', headers.tiff())],
    ['an https URL (never fetched)', 'https://images.example.com/ref.png?sig=1'],
    ['an http URL', 'http://127.0.0.1:9/unreachable.jpg'],
    ['a 15×15 image (sides must exceed 14 px)', referenceImageDataUri({ width: 15, height: 15 })],
    ['a 256×16 image (aspect 16:1)', referenceImageDataUri({ width: 256, height: 16 })],
    ['a 6000×6000 image (36,000,000 pixels)', uri('png', pngHeader(6000, 6000))],
  ])('accepts %s', async (_name, image) => {
    const answer = await generate(sim, withImages(image));
    expect(answer.status, JSON.stringify(answer.body.error)).toBe(200);
  });

  it.each([
    ['an empty string', '', 'InvalidImageURL.EmptyURL'],
    ['an upper-case MIME type', referenceImageDataUri().replace('image/png', 'image/PNG'), 'InvalidImageURL.InvalidFormat'],
    ['heic (⚠ only in the newer docs)', uri('heic', pngHeader(64, 64)), 'InvalidImageURL.InvalidFormat'],
    ['svg', uri('svg+xml', Buffer.from('<svg/>')), 'InvalidImageURL.InvalidFormat'],
    ['invalid base64', 'data:image/png;base64,iVBOR@@@', 'InvalidImageURL.InvalidFormat'],
    ['base64 of the wrong length', 'data:image/png;base64,iVBORw0KGgo', 'InvalidImageURL.InvalidFormat'],
    ['a data URI without ;base64', 'data:image/png,iVBORw0KGgo=', 'InvalidImageURL.InvalidFormat'],
    ['bytes that are not an image', uri('png', Buffer.from('hello, this is not a picture at all')), 'InvalidImageURL.InvalidFormat'],
    ['PNG bytes labelled as JPEG', referenceImageDataUri().replace('image/png', 'image/jpeg'), 'InvalidImageURL.InvalidFormat'],
    ['an ftp URL', 'ftp://example.com/ref.png', 'InvalidImageURL.InvalidFormat'],
    ['text that is no URL', 'my picture.png', 'InvalidImageURL.InvalidFormat'],
    ['a 14-pixel side', referenceImageDataUri({ width: 14, height: 64 }), 'InvalidParameter'],
    ['more than 36,000,000 pixels', uri('png', pngHeader(6001, 6000)), 'InvalidParameter'],
    ['an aspect ratio beyond 16:1', referenceImageDataUri({ width: 272, height: 16 }), 'InvalidParameter'],
    ['an aspect ratio beyond 1:16', referenceImageDataUri({ width: 16, height: 272 }), 'InvalidParameter'],
    ['a number', 42, 'InvalidParameter'],
  ])('refuses %s', async (_name, image, code) => {
    const answer = await generate(sim, withImages(image));
    expectArkError(answer, 400, code, 'image');
  });

  it('names the failing image by its position', async () => {
    const answer = await generate(sim, withImages(['https://example.com/a.png', '']));
    expect(answer.body.error?.message).toMatch(/^Image 1 failed: /);
  });
});

describe('decoded size limit (reference §1.4: 10 MB)', () => {
  it('accepts an image of exactly 10,000,000 bytes and refuses one byte more', async () => {
    const ok = await generate(sim, withImages(uri('png', pngHeader(64, 64, 10_000_000))));
    expect(ok.status).toBe(200);
    const tooBig = await generate(sim, withImages(uri('png', pngHeader(64, 64, 10_000_001))));
    expectArkError(tooBig, 400, 'InvalidParameter', 'image');
    expect(tooBig.body.error?.message).toContain('maximum allowed size of 10000000 bytes');
  });

  it('follows the maxReferenceImageBytes option', async () => {
    const image = referenceImageDataUri();
    const bytes = Buffer.from(image.split(',')[1] ?? '', 'base64').length;
    const exact = await startSimulator({ maxReferenceImageBytes: bytes });
    const smaller = await startSimulator({ maxReferenceImageBytes: bytes - 1 });
    try {
      expect((await generate(exact, withImages(image))).status).toBe(200);
      expectArkError(await generate(smaller, withImages(image)), 400, 'InvalidParameter', 'image');
    } finally {
      await Promise.all([exact.close(), smaller.close()]);
    }
  });
});

describe('reference image count per model (reference §1.2, §1.4)', () => {
  const urls = (n: number) => Array.from({ length: n }, (_, i) => `https://example.com/ref-${i}.png`);
  it.each([
    ['doubao-seedream-4-0-250828', '2K', 14, true],
    ['doubao-seedream-4-0-250828', '2K', 15, false],
    ['doubao-seedream-4-5-251128', '2K', 14, true],
    ['doubao-seedream-4-5-251128', '2K', 15, false],
    ['doubao-seedream-5-0-260128', '2K', 14, true],
    ['doubao-seedream-5-0-260128', '2K', 15, false],
    ['doubao-seedream-5-0-pro-260628', '2K', 10, true],
    ['doubao-seedream-5-0-pro-260628', '2K', 11, false],
    ['doubao-seedream-5-0-flash-260915', '2K', 10, true],
    ['doubao-seedream-5-0-flash-260915', '2K', 11, false],
    ['doubao-seedream-3-0-t2i-250415', '1024x1024', 1, false],
  ] as const)('%s with %i references: accepted=%s', async (model, size, count, accepted) => {
    const answer = await generate(sim, { model, prompt: 'a fox', size, image: urls(count) });
    if (accepted) {
      expect(answer.status).toBe(200);
      return;
    }
    expectArkError(answer, 400, 'InvalidParameter', 'image');
  });

  it('accepts a single reference given as a string rather than an array', async () => {
    expect((await generate(sim, withImages('https://example.com/a.png'))).status).toBe(200);
  });
});
