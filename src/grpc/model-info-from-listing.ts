/**
 * The core's catalog listing → ListModels' `ModelInfo`. Pure; the listing is built once at boot, so the
 * response can be converted once too.
 */
import type { ModelInfo } from '../../gen/seedream/v1/models.js';
import { OutputFormat, PromptOptimizationMode, SizeTier, type Size } from '../../gen/seedream/v1/types.js';
import type { OutputFormatName, PromptOptimizationModeName, SizeRequest, SizeTierName } from '../models/types.js';
import type { ModelListing } from '../service/model-listing.js';
import { costFromDomain } from './events-to-proto.js';

const sizeTiers: Readonly<Record<SizeTierName, SizeTier>> = {
  '1K': SizeTier.SIZE_TIER_1K,
  '1.5K': SizeTier.SIZE_TIER_1_5K,
  '2K': SizeTier.SIZE_TIER_2K,
  '3K': SizeTier.SIZE_TIER_3K,
  '4K': SizeTier.SIZE_TIER_4K,
};

const outputFormats: Readonly<Record<OutputFormatName, OutputFormat>> = {
  jpeg: OutputFormat.OUTPUT_FORMAT_JPEG,
  png: OutputFormat.OUTPUT_FORMAT_PNG,
};

const promptModes: Readonly<Record<PromptOptimizationModeName, PromptOptimizationMode>> = {
  standard: PromptOptimizationMode.PROMPT_OPTIMIZATION_MODE_STANDARD,
  fast: PromptOptimizationMode.PROMPT_OPTIMIZATION_MODE_FAST,
};

/** A size request (tier or pixels) as the proto `Size`. */
export function sizeFromDomain(size: SizeRequest): Size {
  return size.kind === 'tier'
    ? { kind: { $case: 'tier', value: sizeTiers[size.tier] } }
    : { kind: { $case: 'pixels', value: { width: size.width, height: size.height } } };
}

/** One catalog entry as ListModels reports it. `spec_field` is the oneof member that selects it. */
export function modelInfoFromListing(model: ModelListing): ModelInfo {
  return {
    specField: model.key,
    displayName: model.displayName,
    modelId: model.modelId,
    aliases: [...model.aliases],
    sizeTiers: model.sizeTiers.map((tier) => sizeTiers[tier]),
    defaultSize: sizeFromDomain(model.defaultSize),
    minPixels: model.pixelRange[0],
    maxPixels: model.pixelRange[1],
    minAspectRatio: model.aspectRange[0],
    maxAspectRatio: model.aspectRange[1],
    maxReferenceImages: model.maxReferenceImages,
    supportsImageSet: model.supportsImageSet,
    supportsNativeStreaming: model.nativeStreaming,
    outputFormats: model.outputFormats.map((format) => outputFormats[format]),
    promptOptimizationModes: model.promptOptimizationModes.map((mode) => promptModes[mode]),
    options: [...model.options],
    pricePerImage: model.price === undefined ? undefined : costFromDomain(model.price),
    pricePerLargeImage: model.largeImagePrice === undefined ? undefined : costFromDomain(model.largeImagePrice.price),
    largeImageMinPixels: model.largeImagePrice?.minPixels ?? 0,
    pricePerReferenceImage: model.referenceImagePrice === undefined ? undefined : costFromDomain(model.referenceImagePrice.price),
    freeReferenceImages: model.referenceImagePrice?.freeReferenceImages ?? 0,
  };
}
