/**
 * Usage of one call, counted from what was actually delivered (DESIGN §4: usage counts only delivered
 * images): images, output tokens (reference §2: round(W×H / 256) per image), web searches, and the
 * estimated cost from the price table.
 */
import type { PriceTable } from '../models/pricing.js';
import type { ModelEntry } from '../models/types.js';
import type { DeliveredImage, ImageFailureKind, Usage } from './types.js';

export interface UsageMeter {
  readonly delivered: number;
  readonly failed: number;
  /** Failures that were content moderation. */
  readonly moderated: number;
  deliver(image: DeliveredImage): void;
  fail(kind: ImageFailureKind): void;
  addWebSearches(count: number): void;
  usage(): Usage;
}

/** `referenceImages`: reference images sent with each upstream request; models that bill them
 *  (`usage.input_images`) charge them once per request that delivered an image. */
export function createUsageMeter(entry: ModelEntry, prices: PriceTable, referenceImages = 0): UsageMeter {
  const referenceCharge = prices.priceOfReferences(entry, referenceImages);
  const chargedRequests = new Set<number>();
  let delivered = 0;
  let failed = 0;
  let moderated = 0;
  let outputTokens = 0;
  let webSearches = 0;
  let costMicros = 0;
  // Unknown as soon as one image has no price: a partial sum would understate the cost.
  let costKnown = true;
  return {
    get delivered() {
      return delivered;
    },
    get failed() {
      return failed;
    },
    get moderated() {
      return moderated;
    },
    deliver(image) {
      delivered += 1;
      outputTokens += Math.round((image.width * image.height) / 256);
      const price = prices.priceOf(entry, image.width, image.height);
      if (price === undefined) costKnown = false;
      else costMicros += price.micros;
      if (!chargedRequests.has(image.requestIndex)) {
        chargedRequests.add(image.requestIndex);
        if (referenceCharge === undefined) costKnown = false;
        else costMicros += referenceCharge.micros;
      }
    },
    fail(kind) {
      failed += 1;
      if (kind === 'content_moderated') moderated += 1;
    },
    addWebSearches(count) {
      webSearches += count;
    },
    usage() {
      return {
        generatedImages: delivered,
        failedImages: failed,
        outputTokens,
        webSearches,
        ...(costKnown && delivered > 0 && { estimatedCost: { currency: prices.currency, micros: costMicros } }),
      };
    },
  };
}
