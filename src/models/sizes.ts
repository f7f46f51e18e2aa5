/**
 * Size rules (reference §1.3): parsing the upstream's size strings, checking a requested size against a
 * model, and the W×H a tier maps to for an aspect ratio named in the prompt.
 */
import type { Dimensions, ModelEntry, SizeRequest, SizeTierName, TierAspectRatio } from './types.js';
import { tierAspectRatios } from './types.js';

const tierNames: readonly SizeTierName[] = ['1K', '1.5K', '2K', '3K', '4K'];
// The upstream writes `2048x2048`; its field docs also show `2048×2048` (reference §3.2 ⚠): accept both.
const pixelsPattern = /^(\d{1,5})\s*[x×X]\s*(\d{1,5})$/;

/** Parses `2K` / `1.5k` / `2048x2048` / `2048×2048`; undefined when it is neither form. */
export function parseSize(text: string): SizeRequest | undefined {
  const trimmed = text.trim();
  const tier = tierNames.find((name) => name.toLowerCase() === trimmed.toLowerCase());
  if (tier !== undefined) return { kind: 'tier', tier };
  const match = pixelsPattern.exec(trimmed);
  if (match === null) return undefined;
  return { kind: 'pixels', width: Number(match[1]), height: Number(match[2]) };
}

/** Parses a reported image size (`2496x1664` or `2496×1664`). */
export function parseDimensions(text: string): Dimensions | undefined {
  const match = pixelsPattern.exec(text.trim());
  if (match === null) return undefined;
  return { width: Number(match[1]), height: Number(match[2]) };
}

/** The upstream's spelling of a size. */
export function formatSize(size: SizeRequest): string {
  return size.kind === 'tier' ? size.tier : `${size.width}x${size.height}`;
}

/** Why this size is not accepted by the model, or undefined when it is. */
export function sizeProblem(entry: ModelEntry, size: SizeRequest): string | undefined {
  if (size.kind === 'tier') {
    const tiers = Object.keys(entry.sizeTiers);
    if (tiers.length === 0) return `${entry.displayName} accepts only exact pixel sizes such as 1024x1024, not tiers`;
    if (!(size.tier in entry.sizeTiers)) return `${entry.displayName} accepts the tiers ${tiers.join(', ')}, not ${size.tier}`;
    return undefined;
  }
  const { width, height } = size;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    return 'width and height must be positive whole numbers';
  }
  const pixels = width * height;
  const [minPixels, maxPixels] = entry.pixelRange;
  if (pixels < minPixels || pixels > maxPixels) {
    return `${width}x${height} has ${pixels} pixels; ${entry.displayName} needs ${minPixels} to ${maxPixels} in total`;
  }
  const ratio = width / height;
  const [minRatio, maxRatio] = entry.aspectRange;
  if (ratio < minRatio || ratio > maxRatio) {
    return `aspect ratio ${formatRatio(ratio)} of ${width}x${height} is outside ${formatRatio(minRatio)} to ${formatRatio(maxRatio)} for ${entry.displayName}`;
  }
  return undefined;
}

function formatRatio(ratio: number): string {
  return ratio >= 1 ? `${+ratio.toFixed(3)}:1` : `1:${+(1 / ratio).toFixed(3)}`;
}

const aspectPattern = /(?<![\d.])(\d{1,2})\s*[:：]\s*(\d{1,2})(?![\d.])/g;

/** The first aspect ratio named in a prompt that the tier tables know ("16:9", "9：16"), if any. */
export function aspectHintFromPrompt(prompt: string): TierAspectRatio | undefined {
  for (const match of prompt.matchAll(aspectPattern)) {
    const ratio = `${Number(match[1])}:${Number(match[2])}`;
    const known = tierAspectRatios.find((r) => r === ratio);
    if (known !== undefined) return known;
  }
  return undefined;
}

/** The W×H a tier maps to for an aspect ratio (1:1 when none is given). Undefined for unknown tiers. */
export function tierDimensions(entry: ModelEntry, tier: SizeTierName, aspect?: TierAspectRatio): Dimensions | undefined {
  const table = entry.sizeTiers[tier];
  if (table === undefined) return undefined;
  return table[tierAspectRatios.indexOf(aspect ?? '1:1')] ?? table[0];
}
