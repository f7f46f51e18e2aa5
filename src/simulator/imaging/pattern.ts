/**
 * The picture the simulator draws: a 256-colour palette and one palette index per 8×8 block, derived
 * deterministically from the render parameters. Working at block granularity keeps rendering cheap
 * (a 16.7 MP image has 262,144 blocks) and lets both encoders emit flat blocks: the JPEG encoder needs
 * only DC coefficients, the PNG encoder's row filters turn 7 of every 8 rows into zeros.
 */

/** Edge length of a block in pixels (one JPEG data unit). */
export const BLOCK = 8;

/** What an image is derived from. Equal parameters always give an identical picture. */
export interface PatternParams {
  readonly prompt: string;
  readonly seed: number;
  /** Position of the image in its set (0-based). */
  readonly index: number;
  readonly width: number;
  readonly height: number;
  /** Draw the "AI generated" mark in the bottom-right corner (reference §1.1 `watermark`, default true). */
  readonly watermark: boolean;
}

/** A picture: RGB palette (256 × 3 bytes) and, per block in raster order, an index into it. */
export interface Pattern {
  readonly palette: Uint8Array;
  readonly blocksWide: number;
  readonly blocksHigh: number;
  readonly blocks: Uint8Array;
}

/** Palette indices below this are the background gradient; the rest are the subject (discs, mark). */
export const GRADIENT_COLOURS = 192;
const MARK_LIGHT = 255;
const MARK_DARK = 254;

/** Draws the picture for these parameters. */
export function drawPattern(params: PatternParams): Pattern {
  const random = mulberry32(hashParams(params));
  const palette = makePalette(random);
  const blocksWide = Math.ceil(params.width / BLOCK);
  const blocksHigh = Math.ceil(params.height / BLOCK);
  const blocks = new Uint8Array(blocksWide * blocksHigh);

  // Background: a linear gradient at a random angle across the whole image.
  const angle = random() * Math.PI * 2;
  const dx = Math.cos(angle) / Math.max(1, blocksWide - 1);
  const dy = Math.sin(angle) / Math.max(1, blocksHigh - 1);
  const offset = Math.min(0, dx * (blocksWide - 1)) + Math.min(0, dy * (blocksHigh - 1));
  const span = Math.abs(dx * (blocksWide - 1)) + Math.abs(dy * (blocksHigh - 1)) || 1;
  for (let by = 0; by < blocksHigh; by++) {
    const row = by * blocksWide;
    for (let bx = 0; bx < blocksWide; bx++) {
      const t = (bx * dx + by * dy - offset) / span;
      blocks[row + bx] = Math.min(GRADIENT_COLOURS - 1, Math.floor(t * GRADIENT_COLOURS));
    }
  }

  // A few discs in accent colours, sized relative to the image so every size looks alike.
  const discs = 3 + Math.floor(random() * 4);
  const unit = Math.min(blocksWide, blocksHigh);
  for (let i = 0; i < discs; i++) {
    const cx = random() * blocksWide;
    const cy = random() * blocksHigh;
    const r = unit * (0.08 + random() * 0.22);
    const colour = GRADIENT_COLOURS + Math.floor(random() * (MARK_DARK - GRADIENT_COLOURS));
    fillDisc(blocks, blocksWide, blocksHigh, cx, cy, r, colour);
  }
  if (params.watermark) drawMark(blocks, blocksWide, blocksHigh);
  return { palette, blocksWide, blocksHigh, blocks };
}

function fillDisc(blocks: Uint8Array, w: number, h: number, cx: number, cy: number, r: number, colour: number): void {
  const y0 = Math.max(0, Math.floor(cy - r));
  const y1 = Math.min(h - 1, Math.ceil(cy + r));
  for (let y = y0; y <= y1; y++) {
    const half = Math.sqrt(Math.max(0, r * r - (y + 0.5 - cy) ** 2));
    const x0 = Math.max(0, Math.round(cx - half));
    const x1 = Math.min(w, Math.round(cx + half));
    if (x1 > x0) blocks.fill(colour, y * w + x0, y * w + x1);
  }
}

/** A light plate with dark "letters" in the bottom-right corner, like the upstream's mark. */
function drawMark(blocks: Uint8Array, w: number, h: number): void {
  const markW = Math.max(6, Math.round(w * 0.12));
  const markH = Math.max(3, Math.round(h * 0.03));
  const x0 = Math.max(0, w - markW - 2);
  const y0 = Math.max(0, h - markH - 2);
  for (let y = y0; y < Math.min(h, y0 + markH); y++) {
    for (let x = x0; x < Math.min(w, x0 + markW); x++) {
      const inner = y > y0 && y < y0 + markH - 1 && x > x0 && x < x0 + markW - 1;
      blocks[y * w + x] = inner && (x - x0) % 3 !== 0 ? MARK_DARK : MARK_LIGHT;
    }
  }
}

function makePalette(random: () => number): Uint8Array {
  const palette = new Uint8Array(256 * 3);
  const from = [random() * 255, random() * 255, random() * 255];
  const to = [random() * 255, random() * 255, random() * 255];
  for (let i = 0; i < GRADIENT_COLOURS; i++) {
    const t = i / (GRADIENT_COLOURS - 1);
    for (let c = 0; c < 3; c++) palette[i * 3 + c] = Math.round((from[c] ?? 0) * (1 - t) + (to[c] ?? 0) * t);
  }
  for (let i = GRADIENT_COLOURS; i < MARK_DARK; i++) {
    for (let c = 0; c < 3; c++) palette[i * 3 + c] = Math.floor(random() * 256);
  }
  palette.set([245, 245, 245], MARK_LIGHT * 3);
  palette.set([40, 40, 40], MARK_DARK * 3);
  return palette;
}

/** FNV-1a over the prompt, mixed with the numeric parameters. */
function hashParams(params: PatternParams): number {
  let hash = 0x811c9dc5;
  const text = `${params.prompt}\u0000${params.seed}\u0000${params.index}\u0000${params.width}x${params.height}`;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A small, fast, seedable PRNG (not for secrets). */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
