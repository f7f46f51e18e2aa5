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
}

export interface PriceTable {
  readonly currency: string;
  /** Price of one delivered image of this size, or undefined when unknown in this currency. */
  priceOf(entry: ModelEntry, width: number, height: number): Price | undefined;
  /** The base and large-image prices of a model, for listings. */
  listPrices(entry: ModelEntry): { perImage?: Price; large?: { minPixels: number; perImage: Price } };
}

export function createPriceTable(
  currency: string,
  overrides: Readonly<Partial<Record<ModelKey, PriceOverride>>> = {},
): PriceTable {
  const inCurrency = (prices: readonly Price[]) => prices.find((p) => p.currency === currency);

  function listPrices(entry: ModelEntry) {
    const override = overrides[entry.key];
    if (override !== undefined) {
      return {
        perImage: { currency, micros: override.perImageMicros },
        ...(override.large && {
          large: { minPixels: override.large.minPixels, perImage: { currency, micros: override.large.perImageMicros } },
        }),
      };
    }
    const perImage = inCurrency(entry.pricing.perImage);
    const large = entry.pricing.large;
    const largePrice = large && inCurrency(large.perImage);
    return {
      ...(perImage && { perImage }),
      ...(large && largePrice && { large: { minPixels: large.minPixels, perImage: largePrice } }),
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
  };
}
