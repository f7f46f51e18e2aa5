import { describe, expect, it } from 'vitest';
import { createSseParser, parseSseStream, SseFrameTooLargeError, type SseFrame } from '../../src/upstream/sse.js';

const enc = new TextEncoder();

function parseFrames(chunks: readonly Uint8Array[], maxFrameBytes?: number): SseFrame[] {
  const parser = createSseParser({ maxFrameBytes });
  const frames = chunks.flatMap((chunk) => parser.push(chunk));
  return [...frames, ...parser.end()];
}

/** A frame with its data decoded as UTF-8, for comparing with expected text. */
type TextFrame = Omit<SseFrame, 'data'> & { readonly data: string };

function parseAll(chunks: readonly Uint8Array[], maxFrameBytes?: number): TextFrame[] {
  return parseFrames(chunks, maxFrameBytes).map((frame) => ({ ...frame, data: Buffer.concat(frame.data.pieces).toString('utf8') }));
}

function splitEvery(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

// A small deterministic PRNG, so a failing split can be reproduced from its seed.
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSplits(bytes: Uint8Array, seed: number): Uint8Array[] {
  const random = mulberry32(seed);
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    const size = 1 + Math.floor(random() * 24);
    out.push(bytes.subarray(i, i + size));
    i += size;
  }
  return out;
}

// Everything the parser must handle, in one stream: CRLF, CR and LF line ends, comments, multi-line
// data, a field without a colon, no space after the colon, ids, multi-byte UTF-8 (2, 3 and 4 bytes),
// an event with no data (not dispatched), and a last frame without a trailing blank line.
const mixedStream =
  ': keep-alive comment\r\n' +
  'event: image_generation.partial_succeeded\r\n' +
  'data: {"type":"image_generation.partial_succeeded","size":"2048×2048"}\r\n\r\n' +
  'id: 7\rdata:first line\rdata:  second line, two spaces\r\r' +
  'data\n\n' +
  'event: lonely\n\n' +
  'data: 火山方舟 😀 é\n' +
  'retry: 1000\n' +
  'unknown: field\n\n' +
  'data: [DONE]';

const expected: TextFrame[] = [
  {
    event: 'image_generation.partial_succeeded',
    data: '{"type":"image_generation.partial_succeeded","size":"2048×2048"}',
    id: undefined,
  },
  { event: undefined, data: 'first line\n second line, two spaces', id: '7' },
  { event: undefined, data: '', id: '7' },
  { event: undefined, data: '火山方舟 😀 é', id: '7' },
  { event: undefined, data: '[DONE]', id: '7' },
];

describe('SSE parser', () => {
  it('parses every line ending, field form and frame kind of the spec', () => {
    expect(parseAll([enc.encode(mixedStream)])).toEqual(expected);
  });

  it('yields identical frames when fed one byte at a time', () => {
    expect(parseAll(splitEvery(enc.encode(mixedStream), 1))).toEqual(expected);
  });

  it.each([1, 2, 3, 42, 1234, 99999])('yields identical frames for random splits (seed %i)', (seed) => {
    expect(parseAll(randomSplits(enc.encode(mixedStream), seed))).toEqual(expected);
  });

  it('treats a CRLF split across two chunks as one line end', () => {
    expect(parseAll([enc.encode('data: a\r'), enc.encode('\ndata: b\r'), enc.encode('\n\r'), enc.encode('\n')])).toEqual([
      { event: undefined, data: 'a\nb', id: undefined },
    ]);
  });

  it('drops a UTF-8 byte order mark at the start, even when split', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode('data: x\n\n')]);
    expect(parseAll(splitEvery(bytes, 1))).toEqual([{ event: undefined, data: 'x', id: undefined }]);
  });

  it('removes only one leading space after the colon', () => {
    expect(parseAll([enc.encode('data:   three\n\n')])[0]?.data).toBe('  three');
  });

  it('dispatches nothing for a stream of comments and blank lines', () => {
    expect(parseAll([enc.encode(':a\n\n:b\r\n\r\n')])).toEqual([]);
  });

  it('rejects a frame larger than the limit, also when it arrives in pieces', () => {
    const big = enc.encode(`data: ${'x'.repeat(2000)}\n\n`);
    expect(() => parseAll([big], 1000)).toThrow(SseFrameTooLargeError);
    expect(() => parseAll(splitEvery(big, 100), 1000)).toThrow(SseFrameTooLargeError);
    // Many lines of one frame count together.
    const manyLines = enc.encode(`${'data: 0123456789\n'.repeat(100)}\n`);
    expect(() => parseAll([manyLines], 1000)).toThrow(SseFrameTooLargeError);
    // The same bytes spread over frames are fine: the bound is per frame.
    const frames = enc.encode('data: 0123456789\n\n'.repeat(100));
    expect(parseAll([frames], 1000)).toHaveLength(100);
  });

  it('parses an async byte stream and stops its source when the consumer stops', async () => {
    let finalized = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        yield enc.encode('data: 1\n\ndata: 2\n\n');
        yield enc.encode('data: 3\n\n');
      } finally {
        finalized = true;
      }
    }
    const seen: string[] = [];
    for await (const frame of parseSseStream(source())) {
      seen.push(Buffer.concat(frame.data.pieces).toString('utf8'));
      if (seen.at(-1) === '2') break;
    }
    expect(seen).toEqual(['1', '2']);
    expect(finalized).toBe(true);
  });

  it('keeps a data line as views of the chunks it arrived in, never copied', () => {
    const chunks = splitEvery(enc.encode(`data: {"b64_json":"${'Q'.repeat(100)}"}\n\n`), 16);
    const [frame] = parseFrames(chunks);
    expect(frame?.data.pieces.length).toBeGreaterThan(1);
    for (const piece of frame?.data.pieces ?? []) expect(chunks.some((chunk) => chunk.buffer === piece.buffer)).toBe(true);
  });

  it('stays linear for a 20 MB data line arriving in 16 KB chunks', () => {
    const payload = 'A'.repeat(20 * 1024 * 1024);
    const bytes = enc.encode(`event: image\ndata: {"b64_json":"${payload}"}\n\ndata: [DONE]\n\n`);
    const chunks = splitEvery(bytes, 16 * 1024);
    const runs: number[] = [];
    let frames: SseFrame[] = [];
    for (let run = 0; run < 5; run++) {
      const start = performance.now();
      frames = parseFrames(chunks);
      runs.push(performance.now() - start);
    }
    const best = Math.min(...runs);
    const mbPerSecond = bytes.length / 1024 / 1024 / (best / 1000);
    console.log(`SSE parser: 20 MiB frame in 16 KiB chunks: best ${best.toFixed(1)} ms (${mbPerSecond.toFixed(0)} MiB/s)`);
    expect(frames).toHaveLength(2);
    expect(frames[0]?.data.length).toBe(payload.length + 15);
    // Linear work is tens of ms here; quadratic re-scanning would take tens of seconds.
    expect(best).toBeLessThan(2000);
  });

  it('stays linear for one chunk holding thousands of short CR-terminated lines', () => {
    const bytes = enc.encode('data: x\r\r'.repeat(100_000));
    const start = performance.now();
    expect(parseAll([bytes])).toHaveLength(100_000);
    expect(performance.now() - start).toBeLessThan(2000);
  });
});
