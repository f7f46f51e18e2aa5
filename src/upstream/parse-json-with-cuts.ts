/**
 * JSON.parse for answers that carry base64 images, without running the images through the UTF-8
 * decoder and JSON.parse: every string value of a member with the given name (`b64_json`) is cut out of
 * the text and handed to `cut` as the bytes it arrived in; where `cut` takes it, JSON.parse runs over the
 * small rest and the member holds what `cut` returned (DESIGN §8: no second JSON pass over base64 — a
 * 415 KB image used to be scanned by the UTF-8 decoder, copied into a string and scanned again by
 * JSON.parse). The input is a byte chain (the pieces an SSE frame or a body arrived in), never joined.
 *
 * The result equals `JSON.parse(text)` with those strings replaced, and the input is rejected exactly
 * when JSON.parse rejects it:
 * - Strings are delimited the way JSON does it (a quote ends a string unless escaped), so a key that
 *   appears inside another string is never taken for a member. A value with an escape is left to
 *   JSON.parse; `cut` must take only text that is valid inside a JSON string as it is (base64 is), so
 *   cutting it changes neither the validity nor the shape.
 * - Each cut value is put back by its path of keys and indexes. Where a path could be ambiguous — a
 *   key written with escapes, or the same key twice in one object (JSON.parse keeps the last) — the
 *   whole text is parsed instead, the old way.
 *
 * Untrusted input (DESIGN §9): the scan is linear with a small constant and allocates nothing per
 * bracket — containers live in a fixed pool of MAX_JSON_DEPTH slots — and it refuses, before JSON.parse
 * could spend memory on them, texts nested deeper than MAX_JSON_DEPTH or holding more than
 * MAX_JSON_MEMBERS members and elements: no answer of the images API comes near either (an Ark answer
 * is ~4 deep with ~15 members per image). `parseJsonWithCutsYielding` runs the same scan in slices,
 * giving the event loop back between them, so a large answer never holds up other calls.
 */
import { byteAtCursor, chainText, indexOfByte, slicePieces, type ByteChain, type ChainCursor } from './byte-chain.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Where an answer is worth cutting: smaller ones (URL mode, `completed`, a thumbnail) cost less to
 *  parse whole than to scan first; JSON.parse gives their base64 as strings, checked all the same. */
export const CUT_FROM_BYTES = 16 * 1024;

/** Deepest nesting scanned (an images answer is ~4 deep). 5 MB of `{` used to cost ~1.2 GB of heap. */
export const MAX_JSON_DEPTH = 64;

/** Most members and elements (commas plus containers) in one scanned text; an answer with 15 images
 *  has a few hundred. Bounds what JSON.parse would allocate for the rest of the text. */
export const MAX_JSON_MEMBERS = 65_536;

/** Scan steps (bytes outside strings, or whole strings) between two turns of the event loop. */
const SLICE_STEPS = 64 * 1024;

/** The bytes the scan acts on: brackets, comma, colon and quote. */
const structural = new Uint8Array(256);
for (const byte of [0x7b, 0x7d, 0x5b, 0x5d, COMMA, COLON, QUOTE]) structural[byte] = 1;

/** A text refused for its shape before parsing: deeper or wider than any answer of the API. */
export class JsonBoundError extends SyntaxError {
  override readonly name = 'JsonBoundError';
}

/** Object keys and array indexes from the root to the object that holds a cut value. */
type Path = readonly (string | number)[];

interface FoundValue {
  readonly start: number;
  readonly end: number;
  readonly path: Path;
  /** What `cut` made of the value. */
  readonly value: unknown;
}

interface Container {
  isObject: boolean;
  /** Keys seen so far (objects), to detect duplicates; created once per pool slot, cleared on reuse. */
  keys: Set<string> | undefined;
  /** The current member's key (objects). */
  key: string;
  /** The current element's index (arrays). */
  index: number;
  /** Objects: the next string is a key (after `{` or `,`), not a value (after `:`). */
  expectKey: boolean;
}

type Cutter = (value: readonly Buffer[]) => unknown;

/**
 * Parses `json`; members named `name` whose string value `cut` takes (returns something for) hold
 * what it returned instead of the string. A text shorter than `minLength` bytes is parsed as it is:
 * below some size nothing is worth cutting. Throws a SyntaxError where JSON.parse would, and a
 * JsonBoundError for a text nested or spread wider than the bounds above.
 */
export function parseJsonWithCuts(json: ByteChain, name: string, cut: Cutter, minLength = 0): unknown {
  if (json.length < minLength) return JSON.parse(chainText(json, 0, json.length));
  const scan = createCutScan(json, name, cut);
  while (!scan.step(Number.POSITIVE_INFINITY));
  return assemble(json, name, scan.cuts());
}

/** `parseJsonWithCuts`, giving the event loop a turn every SLICE_STEPS steps of the scan; a text that
 *  scans in one slice (every legitimate answer but a huge one) costs no extra turn. */
export async function parseJsonWithCutsYielding(json: ByteChain, name: string, cut: Cutter, minLength = 0): Promise<unknown> {
  if (json.length < minLength) return JSON.parse(chainText(json, 0, json.length));
  const scan = createCutScan(json, name, cut);
  while (!scan.step(SLICE_STEPS)) await new Promise((resolve) => setImmediate(resolve));
  return assemble(json, name, scan.cuts());
}

/** JSON.parse over the text minus the cut values, with the values put back. */
function assemble(json: ByteChain, name: string, cuts: FoundValue[] | undefined): unknown {
  if (cuts === undefined || cuts.length === 0) return JSON.parse(chainText(json, 0, json.length));
  const parts: string[] = [];
  let from = 0;
  for (const found of cuts) {
    // Cuts sit between ASCII quotes, so no multi-byte character is split.
    parts.push(chainText(json, from, found.start));
    from = found.end;
  }
  parts.push(chainText(json, from, json.length));
  const root: unknown = JSON.parse(parts.join(''));
  for (const found of cuts) {
    const holder = resolve(root, found.path);
    // Defensive: cannot happen for a text the scan understood, and the old way is always right.
    if (holder === undefined || holder[name] !== '') return JSON.parse(chainText(json, 0, json.length));
    holder[name] = found.value;
  }
  return root;
}

interface CutScan {
  /** Scans at most `steps` more steps; true once the whole text is scanned. */
  step(steps: number): boolean;
  /** The values to cut, in text order; undefined when the text must be parsed whole. */
  cuts(): FoundValue[] | undefined;
}

/** The resumable scan for the values to cut. Throws JsonBoundError past a bound. */
function createCutScan(json: ByteChain, name: string, cut: Cutter): CutScan {
  const found: FoundValue[] = [];
  // The open containers: the first `depth` slots of a pool that grows to MAX_JSON_DEPTH at most.
  const pool: Container[] = [];
  let depth = 0;
  let members = 0;
  let parseWhole = false;
  // The next quote / backslash at or after the scan position, each searched again only once passed,
  // so every byte is searched at most once per character (linear, memchr speed over the images).
  let nextQuote = -2;
  let nextBackslash = -2;

  /** The closing quote of the string opened just before `from`, and whether it holds escapes. */
  const stringEnd = (from: number): { end: number; escaped: boolean } | undefined => {
    let at = from;
    let escaped = false;
    for (;;) {
      if (nextQuote !== -1 && nextQuote < at) nextQuote = indexOfByte(json, QUOTE, at);
      if (nextQuote === -1) return undefined; // unterminated: JSON.parse reports it
      if (nextBackslash !== -1 && nextBackslash < at) nextBackslash = indexOfByte(json, BACKSLASH, at);
      if (nextBackslash === -1 || nextBackslash > nextQuote) return { end: nextQuote, escaped };
      escaped = true;
      at = nextBackslash + 2; // the escaped character, whatever it is, cannot end the string
    }
  };

  const open = (isObject: boolean): void => {
    if (depth === MAX_JSON_DEPTH) throw new JsonBoundError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
    countMember();
    let slot = pool[depth];
    if (slot === undefined) {
      slot = { isObject, keys: undefined, key: '', index: 0, expectKey: isObject };
      pool.push(slot);
    } else {
      slot.isObject = isObject;
      slot.keys?.clear();
      slot.key = '';
      slot.index = 0;
      slot.expectKey = isObject;
    }
    depth++;
  };
  const countMember = (): void => {
    if (++members > MAX_JSON_MEMBERS) throw new JsonBoundError(`JSON with more than ${MAX_JSON_MEMBERS} members`);
  };
  const pathOfTop = (): Path => pool.slice(0, depth - 1).map((c) => (c.isObject ? c.key : c.index));

  const cursor: ChainCursor = { piece: 0, start: 0 };
  let pos = 0;
  return {
    cuts: () => (parseWhole ? undefined : found),
    step(steps) {
      for (let taken = 0; taken < steps; taken++) {
        if (parseWhole || pos >= json.length) return true;
        // Bytes JSON.parse alone checks (numbers, literals, whitespace) are skipped in a tight loop
        // over the current piece: ~1 ns a byte instead of a call per byte.
        byteAtCursor(json, pos, cursor);
        const piece = json.pieces[cursor.piece];
        if (piece === undefined) return true;
        let at = pos - cursor.start;
        const from = at;
        while (at < piece.length && structural[piece[at] as number] === 0) at++;
        pos += at - from;
        taken += (at - from) >>> 4; // a skipped run counts by its length too (16 bytes a step), so slices stay short
        if (at === piece.length) continue;
        const byte = piece[at];
        const top = depth === 0 ? undefined : pool[depth - 1];
        switch (byte) {
          case 0x7b: // {
            open(true);
            break;
          case 0x5b: // [
            open(false);
            break;
          case 0x7d: // }
          case 0x5d: // ]
            if (depth > 0) depth--;
            break;
          case COMMA:
            if (top === undefined) break;
            countMember();
            if (top.isObject) top.expectKey = true;
            else top.index++;
            break;
          case COLON:
            break;
          case QUOTE: {
            const string = stringEnd(pos + 1);
            if (string === undefined) {
              parseWhole = true;
              return true;
            }
            if (top?.isObject === true && top.expectKey) {
              const key = chainText(json, pos + 1, string.end);
              // `"b64\u005fjson"` is `b64_json` too; and of a repeated key JSON.parse keeps the last.
              if (string.escaped || top.keys?.has(key) === true) {
                parseWhole = true;
                return true;
              }
              (top.keys ??= new Set()).add(key);
              top.key = key;
              top.expectKey = false;
            } else if (top?.isObject === true && top.key === name && !string.escaped) {
              const value = cut(slicePieces(json, pos + 1, string.end));
              if (value !== undefined) found.push({ start: pos + 1, end: string.end, path: pathOfTop(), value });
            }
            pos = string.end;
            break;
          }
          default:
            break; // whitespace, numbers, literals: JSON.parse checks them
        }
        pos++;
      }
      return parseWhole || pos >= json.length;
    },
  };
}

/** The object at `path` under `root`, if there is one. */
function resolve(root: unknown, path: Path): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const step of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, step)) return undefined;
    node = (node as Record<string | number, unknown>)[step];
  }
  return typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Record<string, unknown>) : undefined;
}
