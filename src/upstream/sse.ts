/**
 * An incremental Server-Sent Events parser (WHATWG HTML §9.2.6 "Interpreting an event stream"),
 * vendor-neutral. It works on bytes, so a chunk may split anywhere — inside a multi-byte UTF-8
 * character or between `\r` and `\n` — and each line is decoded once, when it is complete. Partial
 * lines are kept as a list of chunk views and joined once, so a 20 MB `data:` line arriving in 16 KB
 * chunks is scanned and copied a constant number of times (linear, no re-scanning of the buffer).
 */

/** One dispatched event. `data` is the `data:` lines joined with `\n`. */
export interface SseFrame {
  /** The `event:` field; undefined when the frame had none (the spec's default type "message"). */
  readonly event: string | undefined;
  readonly data: string;
  /** The last `id:` seen on the stream so far, if any. */
  readonly id: string | undefined;
}

/** Parser settings. */
export interface SseParserOptions {
  /** Largest frame (bytes of its lines, including field names) accepted; protects memory. Default 64 MiB. */
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
/** Default frame bound: room for one base64 image of the largest size (16.8 MP, reference §1.3; a
 *  rendered PNG of that size is typically 20–40 MB as base64), not for a runaway stream. */
export const DEFAULT_MAX_SSE_FRAME_BYTES = 64 * 1024 * 1024;

/** Creates an incremental SSE parser. */
export function createSseParser(options: SseParserOptions = {}): SseParser {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_SSE_FRAME_BYTES;
  let partial: Buffer[] = []; // pieces of the current, unfinished line
  let frameBytes = 0; // bytes of the current frame so far, partial line included
  let skipLf = false; // the previous chunk ended in `\r`: a leading `\n` belongs to it
  let firstLine = true; // a UTF-8 BOM is dropped from the stream's first line (spec)
  let dataLines: string[] = [];
  let event: string | undefined;
  let lastId: string | undefined;

  function account(bytes: number): void {
    frameBytes += bytes;
    if (frameBytes > maxFrameBytes) throw new SseFrameTooLargeError(maxFrameBytes);
  }

  function dispatch(out: SseFrame[]): void {
    // Spec: a frame with no data is not dispatched; either way the buffers reset.
    if (dataLines.length > 0) {
      const data = dataLines.length === 1 ? (dataLines[0] ?? '') : dataLines.join('\n');
      out.push({ event, data, id: lastId });
    }
    dataLines = [];
    event = undefined;
    frameBytes = 0;
  }

  function line(raw: Buffer, out: SseFrame[]): void {
    let buf = raw;
    if (firstLine) {
      firstLine = false;
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
    }
    if (buf.length === 0) return dispatch(out);
    if (buf[0] === COLON) return; // comment line
    const colon = buf.indexOf(COLON);
    const nameEnd = colon === -1 ? buf.length : colon;
    let valueStart = colon === -1 ? buf.length : colon + 1;
    if (buf[valueStart] === SPACE) valueStart++; // one leading space after the colon is dropped
    const name = buf.toString('latin1', 0, nameEnd);
    switch (name) {
      case 'data':
        dataLines.push(buf.toString('utf8', valueStart));
        return;
      case 'event':
        event = buf.toString('utf8', valueStart);
        return;
      case 'id': {
        const id = buf.toString('utf8', valueStart);
        if (!id.includes('\0')) lastId = id;
        return;
      }
      default:
        return; // `retry:` (we never reconnect) and unknown fields are ignored, as the spec says
    }
  }

  function completeLine(tail: Buffer, out: SseFrame[]): void {
    if (partial.length === 0) return line(tail, out);
    partial.push(tail);
    const whole = Buffer.concat(partial);
    partial = [];
    line(whole, out);
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

/** Parses an async byte stream into frames; the source is closed when the consumer stops early. */
export async function* parseSseStream(
  source: AsyncIterable<Uint8Array>,
  options: SseParserOptions = {},
): AsyncGenerator<SseFrame, void, undefined> {
  const parser = createSseParser(options);
  for await (const chunk of source) yield* parser.push(chunk);
  yield* parser.end();
}
