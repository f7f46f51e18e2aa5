/**
 * An inline image's base64 text as the gateway holds it between the upstream and the edges: checked
 * once where it enters (garbage from an upstream is an UPSTREAM_BAD_RESPONSE, never bytes relayed to
 * callers), then written into JSON as it is (REST) or decoded once (gRPC, DESIGN §3, §8).
 *
 * It is held as one-byte (latin1) strings of at most 48 KB, each a whole number of base64 quanta, so
 * each decodes on its own. Why strings, and why short ones (measured with the benchmark's 415 KB images):
 * - Node decodes base64 only from a string, with a native SIMD decoder; checking the alphabet with a
 *   JS loop over the bytes instead cost 2–3× as much as decoding into a scratch buffer.
 * - A string of a whole image lands in V8's large-object space (mapped and unmapped per string),
 *   which costs more than the decoding. 48 KB strings are ordinary young objects: one copy to make.
 * - Holding the received socket chunks instead (views, no copy) kept those ArrayBuffers alive across
 *   async steps; V8 counts ArrayBuffer memory allocated since its last full GC against the heap limit,
 *   and ran 40–75 full GCs per 10 s of load instead of ~10, doubling the CPU per MB. Copied out right
 *   away, the chunks die young and scavenges free them.
 *
 * Base64 here is RFC 4648 §4: the standard alphabet, `=` padding only at the end and then to a
 * multiple of four characters; unpadded text is accepted as long as it makes whole bytes.
 */

/** Checked base64 text in segments (build it with `base64TextOf`). A class, so that a value JSON.parse
 *  produced can never be taken for one. */
export class Base64Text {
  /** @param segments latin1 strings, each a whole number of quanta except possibly the last
   *  @param decodedLength the number of bytes the text encodes */
  constructor(
    readonly segments: readonly string[],
    readonly decodedLength: number,
  ) {}
}

/** Characters per segment: a multiple of 4, well below V8's large-object threshold (128 KiB). */
const SEGMENT = 48 * 1024;
/** Where a segment is decoded to count its bytes: large enough for any segment. */
const scratch = Buffer.allocUnsafe((SEGMENT / 4) * 3);
const EQUALS = 0x3d;
/** The URL-safe alphabet's `-` and `_`: Node decodes them too, the standard alphabet has neither. */
const DASH = 0x2d;
const UNDERSCORE = 0x5f;

/**
 * `text` — base64 as ASCII bytes, in pieces split anywhere — as Base64Text, or undefined when it is
 * not non-empty, well-formed base64. The check: Node's decoder skips characters outside its alphabets
 * and stops at a `=` inside the text, so text with any such character decodes to fewer bytes than its
 * length promises (for lengths that are not 1 mod 4, refused first); the URL-safe alphabet is refused
 * by looking for its two characters. test/base64.test.ts holds this against every byte value.
 */
export function base64TextOf(text: readonly Uint8Array[]): Base64Text | undefined {
  const pieces = text.map((piece) => (Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength)));
  const unpadded = unpaddedLength(pieces);
  if (unpadded === -1 || pieces.some((piece) => piece.includes(DASH) || piece.includes(UNDERSCORE))) return undefined;
  const segments = segmentsOf(pieces);
  let decoded = 0;
  for (const segment of segments) decoded += scratch.write(segment, 0, 'base64');
  const decodedLength = Math.floor((unpadded * 3) / 4);
  return decoded === decodedLength ? new Base64Text(segments, decodedLength) : undefined;
}

/** The same for a string (the slow path: base64 JSON.parse had to unescape, or a relay's data URI). */
export function base64TextOfString(text: string): Base64Text | undefined {
  return /[^\x00-\xff]/.test(text) ? undefined : base64TextOf([Buffer.from(text, 'latin1')]);
}

/** The bytes `text` encodes. */
export function decodeBase64(text: Base64Text): Buffer {
  const out = Buffer.allocUnsafe(text.decodedLength);
  const written = decodeBase64Into(text, out, 0);
  // Checked text fills `out` exactly; should it not, no uninitialised memory leaves here.
  return written === out.length ? out : out.subarray(0, written);
}

/** Decodes `text` into `target[offset, offset + decodedLength)`, never past it, so a caller can decode
 *  straight into a larger message; returns the bytes written (`decodedLength` for checked text). */
export function decodeBase64Into(text: Base64Text, target: Buffer, offset: number): number {
  let written = 0;
  for (const segment of text.segments) written += target.write(segment, offset + written, text.decodedLength - written, 'base64');
  return written;
}

/** The text's length in characters (= bytes as ASCII). */
export function base64TextLength(text: Base64Text): number {
  let length = 0;
  for (const segment of text.segments) length += segment.length;
  return length;
}

/** The pieces as latin1 strings of whole quanta (the last may be shorter): a quantum split between
 *  two pieces is joined into a 4-character string. */
function segmentsOf(pieces: readonly Buffer[]): string[] {
  const segments: string[] = [];
  let carry = ''; // the start of a quantum the previous piece ended with (0–3 characters)
  for (const piece of pieces) {
    let at = 0;
    if (carry !== '') {
      at = Math.min(4 - carry.length, piece.length);
      carry += piece.toString('latin1', 0, at);
      if (carry.length < 4) continue;
      segments.push(carry);
    }
    const whole = at + ((piece.length - at) & ~3);
    for (let from = at; from < whole; from += SEGMENT) segments.push(piece.toString('latin1', from, Math.min(from + SEGMENT, whole)));
    carry = piece.toString('latin1', whole);
  }
  if (carry !== '') segments.push(carry); // an unpadded end: 2 or 3 characters
  return segments;
}

/** The length without `=` padding, or -1 when the length or padding cannot be base64. */
function unpaddedLength(pieces: readonly Buffer[]): number {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  if (length === 0) return -1;
  let end = length;
  if (byteAt(pieces, end - 1) === EQUALS) {
    end--;
    if (byteAt(pieces, end - 1) === EQUALS) end--;
    // Padding fills the last quantum to four characters.
    return length % 4 === 0 ? end : -1;
  }
  // One character left over carries 6 bits: not a whole byte.
  return end % 4 === 1 ? -1 : end;
}

function byteAt(pieces: readonly Buffer[], pos: number): number | undefined {
  let start = 0;
  for (const piece of pieces) {
    if (pos < start + piece.length) return piece[pos - start];
    start += piece.length;
  }
  return undefined;
}
