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
  return new CallUsageMeter(entry, prices, prices.priceOfReferences(entry, referenceImages));
}

/** One object per call (a class, not a closure per method: the meter is made on every call). */
class CallUsageMeter implements UsageMeter {
  delivered = 0;
  failed = 0;
  moderated = 0;
  private outputTokens = 0;
  private webSearches = 0;
  private costMicros = 0;
  // Unknown as soon as one image has no price: a partial sum would understate the cost.
  private costKnown = true;
  // Requests already charged their reference images; created by the first delivered image.
  private chargedRequests: Set<number> | undefined;

  constructor(
    private readonly entry: ModelEntry,
    private readonly prices: PriceTable,
    private readonly referenceCharge: ReturnType<PriceTable['priceOfReferences']>,
  ) {}

  deliver(image: DeliveredImage): void {
    this.delivered += 1;
    this.outputTokens += Math.round((image.width * image.height) / 256);
    const price = this.prices.priceOf(this.entry, image.width, image.height);
    if (price === undefined) this.costKnown = false;
    else this.costMicros += price.micros;
    const charged = (this.chargedRequests ??= new Set());
    if (!charged.has(image.requestIndex)) {
      charged.add(image.requestIndex);
      if (this.referenceCharge === undefined) this.costKnown = false;
      else this.costMicros += this.referenceCharge.micros;
    }
  }

  fail(kind: ImageFailureKind): void {
    this.failed += 1;
    if (kind === 'content_moderated') this.moderated += 1;
  }

  addWebSearches(count: number): void {
    this.webSearches += count;
  }

  usage(): Usage {
    return {
      generatedImages: this.delivered,
      failedImages: this.failed,
      outputTokens: this.outputTokens,
      webSearches: this.webSearches,
      ...(this.costKnown && this.delivered > 0 && { estimatedCost: { currency: this.prices.currency, micros: this.costMicros } }),
    };
  }
}
