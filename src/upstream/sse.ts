/**
 * An incremental Server-Sent Events parser (WHATWG HTML §9.2.6 "Interpreting an event stream"),
 * vendor-neutral. It works on bytes, so a chunk may split anywhere — inside a multi-byte UTF-8
 * character or between `\r` and `\n`. A line is kept as the list of chunk views it arrived in, so a
 * 20 MB `data:` line arriving in 16 KB chunks is scanned once and never copied (linear, no re-scanning).
 * A frame's data stays bytes in those pieces: the decoder, which knows what the data holds, decodes
 * what it needs — an image's base64 is neither joined into one buffer nor decoded as UTF-8 (DESIGN §8).
 */
import { DEFAULT_MAX_SSE_FRAME_BYTES } from './answer-size.js';
import { byteAt, byteChain, chainText, indexOfByte, slicePieces, type ByteChain } from './byte-chain.js';

/** One dispatched event. */
export interface SseFrame {
  /** The `event:` field; undefined when the frame had none (the spec's default type "message"). */
  readonly event: string | undefined;
  /** The `data:` lines joined with `\n`, as the UTF-8 bytes they arrived in: views of the received
   *  chunks, never copied (byte-chain.ts). */
  readonly data: ByteChain;
  /** The last `id:` seen on the stream so far, if any. */
  readonly id: string | undefined;
}

/** Parser settings. */
export interface SseParserOptions {
  /** Largest frame (bytes of its lines, including field names) accepted; protects memory. Default
   *  DEFAULT_MAX_SSE_FRAME_BYTES (answer-size.ts). */
  readonly maxFrameBytes?: number;
}

/** Thrown when one frame exceeds `maxFrameBytes`. */
export class SseFrameTooLargeError extends Error {
  override readonly name = 'SseFrameTooLargeError';
  constructor(readonly limit: number) {
    super(`server-sent event larger than ${limit} bytes`);
  }
}

/** Parser state machine: `push` each chunk, then `end` once the stream is over. */
export interface SseParser {
  /** Frames completed by this chunk, in order. The parser keeps views of an unfinished line's bytes
   *  rather than copies, so a chunk must not be reused after it was pushed (Node streams never do). */
  push(chunk: Uint8Array): SseFrame[];
  /** Flushes a last line and a frame not followed by a blank line (tolerated at end of stream). */
  end(): SseFrame[];
}

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const NEWLINE = Buffer.from('\n');
/** The longest field name the parser acts on (`event`; `retry` is ignored). */
const MAX_FIELD_NAME = 5;

/** Creates an incremental SSE parser. */
export function createSseParser(options: SseParserOptions = {}): SseParser {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_SSE_FRAME_BYTES;
  let partial: Buffer[] = []; // pieces of the current, unfinished line
  let frameBytes = 0; // bytes of the current frame so far, partial line included
  let skipLf = false; // the previous chunk ended in `\r`: a leading `\n` belongs to it
  let firstLine = true; // a UTF-8 BOM is dropped from the stream's first line (spec)
  let dataLines: Buffer[][] = []; // pieces of each `data:` value
  let event: string | undefined;
  let lastId: string | undefined;

  function account(bytes: number): void {
    frameBytes += bytes;
    if (frameBytes > maxFrameBytes) throw new SseFrameTooLargeError(maxFrameBytes);
  }

  function dispatch(out: SseFrame[]): void {
    // Spec: a frame with no data is not dispatched; either way the buffers reset.
    if (dataLines.length > 0) {
      out.push({ event, data: byteChain(joinLines(dataLines)), id: lastId });
    }
    dataLines = [];
    event = undefined;
    frameBytes = 0;
  }

  function line(raw: ByteChain, out: SseFrame[]): void {
    let from = 0;
    if (firstLine) {
      firstLine = false;
      if (byteAt(raw, 0) === 0xef && byteAt(raw, 1) === 0xbb && byteAt(raw, 2) === 0xbf) from = 3;
    }
    if (raw.length === from) return dispatch(out);
    if (byteAt(raw, from) === COLON) return; // comment line
    const colon = indexOfByte(raw, COLON, from);
    const nameEnd = colon === -1 ? raw.length : colon;
    if (nameEnd - from > MAX_FIELD_NAME) return; // an unknown field, ignored as the spec says
    let valueStart = colon === -1 ? raw.length : colon + 1;
    if (byteAt(raw, valueStart) === SPACE) valueStart++; // one leading space after the colon is dropped
    switch (chainText(raw, from, nameEnd, 'latin1')) {
      case 'data':
        dataLines.push(slicePieces(raw, valueStart, raw.length));
        return;
      case 'event':
        event = chainText(raw, valueStart, raw.length);
        return;
      case 'id': {
        const id = chainText(raw, valueStart, raw.length);
        if (!id.includes('\0')) lastId = id;
        return;
      }
      default:
        return; // `retry:` (we never reconnect) and unknown fields are ignored, as the spec says
    }
  }

  function completeLine(tail: Buffer, out: SseFrame[]): void {
    if (partial.length === 0) return line(byteChain([tail]), out);
    partial.push(tail);
    const pieces = partial;
    partial = [];
    line(byteChain(pieces), out);
  }

  return {
    push(chunk) {
      const out: SseFrame[] = [];
      const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      let pos = 0;
      if (skipLf && buf.length > 0) {
        skipLf = false;
        if (buf[0] === LF) pos = 1;
      }
      // Next `\n` / `\r` at or after `pos`; -1 = none left in this chunk. Each is searched again only
      // once passed, so every byte is scanned at most once per character (linear in the chunk).
      let nextLf = -2;
      let nextCr = -2;
      while (pos < buf.length) {
        if (nextLf !== -1 && nextLf < pos) nextLf = buf.indexOf(LF, pos);
        if (nextCr !== -1 && nextCr < pos) nextCr = buf.indexOf(CR, pos);
        const end = nextLf === -1 ? nextCr : nextCr === -1 ? nextLf : Math.min(nextLf, nextCr);
        if (end === -1) {
          account(buf.length - pos);
          partial.push(buf.subarray(pos));
          break;
        }
        account(end - pos);
        completeLine(buf.subarray(pos, end), out);
        pos = end + 1;
        if (buf[end] === CR) {
          // `\r\n` is one line end, even when the `\n` comes in the next chunk.
          if (pos === buf.length) skipLf = true;
          else if (buf[pos] === LF) pos++;
        }
      }
      return out;
    },
    end() {
      const out: SseFrame[] = [];
      if (partial.length > 0) completeLine(Buffer.alloc(0), out);
      dispatch(out);
      return out;
    },
  };
}

/** The pieces of a frame's lines joined with `\n` (spec: "append a single U+000A LINE FEED"). */
function joinLines(lines: readonly Buffer[][]): Buffer[] {
  if (lines.length === 1) return lines[0] ?? [];
  const pieces: Buffer[] = [];
  lines.forEach((line, i) => {
    if (i > 0) pieces.push(NEWLINE);
    pieces.push(...line);
  });
  return pieces;
}

/** Parses an async byte stream into frames; the source is closed when the consumer stops early. */
export async function* parseSseStream(
  source: AsyncIterable<Uint8Array>,
  options: SseParserOptions = {},
): AsyncGenerator<SseFrame, void, undefined> {
  const parser = createSseParser(options);
  for await (const chunk of source) yield* parser.push(chunk);
  yield* parser.end();
}
