/**
 * The model-specific request fields of reference §1.2, checked against the catalog entry's options:
 * a field the model does not take is refused with `InvalidParameter` naming it; a value out of range
 * likewise. Upstream field → catalog: `seed` → seed, `guidance_scale` → guidance_scale,
 * `sequential_image_generation[_options]` → image_set, `optimize_prompt_options.mode` →
 * promptOptimizationModes, `output_format` → outputFormats, `tools` web_search → web_search.
 */
import { MAX_IMAGES_PER_UPSTREAM_REQUEST } from '../models/catalog.js';
import type { BackgroundName, ModelEntry, OutputFormatName } from '../models/types.js';
import { invalidParameter, unsupportedParameter } from './ark-errors.js';
import type { BodyFields } from './validate.js';

/** The model-specific choices of a valid request. */
export interface ModelOptionChoices {
  readonly seed: number | undefined;
  readonly imageSet: { readonly maxImages: number | undefined } | undefined;
  readonly outputFormat: OutputFormatName;
  readonly webSearch: boolean;
  /** 5.5 `background`; undefined when not sent. */
  readonly background: BackgroundName | undefined;
  /** `optimize_prompt_options.thinking` is `disabled` (allowed for text-to-image only). */
  readonly thinkingDisabled: boolean;
}

/** Checks the model-specific fields; throws the ArkError of the first problem. */
export function checkModelOptions(field: BodyFields, entry: ModelEntry, modelId: string): ModelOptionChoices {
  const accepts = (option: ModelEntry['options'][number]) => entry.options.includes(option);

  const seed = field('seed');
  if (seed !== undefined) {
    if (!accepts('seed')) throw unsupportedParameter('seed', modelId);
    const [min, max] = entry.seedRange ?? [-1, 2_147_483_647];
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < min || seed > max) {
      throw invalidParameter('seed', `seed must be a whole number from ${min} to ${max}`);
    }
  }

  const guidance = field('guidance_scale');
  if (guidance !== undefined) {
    if (!accepts('guidance_scale') || entry.guidanceScale === undefined) throw unsupportedParameter('guidance_scale', modelId);
    const [min, max] = entry.guidanceScale.range;
    if (typeof guidance !== 'number' || !Number.isFinite(guidance) || guidance < min || guidance > max) {
      throw invalidParameter('guidance_scale', `guidance_scale must be a number from ${min} to ${max}`);
    }
  }

  const mode = field('sequential_image_generation');
  if (mode !== undefined && mode !== 'auto' && mode !== 'disabled') {
    throw invalidParameter('sequential_image_generation', 'sequential_image_generation must be one of: auto, disabled');
  }
  // `disabled` is the default and always allowed; `auto` only where the catalog lists image_set.
  if (mode === 'auto' && !accepts('image_set')) throw unsupportedParameter('sequential_image_generation', modelId);
  const setOptions = field('sequential_image_generation_options');
  let maxImages: number | undefined;
  if (setOptions !== undefined) {
    if (!accepts('image_set')) throw unsupportedParameter('sequential_image_generation_options', modelId);
    if (typeof setOptions !== 'object' || setOptions === null || Array.isArray(setOptions)) {
      throw invalidParameter('sequential_image_generation_options', 'sequential_image_generation_options must be an object');
    }
    const value = (setOptions as Record<string, unknown>).max_images ?? undefined;
    if (value !== undefined) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_IMAGES_PER_UPSTREAM_REQUEST) {
        throw invalidParameter(
          'sequential_image_generation_options.max_images',
          `max_images must be a whole number from 1 to ${MAX_IMAGES_PER_UPSTREAM_REQUEST}`,
        );
      }
      maxImages = value;
    }
  }

  const optimize = field('optimize_prompt_options');
  let thinkingDisabled = false;
  if (optimize !== undefined) {
    if (entry.promptOptimizationModes.length === 0) throw unsupportedParameter('optimize_prompt_options', modelId);
    if (typeof optimize !== 'object' || optimize === null || Array.isArray(optimize)) {
      throw invalidParameter('optimize_prompt_options', 'optimize_prompt_options must be an object');
    }
    const thinking = (optimize as Record<string, unknown>).thinking ?? undefined;
    if (thinking !== undefined) {
      // Only 5.0 pro documents thinking (reference-updates §3.2).
      if (!accepts('thinking')) throw unsupportedParameter('optimize_prompt_options.thinking', modelId);
      if (thinking !== 'auto' && thinking !== 'enabled' && thinking !== 'disabled') {
        throw invalidParameter('optimize_prompt_options.thinking', 'thinking must be one of: auto, enabled, disabled');
      }
      thinkingDisabled = thinking === 'disabled';
    }
    const value = (optimize as Record<string, unknown>).mode ?? undefined;
    if (value !== undefined && !entry.promptOptimizationModes.some((m) => m === value)) {
      throw invalidParameter(
        'optimize_prompt_options.mode',
        `mode must be one of: ${entry.promptOptimizationModes.join(', ')} for model ${modelId}`,
      );
    }
  }

  const format = field('output_format');
  if (format !== undefined && format !== 'jpeg' && format !== 'png') {
    throw invalidParameter('output_format', 'output_format must be one of: jpeg, png');
  }
  // ⚠ `output_format` on 3.0/4.x: documented "jpeg, not customisable", yet an official example sends png
  // to 4.0 (reference §1.2). The simulator accepts `jpeg` (what these models produce anyway) and refuses
  // `png`, so a caller never believes it will get a PNG it will not get.
  if (format !== undefined && !entry.outputFormats.some((f) => f === format)) {
    throw invalidParameter('output_format', `output_format ${String(format)} is not supported by model ${modelId}`);
  }

  const webSearch = checkTools(field('tools'), accepts('web_search'), modelId);

  // Layer decomposition (5.0 pro/flash, reference §1.1) is not in the catalog and not simulated: refused
  // for every model, so a test never passes against a behaviour the simulator does not have.
  const layers = field('layer_decomposition');
  if (layers !== undefined && layers !== false) throw unsupportedParameter('layer_decomposition', modelId);
  const background = checkBackground(field('background'), accepts('background'), format === 'png', modelId);

  return {
    seed: typeof seed === 'number' && seed !== -1 ? seed : undefined,
    imageSet: mode === 'auto' ? { maxImages } : undefined,
    outputFormat: format === 'png' ? 'png' : 'jpeg', // reference §1.1: jpeg by default
    webSearch,
    background,
    thinkingDisabled,
  };
}

/** 5.5 takes auto/transparent/opaque, transparent only with PNG output (reference-updates §3.1). Other
 *  models: only the documented default `opaque` (the 5.0 pro/flash alpha-input variant is not simulated). */
function checkBackground(background: unknown, accepted: boolean, png: boolean, modelId: string): BackgroundName | undefined {
  if (background === undefined) return undefined;
  if (!accepted) {
    if (background !== 'opaque') throw unsupportedParameter('background', modelId);
    return undefined;
  }
  if (background !== 'auto' && background !== 'transparent' && background !== 'opaque') {
    throw invalidParameter('background', 'background must be one of: auto, transparent, opaque');
  }
  if (background === 'transparent' && !png) throw invalidParameter('background', 'background transparent requires output_format png');
  return background;
}

function checkTools(tools: unknown, webSearchAccepted: boolean, modelId: string): boolean {
  if (tools === undefined) return false;
  if (!Array.isArray(tools)) throw invalidParameter('tools', 'tools must be an array of {"type": …} objects');
  let webSearch = false;
  for (const tool of tools) {
    const type: unknown = typeof tool === 'object' && tool !== null ? (tool as Record<string, unknown>).type : undefined;
    if (type !== 'web_search') throw invalidParameter('tools', `tool type ${String(type)} is not supported; the only tool is web_search`);
    if (!webSearchAccepted) throw unsupportedParameter('tools', modelId);
    webSearch = true;
  }
  return webSearch;
}
