/**
 * The catalog as callers see it (ListModels, GET /v1/models): names, limits, capabilities and prices,
 * with ids for the configured upstream region. Endpoint ids stay internal: they are operator config.
 */
import { modelCatalog } from '../models/catalog.js';
import { modelNames, upstreamModelId } from '../models/lookup.js';
import type { PriceTable } from '../models/pricing.js';
import type {
  ModelKey,
  ModelOption,
  OutputFormatName,
  Price,
  PromptOptimizationModeName,
  Region,
  SizeRequest,
  SizeTierName,
} from '../models/types.js';

export interface ModelListing {
  readonly key: ModelKey;
  readonly displayName: string;
  /** The id sent upstream by default for the configured region. */
  readonly modelId: string;
  readonly aliases: readonly string[];
  readonly sizeTiers: readonly SizeTierName[];
  readonly defaultSize: SizeRequest;
  readonly pixelRange: readonly [number, number];
  readonly aspectRange: readonly [number, number];
  readonly maxReferenceImages: number;
  readonly supportsImageSet: boolean;
  readonly nativeStreaming: boolean;
  readonly outputFormats: readonly OutputFormatName[];
  readonly promptOptimizationModes: readonly PromptOptimizationModeName[];
  readonly options: readonly ModelOption[];
  readonly price?: Price;
  readonly largeImagePrice?: { readonly minPixels: number; readonly price: Price };
  readonly referenceImagePrice?: { readonly freeReferenceImages: number; readonly price: Price };
}

/** Builds the listing once; it only changes with the catalog and config. */
export function listModels(region: Region, prices: PriceTable): readonly ModelListing[] {
  return Object.freeze(
    modelCatalog.map((entry): ModelListing => {
      const { perImage, large, perReferenceImage } = prices.listPrices(entry);
      return Object.freeze({
        key: entry.key,
        displayName: entry.displayName,
        modelId: upstreamModelId(entry.snapshots[0], region),
        aliases: modelNames(entry),
        sizeTiers: Object.keys(entry.sizeTiers) as SizeTierName[],
        defaultSize: entry.defaultSize,
        pixelRange: entry.pixelRange,
        aspectRange: entry.aspectRange,
        maxReferenceImages: entry.maxReferenceImages,
        supportsImageSet: entry.options.includes('image_set'),
        nativeStreaming: entry.nativeStreaming,
        outputFormats: entry.outputFormats,
        promptOptimizationModes: entry.promptOptimizationModes,
        options: entry.options,
        ...(perImage && { price: perImage }),
        ...(large && { largeImagePrice: { minPixels: large.minPixels, price: large.perImage } }),
        ...(perReferenceImage && { referenceImagePrice: perReferenceImage }),
      });
    }),
  );
}
