/**
 * An inline image's base64 text as the gateway holds it between the upstream and the edges: checked
 * once where it enters (garbage from an upstream is an UPSTREAM_BAD_RESPONSE, never bytes relayed to
 * callers), then written into JSON as it is (REST) or decoded once (gRPC, DESIGN §3, §8).
 *
 * It is held as its ASCII bytes, copied once out of the received chunks into a buffer of its own, off
 * V8's heap. Why (measured by bench/micro/relay-data-path.mjs: the benchmark's answers — four 415 KB
 * images — 8 calls at a time, in process):
 * - It used to be held as one-byte strings of 48 KB. Those live on the young generation for as long as
 *   the call holds the image (until the answer or frame is written), so every scavenge copied the
 *   images in flight, and again on promotion: GC was 1.0–1.2 ms per MB relayed, more than all the
 *   relay's own work, with scavenge pauses up to 40–90 ms under load (the large-image tail). A buffer
 *   is never copied by the GC: GC fell to 0.22 ms per MB and the data path from 2.0 to 1.25 ms per MB.
 *   In the whole gateway the gain is smaller (within the shared machine's noise): a buffer that
 *   outlives a scavenge is freed by a mark-compact, and V8 starts those by external memory, so it runs
 *   more of them (≈ 30 → 40 per b64 phase), each marking the gateway's whole heap.
 * - Node decodes base64 only from a string, with a native SIMD decoder; checking the alphabet with a
 *   JS loop over the bytes instead cost 2–3× as much as decoding. So checking and decoding go through
 *   transient 48 KB strings (below V8's 128 KiB large-object threshold), garbage at once.
 * - Holding views of the received socket chunks instead (no copy) kept every chunk's ArrayBuffer alive
 *   across async steps, and those chunks also hold the JSON around the images.
 *
 * Base64 here is RFC 4648 §4: the standard alphabet, `=` padding only at the end and then to a
 * multiple of four characters; unpadded text is accepted as long as it makes whole bytes.
 */

/** Checked base64 text, as its ASCII bytes in one buffer of their own (build it with `base64TextOf`).
 *  A class, so that a value JSON.parse produced can never be taken for one. */
export class Base64Text {
  /** @param bytes the text as ASCII bytes; the buffer is the text's alone and never written to
   *  @param decodedLength the number of bytes the text encodes */
  constructor(
    readonly bytes: Buffer,
    readonly decodedLength: number,
  ) {}
}

/** Characters decoded at a time: a multiple of 4, well below V8's large-object threshold (128 KiB),
 *  so each transient string is an ordinary young object that dies before the next scavenge. */
const WINDOW = 48 * 1024;
/** Where a window is decoded to count its bytes: large enough for any window. */
const scratch = Buffer.allocUnsafe((WINDOW / 4) * 3);
const EQUALS = 0x3d;
/** The URL-safe alphabet's `-` and `_`: Node decodes them too, the standard alphabet has neither. */
const DASH = 0x2d;
const UNDERSCORE = 0x5f;

/**
 * `text` — base64 as ASCII bytes, in pieces split anywhere — as Base64Text, or undefined when it is
 * not non-empty, well-formed base64. The pieces are copied once into a buffer of their own (a memcpy;
 * the received chunks are then free to die young). The check: Node's decoder skips characters outside
 * its alphabets and stops at a `=` inside the text, so text with any such character decodes to fewer
 * bytes than its length promises (for lengths that are not 1 mod 4, refused first); the URL-safe
 * alphabet is refused by looking for its two characters. test/base64.test.ts holds this against every
 * byte value.
 */
export function base64TextOf(text: readonly Uint8Array[]): Base64Text | undefined {
  let length = 0;
  for (const piece of text) length += piece.byteLength;
  if (length === 0) return undefined;
  const bytes = Buffer.allocUnsafe(length);
  let at = 0;
  for (const piece of text) at += (Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength)).copy(bytes, at);
  return checked(bytes);
}

/** The same for a string (the slow path: base64 JSON.parse had to unescape, or a relay's data URI). */
export function base64TextOfString(text: string): Base64Text | undefined {
  return /[^\x00-\xff]/.test(text) || text.length === 0 ? undefined : checked(Buffer.from(text, 'latin1'));
}

/** `bytes` (the text's own buffer) as Base64Text, or undefined when it is not base64 (above). */
function checked(bytes: Buffer): Base64Text | undefined {
  const unpadded = unpaddedLength(bytes);
  if (unpadded === -1 || bytes.includes(DASH) || bytes.includes(UNDERSCORE)) return undefined;
  // Windows of whole quanta, decoded on their own: Node decodes base64 only from a string, with a
  // native SIMD decoder; each window's string is garbage at once, so no scavenge ever copies it.
  let decoded = 0;
  for (let from = 0; from < bytes.length; from += WINDOW) {
    decoded += scratch.write(bytes.toString('latin1', from, Math.min(from + WINDOW, bytes.length)), 0, 'base64');
  }
  const decodedLength = Math.floor((unpadded * 3) / 4);
  return decoded === decodedLength ? new Base64Text(bytes, decodedLength) : undefined;
}

/** The bytes `text` encodes. */
export function decodeBase64(text: Base64Text): Buffer {
  const out = Buffer.allocUnsafe(text.decodedLength);
  const written = decodeBase64Into(text, out, 0);
  // Checked text fills `out` exactly; should it not, no uninitialised memory leaves here.
  return written === out.length ? out : out.subarray(0, written);
}

/** Decodes `text` into `out` at `offset` (room for `decodedLength` bytes); returns the bytes written. */
export function decodeBase64Into(text: Base64Text, out: Buffer, offset: number): number {
  const { bytes } = text;
  let at = offset;
  for (let from = 0; from < bytes.length; from += WINDOW) {
    at += out.write(bytes.toString('latin1', from, Math.min(from + WINDOW, bytes.length)), at, 'base64');
  }
  return at - offset;
}

/** The text's length in characters (= bytes as ASCII). */
export function base64TextLength(text: Base64Text): number {
  return text.bytes.length;
}

/** The text as a string (tests, diagnostics: the relay itself never makes one). */
export function base64TextString(text: Base64Text): string {
  return text.bytes.toString('latin1');
}

/** The length without `=` padding, or -1 when the length or padding cannot be base64. */
function unpaddedLength(bytes: Buffer): number {
  const length = bytes.length;
  if (length === 0) return -1;
  let end = length;
  if (bytes[end - 1] === EQUALS) {
    end--;
    if (bytes[end - 1] === EQUALS) end--;
    // Padding fills the last quantum to four characters.
    return length % 4 === 0 ? end : -1;
  }
  // One character left over carries 6 bits: not a whole byte.
  return end % 4 === 1 ? -1 : end;
}
