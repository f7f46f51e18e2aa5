/**
 * Command-line arguments → a StreamImages request. `--model` takes any catalog name; the catalog says
 * which member of the `model` oneof it selects, and the name is pinned as that member's `model_id`. An
 * option the chosen model's options message cannot even express is a usage error here; everything else
 * (tiers per model, pixel ranges, limits) is the gateway's to judge.
 */
import { ResponseFormat, type ImageGenerationSpec } from '../../gen/seedream/v1/generation_spec.js';
import type { StreamImagesRequest } from '../../gen/seedream/v1/image_service.js';
import { SizeTier, type Size } from '../../gen/seedream/v1/types.js';
import { modelCatalog } from '../models/catalog.js';
import { findModel } from '../models/lookup.js';
import type { ModelEntry } from '../models/types.js';
import { UsageError, type ClientArgs } from './args.js';

const tiers: Readonly<Record<string, SizeTier>> = {
  '1K': SizeTier.SIZE_TIER_1K,
  '1.5K': SizeTier.SIZE_TIER_1_5K,
  '2K': SizeTier.SIZE_TIER_2K,
  '3K': SizeTier.SIZE_TIER_3K,
  '4K': SizeTier.SIZE_TIER_4K,
};

/** The request the client sends for `args`; throws UsageError for an unknown model or option. */
export function requestFromArgs(args: ClientArgs): StreamImagesRequest {
  const resolved = findModel(args.model);
  if (resolved === undefined) {
    const examples = modelCatalog.map((entry) => entry.shortNames[0]).filter((name) => name !== undefined);
    throw new UsageError(`unknown model "${args.model}"; for example: ${examples.join(', ')}`);
  }
  const { entry } = resolved;
  if (args.set !== undefined && !entry.options.includes('image_set')) {
    throw new UsageError(`${entry.displayName} does not generate image sets (--set)`);
  }
  const spec: ImageGenerationSpec = {
    prompt: args.prompt,
    referenceImages: [],
    responseFormat: args.format === 'bytes' ? ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES : ResponseFormat.RESPONSE_FORMAT_URL,
    n: args.n,
    user: '',
    model: modelMember(entry, args),
  };
  return { spec, requestId: '' };
}

function modelMember(entry: ModelEntry, args: ClientArgs): ImageGenerationSpec['model'] {
  const modelId = args.model.trim();
  const imageSet = args.set === undefined ? undefined : { maxImages: args.set };
  switch (entry.key) {
    case 'seedream_3_0': {
      // 3.0's options hold exact dimensions only: a tier cannot be written for it.
      const size = args.size;
      if (size !== undefined && 'tier' in size) throw new UsageError(`${entry.displayName} takes exact sizes only, such as 1024x1024`);
      return { $case: 'seedream30', value: { modelId, size } };
    }
    case 'seedream_4_0':
      return { $case: 'seedream40', value: { modelId, size: sizeOf(args), imageSet, promptOptimization: 0 } };
    case 'seedream_4_5':
      return { $case: 'seedream45', value: { modelId, size: sizeOf(args), imageSet } };
    case 'seedream_5_0_lite':
      return { $case: 'seedream50Lite', value: { modelId, size: sizeOf(args), imageSet, outputFormat: 0, webSearch: false } };
    case 'seedream_5_0_pro':
      return { $case: 'seedream50Pro', value: { modelId, size: sizeOf(args), promptOptimization: 0, outputFormat: 0 } };
    case 'seedream_5_0_flash':
      return { $case: 'seedream50Flash', value: { modelId, size: sizeOf(args), outputFormat: 0 } };
    case 'seedream_5_5':
      return { $case: 'seedream55', value: { modelId, size: sizeOf(args), outputFormat: 0, background: 0 } };
    default: {
      const unreachable: never = entry.key;
      throw new Error(`unknown model key ${String(unreachable)}`);
    }
  }
}

function sizeOf(args: ClientArgs): Size | undefined {
  const size = args.size;
  if (size === undefined) return undefined;
  if ('width' in size) return { kind: { $case: 'pixels', value: { width: size.width, height: size.height } } };
  const tier = tiers[size.tier];
  if (tier === undefined) throw new UsageError(`unknown size tier ${size.tier}; tiers are ${Object.keys(tiers).join(', ')}`);
  return { kind: { $case: 'tier', value: tier } };
}
