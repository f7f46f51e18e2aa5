/**
 * The rules reference images must satisfy (reference §1.4), in one place for the core's validation and
 * the simulator's. Where the doc revisions differ (⏱: heic/heif and 30 MB appear only in the newest
 * BytePlus docs), the rules are what every revision accepts, so a request that passes here is not
 * refused upstream; the size limit is config (MAX_REFERENCE_IMAGE_BYTES, default 10 MB).
 */
import type { ImageFormat } from '../image-header.js';

export const referenceImageRules = Object.freeze({
  formats: Object.freeze(['png', 'jpeg', 'webp', 'bmp', 'tiff', 'gif'] as const satisfies readonly ImageFormat[]),
  /** Total pixels at most (6000 × 6000). */
  maxPixels: 36_000_000,
  /** Each side must be longer than this. */
  minSideExclusive: 14,
  /** Width ÷ height range (4.x/5.x, the only models that take references). */
  aspectRange: Object.freeze([1 / 16, 16] as const),
});

export type ReferenceImageFormat = (typeof referenceImageRules.formats)[number];

export function isReferenceImageFormat(format: string): format is ReferenceImageFormat {
  return (referenceImageRules.formats as readonly string[]).includes(format);
}

/** Which dimension rule an image of this size breaks, if any (each validator words its own message). */
export function dimensionRuleBroken(width: number, height: number): 'side' | 'pixels' | 'aspect' | undefined {
  const { minSideExclusive, maxPixels, aspectRange } = referenceImageRules;
  if (width <= minSideExclusive || height <= minSideExclusive) return 'side';
  if (width * height > maxPixels) return 'pixels';
  const ratio = width / height;
  return ratio < aspectRange[0] || ratio > aspectRange[1] ? 'aspect' : undefined;
}
