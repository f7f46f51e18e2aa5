import { describe, expect, it } from 'vitest';
import { byteChain, type ByteChain } from '../../src/upstream/byte-chain.js';
import { JsonBoundError, MAX_JSON_DEPTH, MAX_JSON_MEMBERS, parseJsonWithCuts, parseJsonWithCutsYielding } from '../../src/upstream/parse-json-with-cuts.js';

/** What the test's `cut` makes of a value: the text it cut, so results compare with JSON.parse. */
class Cut {
  constructor(readonly text: string) {}
}

/** Takes values made only of letters and digits (the real caller takes checked base64). */
const cut = (pieces: readonly Buffer[]): Cut | undefined => {
  const text = Buffer.concat(pieces).toString('latin1');
  return /^[A-Za-z0-9+/]+=*$/.test(text) ? new Cut(text) : undefined;
};

function chain(text: string, sizes: (i: number) => number = () => Number.MAX_SAFE_INTEGER): ByteChain {
  const bytes = Buffer.from(text, 'utf8');
  const pieces: Buffer[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = Math.max(1, sizes(i));
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return byteChain(pieces);
}

/** The result with every Cut turned back into its string: must equal JSON.parse of the text. */
function uncut(value: unknown): unknown {
  if (value instanceof Cut) return value.text;
  if (Array.isArray(value)) return value.map(uncut);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) Object.defineProperty(out, key, { value: uncut(member), enumerable: true, writable: true });
    return out;
  }
  return value;
}

/** Paths of the Cuts in the result, e.g. `data.0`. */
function cutPaths(value: unknown, path = ''): string[] {
  if (value instanceof Cut) return [path];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, member]) => cutPaths(member, path === '' ? key : `${path}.${key}`));
}

const seeded = (seed: number) => {
  let state = seed;
  return () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) >>> 16) / 32768;
};

describe('parseJsonWithCuts', () => {
  it.each([
    ['a stream event', '{"type":"image_generation.partial_succeeded","image_index":0,"b64_json":"QUJD","size":"1x1"}', ['b64_json']],
    ['escaped quotes and backslashes in other strings', '{"p":"a \\"quoted\\" \\\\ b\\\\","b64_json":"QUJD"}', ['b64_json']],
    ['the key inside another string', '{"p":"\\"b64_json\\":\\"QUJD\\"","q":1}', []],
    ['the key as a value', '{"k":"b64_json","v":"QUJD"}', []],
    ['the key as a value, then as a key', '{"x":"b64_json","b64_json":"QUJD"}', ['b64_json']],
    ['no such key', '{"type":"x","url":"https://i/1"}', []],
    ['images in data[]', '{"data":[{"b64_json":"QUJD","size":"1x1"},{"url":"u"},{"b64_json":"QUJE"}],"usage":{"b64_json":1}}', ['data.0.b64_json', 'data.2.b64_json']],
    ['arrays of arrays', '[[{"b64_json":"QUJD"}],[1,{"x":[{"b64_json":"QUJE"}]}]]', ['0.0.b64_json', '1.1.x.0.b64_json']],
    ['values that are not strings', '{"a":{"b64_json":1},"b":{"b64_json":null},"c":{"b64_json":{"b64_json":"QUJD"}},"d":{"b64_json":["QUJD"]}}', ['c.b64_json.b64_json']],
    ['a value with an escape, left to JSON.parse', '{"b64_json":"QU\\/D"}', []],
    ['a value the cut refuses', '{"b64_json":"not base64!"}', []],
    ['the empty string', '{"b64_json":""}', []],
    ['an escaped key, parsed whole', '{"b64\\u005fjson":"QUJD"}', []],
    ['a repeated key, parsed whole (the last wins)', '{"b64_json":"QUJD","b64_json":"QUJE"}', []],
    ['a repeated container key, parsed whole', '{"data":[{"b64_json":"QUJD"}],"data":[{"b64_json":""}]}', []],
    ['a __proto__ key', '{"__proto__":{"b64_json":"QUJD"}}', ['__proto__.b64_json']],
    ['pretty-printed JSON', '{\n  "data" : [ {\n    "b64_json" :  "QUJD" ,\n    "size": "1x1"\n  } ]\n}\n', ['data.0.b64_json']],
    ['multi-byte characters around', '{"p":"火山方舟 😀 é","b64_json":"QUJD","q":"ü"}', ['b64_json']],
  ])('%s: equals JSON.parse, cutting only members named b64_json', (_label, text, cuts) => {
    const result = parseJsonWithCuts(chain(text), 'b64_json', cut);
    expect(uncut(result)).toEqual(JSON.parse(text));
    expect(cutPaths(result)).toEqual(cuts);
  });

  it.each([
    ['truncated after an image', '{"data":[{"b64_json":"QUJD"}'],
    ['unterminated image', '{"b64_json":"QUJD'],
    ['trailing garbage', '{"b64_json":"QUJD"} x'],
    ['a raw control character elsewhere', '{"p":"a\u0001b","b64_json":"QUJD"}'],
    ['a bad escape elsewhere', '{"p":"\\x","b64_json":"QUJD"}'],
    ['a missing comma before the image', '{"p":"a" "b64_json":"QUJD"}'],
    ['the image as a key', '{"QUJD":1,"b64_json":"QUJD":2}'],
    ['nothing', ''],
  ])('throws where JSON.parse throws: %s', (_label, text) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(() => parseJsonWithCuts(chain(text), 'b64_json', cut)).toThrow(SyntaxError);
  });

  it('gives the same result for a large frame arriving in small pieces of any size', () => {
    const image = Buffer.from(Array.from({ length: 120_000 }, (_, i) => (i * 31) % 256)).toString('base64');
    const text = JSON.stringify({ type: 't', revised_prompt: 'say "b64_json":"X" — 火山 \\ ok', image_index: 3, b64_json: image, size: '4096x4096' });
    for (const seed of [1, 2, 3]) {
      const random = seeded(seed);
      const result = parseJsonWithCuts(chain(text, () => 1 + Math.floor(random() * 24)), 'b64_json', cut);
      expect(uncut(result)).toEqual(JSON.parse(text));
      expect(cutPaths(result)).toEqual(['b64_json']);
    }
    const oneByte = parseJsonWithCuts(chain(text, () => 1), 'b64_json', cut);
    expect((oneByte as { b64_json: Cut }).b64_json.text).toBe(image);
  });

  it('parses a text shorter than minLength whole, cutting nothing', () => {
    const text = '{"b64_json":"QUJD"}';
    expect(parseJsonWithCuts(chain(text), 'b64_json', cut, text.length + 1)).toEqual({ b64_json: 'QUJD' });
    expect(cutPaths(parseJsonWithCuts(chain(text), 'b64_json', cut, text.length))).toEqual(['b64_json']);
  });

  it('hands `cut` views of the input, not copies', () => {
    const input = chain('{"b64_json":"QUJDREVG"}');
    let seen: readonly Buffer[] = [];
    parseJsonWithCuts(input, 'b64_json', (pieces) => {
      seen = pieces;
      return new Cut('');
    });
    expect(seen.map((piece) => piece.buffer)).toEqual([input.pieces[0]?.buffer]);
  });

  describe('untrusted input (DESIGN §9)', () => {
    it('refuses 5 MB of `{` at the depth bound, without the heap growing with the input', () => {
      const text = Buffer.alloc(5 * 1024 * 1024, '{');
      global.gc?.();
      const before = process.memoryUsage().heapUsed;
      expect(() => parseJsonWithCuts(byteChain([text]), 'b64_json', cut)).toThrow(JsonBoundError);
      // The old scan allocated a container and a Set per bracket: ~1.2 GB for this input.
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(32 * 1024 * 1024);
    });

    it.each([
      ['nested just deeper than the bound', `${'['.repeat(MAX_JSON_DEPTH + 1)}${']'.repeat(MAX_JSON_DEPTH + 1)}`],
      ['wider than the member bound', `{"a":[${'0,'.repeat(MAX_JSON_MEMBERS)}0]}`],
    ])('refuses a text %s with a JsonBoundError', (_label, text) => {
      expect(() => parseJsonWithCuts(chain(text), 'b64_json', cut)).toThrow(JsonBoundError);
    });

    it('parses a text exactly at the depth bound', () => {
      const text = `${'['.repeat(MAX_JSON_DEPTH - 1)}{"b64_json":"QUJD"}${']'.repeat(MAX_JSON_DEPTH - 1)}`;
      expect(uncut(parseJsonWithCuts(chain(text), 'b64_json', cut))).toEqual(JSON.parse(text));
    });

    it('gives the event loop turns while it scans a large text, and gives the same result', async () => {
      const text = `{"n":${'1'.repeat(8 * 1024 * 1024)},"b64_json":"QUJD"}`;
      let turns = 0;
      let ticking = true;
      const tick = () => {
        turns++;
        if (ticking) setImmediate(tick);
      };
      setImmediate(tick);
      const result = await parseJsonWithCutsYielding(chain(text, () => 64 * 1024), 'b64_json', cut, 1);
      ticking = false;
      expect(cutPaths(result)).toEqual(['b64_json']);
      expect(turns).toBeGreaterThan(4);
    });
  });
});
