import { describe, expect, it } from 'vitest';
import { Base64Text, base64TextLength, base64TextOf, base64TextOfString, decodeBase64 } from '../src/base64.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The text split into pieces of the given sizes (the rest in one last piece). */
function split(text: string, sizes: readonly number[]): Buffer[] {
  const bytes = Buffer.from(text, 'latin1');
  const pieces: Buffer[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= bytes.length) break;
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  if (at < bytes.length) pieces.push(bytes.subarray(at));
  return pieces;
}

function randomBytes(length: number, seed: number): Buffer {
  let state = seed;
  return Buffer.from(Array.from({ length }, () => (state = (state * 1103515245 + 12345) & 0x7fffffff) >>> 16));
}

describe('base64TextOf', () => {
  it.each([
    ['padded with two', 'QQ=='],
    ['padded with one', 'QUI='],
    ['unpadded, 2 left', 'QQ'],
    ['unpadded, 3 left', 'QUI'],
    ['every alphabet character', `${ALPHABET}${ALPHABET.slice(0, 4)}`],
  ])('accepts %s', (_label, text) => {
    const checked = base64TextOf([Buffer.from(text, 'latin1')]);
    expect(checked).toBeInstanceOf(Base64Text);
    expect(checked?.segments.join('')).toBe(text);
    expect(checked?.decodedLength).toBe(Buffer.from(text, 'base64').length);
  });

  it.each([
    ['empty', ''],
    ['one character too many', 'QUJDQ'],
    ['padding to a wrong length', 'QQ='],
    ['three padding characters', 'Q==='],
    ['only padding', '===='],
    ['padding inside', 'QQ==QUJD'],
    ['padding before the last quantum ends', 'QU=D'],
    ['URL-safe minus', 'QU-D'],
    ['URL-safe underscore', 'QU_D'],
    ['a space', 'QUJD QUJD'],
    ['a newline at the end', 'QUJDQUI\n'],
    ['a data-URI prefix', 'data:image/png;base64,QUJD'],
  ])('refuses %s', (_label, text) => {
    expect(base64TextOf([Buffer.from(text, 'latin1')])).toBeUndefined();
  });

  it('refuses every byte outside the alphabet, wherever it stands', () => {
    const valid = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=';
    for (let byte = 0; byte < 256; byte++) {
      if (ALPHABET.includes(String.fromCharCode(byte))) continue;
      for (const at of [0, 1, 2, 3, 17, valid.length - 2, valid.length - 1]) {
        const bad = Buffer.from(valid, 'latin1');
        bad[at] = byte;
        // `=` in either of the last two places is padding: the text stays base64.
        if (byte !== 0x3d || at < valid.length - 2) expect(base64TextOf([bad]), `byte ${byte} at ${at}`).toBeUndefined();
        const inserted = Buffer.concat([bad.subarray(0, at), Buffer.from([byte]), Buffer.from(valid, 'latin1').subarray(at)]);
        expect(base64TextOf([inserted]), `byte ${byte} inserted at ${at}`).toBeUndefined();
      }
    }
  });

  it('reads the text split anywhere, down to one byte per piece', () => {
    const bytes = randomBytes(1000, 7);
    const text = bytes.toString('base64');
    for (const sizes of [[1], [1, 1, 1, 1, 1, 1, 1], [2, 3, 5, 7, 11], [999], [4, 4, 4], [1333]]) {
      const pieces = split(text, sizes.length === 1 && sizes[0] === 1 ? Array(text.length).fill(1) : sizes);
      const checked = base64TextOf(pieces);
      expect(checked?.segments.join('')).toBe(text);
      expect(checked !== undefined && decodeBase64(checked).equals(bytes)).toBe(true);
    }
  });

  it('refuses padding that sits in an earlier piece than the end', () => {
    expect(base64TextOf(split('QQ==QUJD', [4]))).toBeUndefined();
    expect(base64TextOf(split('QUI=', [3]))).toBeInstanceOf(Base64Text); // split just before the padding
  });

  it('keeps segments short and whole, so each decodes on its own', () => {
    const bytes = randomBytes(300_000, 3);
    const text = bytes.toString('base64');
    const checked = base64TextOf(split(text, [65_537, 3, 30_001]));
    expect(checked).toBeDefined();
    const segments = checked?.segments ?? [];
    expect(Math.max(...segments.map((s) => s.length))).toBeLessThanOrEqual(48 * 1024);
    for (const segment of segments.slice(0, -1)) expect(segment.length % 4).toBe(0);
    expect(Buffer.concat(segments.map((s) => Buffer.from(s, 'base64'))).equals(bytes)).toBe(true);
    expect(base64TextLength(checked ?? new Base64Text([], 0))).toBe(text.length);
  });
});

describe('base64TextOfString', () => {
  it('refuses characters past U+00FF, even those whose low byte is in the alphabet', () => {
    expect(base64TextOfString('QUJD')).toBeInstanceOf(Base64Text);
    expect(base64TextOfString('QUJ\u0144')).toBeUndefined(); // U+0144 & 0xff = 'D'
  });
});

describe('decodeBase64', () => {
  it.each([1, 2, 3, 4, 100, 36_864, 36_865, 200_001])('gives the bytes Buffer.from(…, "base64") gives, for %i bytes', (length) => {
    const bytes = randomBytes(length, length + 1);
    const text = bytes.toString('base64');
    for (const unpadded of [text, text.replace(/=+$/, '')]) {
      const checked = base64TextOf(split(unpadded, [5, 49_999, 7]));
      expect(checked !== undefined && decodeBase64(checked).equals(bytes)).toBe(true);
    }
  });
});
