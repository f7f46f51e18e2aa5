/**
 * Estimated cost of delivered images: the catalog's price per image in the configured currency, or an
 * operator override from config. An estimate — the upstream bill is authoritative.
 */
import type { ModelEntry, ModelKey, Price } from './types.js';

/** Operator price overrides per model, in the pricing currency (micros per image). */
export interface PriceOverride {
  readonly perImageMicros: number;
  /** Price for images of at least `large.minPixels` pixels. */
  readonly large?: { readonly minPixels: number; readonly perImageMicros: number };
  /** Price per charged reference image (replaces the catalog's; unset = none charged). */
  readonly perReferenceImageMicros?: number;
}

export interface PriceTable {
  readonly currency: string;
  /** Price of one delivered image of this size, or undefined when unknown in this currency. */
  priceOf(entry: ModelEntry, width: number, height: number): Price | undefined;
  /** Charge for the reference images of one upstream request that delivered images (0 micros when the
   *  model charges none), or undefined when unknown in this currency. */
  priceOfReferences(entry: ModelEntry, referenceImages: number): Price | undefined;
  /** The base, large-image and per-reference prices of a model, for listings. */
  listPrices(entry: ModelEntry): ListedPrices;
}

export interface ListedPrices {
  readonly perImage?: Price;
  readonly large?: { readonly minPixels: number; readonly perImage: Price };
  readonly perReferenceImage?: { readonly freeReferenceImages: number; readonly price: Price };
}

export function createPriceTable(
  currency: string,
  overrides: Readonly<Partial<Record<ModelKey, PriceOverride>>> = {},
): PriceTable {
  const inCurrency = (prices: readonly Price[]) => prices.find((p) => p.currency === currency);

  function listPrices(entry: ModelEntry): ListedPrices {
    const override = overrides[entry.key];
    const free = entry.pricing.perReferenceImage?.freeReferenceImages ?? 0;
    if (override !== undefined) {
      return {
        perImage: { currency, micros: override.perImageMicros },
        ...(override.large && {
          large: { minPixels: override.large.minPixels, perImage: { currency, micros: override.large.perImageMicros } },
        }),
        ...(override.perReferenceImageMicros !== undefined && {
          perReferenceImage: { freeReferenceImages: free, price: { currency, micros: override.perReferenceImageMicros } },
        }),
      };
    }
    const perImage = inCurrency(entry.pricing.perImage);
    const large = entry.pricing.large;
    const largePrice = large && inCurrency(large.perImage);
    const references = entry.pricing.perReferenceImage;
    const referencePrice = references && inCurrency(references.prices);
    return {
      ...(perImage && { perImage }),
      ...(large && largePrice && { large: { minPixels: large.minPixels, perImage: largePrice } }),
      ...(referencePrice && { perReferenceImage: { freeReferenceImages: free, price: referencePrice } }),
    };
  }

  return {
    currency,
    listPrices,
    priceOf(entry, width, height) {
      const { perImage, large } = listPrices(entry);
      if (large !== undefined && width * height >= large.minPixels) return large.perImage;
      return perImage;
    },
    priceOfReferences(entry, referenceImages) {
      const listed = listPrices(entry).perReferenceImage;
      if (listed !== undefined) return { currency, micros: Math.max(0, referenceImages - listed.freeReferenceImages) * listed.price.micros };
      // Unlisted means free, unless the catalog charges for references in another currency only (and no
      // override replaced the price): then the charge is unknown, and so is the total.
      const catalog = entry.pricing.perReferenceImage;
      const unpriced = catalog !== undefined && overrides[entry.key] === undefined && referenceImages > catalog.freeReferenceImages;
      return unpriced ? undefined : { currency, micros: 0 };
    },
  };
}
