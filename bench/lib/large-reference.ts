/**
 * A valid PNG of a chosen size for upload benchmarks: a small picture from the simulator's own encoder
 * with one ancillary chunk of random bytes added after its header. Decoders skip ancillary chunks (a
 * lower-case first letter), so the gateway and the simulator accept it as the 64×64 picture it is, while
 * the wire carries `bytes` of data no transport can compress.
 */
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { drawPattern } from '../../src/simulator/imaging/pattern.js';
import { encodePng } from '../../src/simulator/imaging/png.js';

/** PNG signature (8 bytes) + the IHDR chunk (4 length + 4 type + 13 data + 4 CRC). */
const HEADER_BYTES = 8 + 25;

export function paddedPng(bytes: number): Buffer {
  const size = 64;
  const picture = encodePng(drawPattern({ prompt: 'reference', seed: 1, index: 0, width: size, height: size, watermark: false }), size, size);
  const padding = Math.max(0, bytes - picture.length - 12);
  const typeAndData = Buffer.concat([Buffer.from('pdNg', 'latin1'), randomBytes(padding)]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(padding);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([picture.subarray(0, HEADER_BYTES), length, typeAndData, crc, picture.subarray(HEADER_BYTES)]);
}
