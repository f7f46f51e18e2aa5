/**
 * OpenAI-style JSON (both Seedream dialects) → the generated proto `ImageGenerationSpec`, so the REST
 * edge enters the core exactly as a gRPC call does (DESIGN §2). Only what the proto for the chosen model
 * cannot hold is rejected here (a `seed` for 4.5, `mode: "fast"` for 4.5, a tier for 3.0, an unparseable
 * size, `tools` off 5.0 lite); everything else — sizes, counts, data URIs, limits — the core validates.
 * A value that is the model's only one (`mode: "standard"` for 4.5, `output_format: "jpeg"` for 4.0) is
 * accepted and needs no field (reference §1.2).
 */
import { ResponseFormat, type ImageGenerationSpec, type ReferenceImage } from '../../gen/seedream/v1/generation_spec.js';
import { Background } from '../../gen/seedream/v1/model_options.js';
import { OutputFormat, PromptOptimizationMode, SizeTier, type Dimensions, type ImageSetOptions, type Size } from '../../gen/seedream/v1/types.js';
import type { FieldViolation } from '../errors.js';
import type { ResolvedModel } from '../models/lookup.js';
import { formatSize, parseSize, sizeProblem, tierDimensions } from '../models/sizes.js';
import type { BackgroundName, ModelEntry, ModelKey, ModelOption, SizeRequest, SizeTierName } from '../models/types.js';
import { restInvalidArgument } from './openai-errors.js';
import type { ReferenceSpelling } from './param-names.js';
import type { ImageRequest } from './request-schema.js';

/** The proto request, how the caller spelled its reference images (for `error.param`), and warnings
 *  for fields the chosen model ignores. */
export interface TranslatedRequest {
  readonly spec: ImageGenerationSpec;
  readonly refs: ReferenceSpelling | undefined;
  readonly warnings: readonly string[];
}

const protoBackgrounds: Readonly<Record<BackgroundName, Background>> = {
  auto: Background.BACKGROUND_AUTO,
  transparent: Background.BACKGROUND_TRANSPARENT,
  opaque: Background.BACKGROUND_OPAQUE,
};

const protoTiers: Readonly<Record<SizeTierName, SizeTier>> = {
  '1K': SizeTier.SIZE_TIER_1K,
  '1.5K': SizeTier.SIZE_TIER_1_5K,
  '2K': SizeTier.SIZE_TIER_2K,
  '3K': SizeTier.SIZE_TIER_3K,
  '4K': SizeTier.SIZE_TIER_4K,
};

/** Values for the options message; each is set only when the model's message has the field. */
interface MemberValues {
  readonly modelId: string;
  readonly size: SizeRequest | undefined;
  readonly seed: number | undefined;
  readonly guidanceScale: number | undefined;
  readonly imageSet: ImageSetOptions | undefined;
  readonly promptOptimization: PromptOptimizationMode;
  readonly outputFormat: OutputFormat;
  readonly webSearch: boolean;
  readonly background: Background;
  readonly thinking: boolean | undefined;
}

/** Builds the proto spec for `model`, or throws RestRequestError naming every field the model's
 *  options message cannot hold, in the caller's spelling. */
export function protoSpecFromOpenAi(request: ImageRequest, model: ResolvedModel): TranslatedRequest {
  const entry = model.entry;
  const violations: FieldViolation[] = [];
  const violate = (field: string, description: string) => violations.push({ field, description });
  const accepts = (option: ModelOption) => entry.options.includes(option);
  const name = entry.displayName;

  const { image, image_input: imageInput } = request;
  if (image != null && imageInput != null) violate('image_input', 'send reference images as image or image_input, not both');
  const sent = image ?? imageInput;
  const refs: ReferenceSpelling | undefined =
    sent == null ? undefined : { name: image != null ? 'image' : 'image_input', single: typeof sent === 'string' };
  // A data URI travels in `url` (RFC 2397): the core validates it and passes it on without decoding.
  const toReference = (url: string): ReferenceImage => ({ source: { $case: 'url', value: url }, mimeType: '' });
  const referenceImages = sent == null ? [] : typeof sent === 'string' ? [toReference(sent)] : sent.map(toReference);

  let size: SizeRequest | undefined;
  if (request.size != null) {
    size = parseSize(request.size);
    if (size === undefined) violate('size', `${JSON.stringify(request.size)} is not a size; ${acceptedSizes(entry)}`);
    else if (size.kind === 'tier' && Object.keys(entry.sizeTiers).length === 0) violate('size', sizeProblem(entry, size) ?? acceptedSizes(entry));
  }
  if (request.seed != null && !accepts('seed')) violate('seed', `${name} does not accept seed`);
  if (request.guidance_scale != null && !accepts('guidance_scale')) violate('guidance_scale', `${name} does not accept guidance_scale`);
  const imageSet = request.sequential_image_generation === 'auto';
  if (imageSet && !accepts('image_set')) {
    violate('sequential_image_generation', `${name} does not generate image sets; use n for independent images`);
  }
  const mode = request.optimize_prompt_options?.mode ?? undefined;
  const modes = entry.promptOptimizationModes;
  if (mode !== undefined && !modes.includes(mode)) {
    violate('optimize_prompt_options.mode', modes.length === 0 ? `${name} does not accept optimize_prompt_options` : `${name} accepts only the mode${modes.length > 1 ? 's' : ''} ${modes.join(', ')}`);
  }
  const format = request.output_format ?? undefined;
  if (format !== undefined && !entry.outputFormats.includes(format)) violate('output_format', `${name} produces only ${entry.outputFormats.join(' or ')}`);
  const webSearch = (request.tools?.length ?? 0) > 0;
  if (webSearch && !accepts('web_search')) violate('tools', `${name} does not accept tools (web_search is Seedream 5.0 lite only)`);
  const warnings: string[] = [];
  const background = request.background ?? undefined;
  if (background !== undefined && !accepts('background')) warnings.push(`background is not supported by ${name} and was ignored`);
  const thinking = request.optimize_prompt_options?.thinking ?? undefined;
  if (thinking !== undefined && !accepts('thinking')) violate('optimize_prompt_options.thinking', `${name} does not accept thinking`);
  if (violations.length > 0) throw restInvalidArgument(violations);

  const values: MemberValues = {
    modelId: request.model,
    size,
    seed: request.seed ?? undefined,
    guidanceScale: request.guidance_scale ?? undefined,
    imageSet: imageSet ? { maxImages: request.sequential_image_generation_options?.max_images ?? 0 } : undefined,
    promptOptimization: accepts('prompt_optimization') ? protoMode(mode) : PromptOptimizationMode.PROMPT_OPTIMIZATION_MODE_UNSPECIFIED,
    outputFormat: accepts('output_format') ? protoFormat(format) : OutputFormat.OUTPUT_FORMAT_UNSPECIFIED,
    webSearch,
    background: background !== undefined && accepts('background') ? protoBackgrounds[background] : Background.BACKGROUND_UNSPECIFIED,
    // `auto` is the upstream's default: nothing to send.
    thinking: thinking === 'enabled' ? true : thinking === 'disabled' ? false : undefined,
  };
  const spec: ImageGenerationSpec = {
    prompt: request.prompt,
    referenceImages,
    responseFormat: request.response_format === 'b64_json' ? ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES : ResponseFormat.RESPONSE_FORMAT_URL,
    watermark: request.watermark ?? undefined,
    n: request.n ?? 0,
    user: request.user ?? '',
    model: modelMember(entry.key, values),
  };
  return { spec, refs, warnings };
}

/** The options message of the model's oneof member, holding only the fields it has. */
function modelMember(key: ModelKey, v: MemberValues): NonNullable<ImageGenerationSpec['model']> {
  const size = protoSize(v.size);
  switch (key) {
    case 'seedream_3_0': {
      // 3.0 takes exact pixels only; a tier was rejected above.
      const pixels: Dimensions | undefined = v.size?.kind === 'pixels' ? { width: v.size.width, height: v.size.height } : undefined;
      return { $case: 'seedream30', value: { modelId: v.modelId, size: pixels, seed: v.seed, guidanceScale: v.guidanceScale } };
    }
    case 'seedream_4_0':
      return { $case: 'seedream40', value: { modelId: v.modelId, size, imageSet: v.imageSet, promptOptimization: v.promptOptimization } };
    case 'seedream_4_5':
      return { $case: 'seedream45', value: { modelId: v.modelId, size, imageSet: v.imageSet } };
    case 'seedream_5_0_lite':
      return { $case: 'seedream50Lite', value: { modelId: v.modelId, size, imageSet: v.imageSet, outputFormat: v.outputFormat, webSearch: v.webSearch } };
    case 'seedream_5_0_pro':
      return { $case: 'seedream50Pro', value: { modelId: v.modelId, size, promptOptimization: v.promptOptimization, outputFormat: v.outputFormat, thinking: v.thinking } };
    case 'seedream_5_0_flash':
      return { $case: 'seedream50Flash', value: { modelId: v.modelId, size, outputFormat: v.outputFormat } };
    case 'seedream_5_5':
      return { $case: 'seedream55', value: { modelId: v.modelId, size, outputFormat: v.outputFormat, background: v.background } };
    default: {
      const unreachable: never = key;
      throw new Error(`no proto member for model ${String(unreachable)}`);
    }
  }
}

function protoSize(size: SizeRequest | undefined): Size | undefined {
  if (size === undefined) return undefined;
  if (size.kind === 'tier') return { kind: { $case: 'tier', value: protoTiers[size.tier] } };
  return { kind: { $case: 'pixels', value: { width: size.width, height: size.height } } };
}

function protoMode(mode: 'standard' | 'fast' | undefined): PromptOptimizationMode {
  if (mode === 'fast') return PromptOptimizationMode.PROMPT_OPTIMIZATION_MODE_FAST;
  if (mode === 'standard') return PromptOptimizationMode.PROMPT_OPTIMIZATION_MODE_STANDARD;
  return PromptOptimizationMode.PROMPT_OPTIMIZATION_MODE_UNSPECIFIED;
}

function protoFormat(format: 'jpeg' | 'png' | undefined): OutputFormat {
  if (format === 'png') return OutputFormat.OUTPUT_FORMAT_PNG;
  if (format === 'jpeg') return OutputFormat.OUTPUT_FORMAT_JPEG;
  return OutputFormat.OUTPUT_FORMAT_UNSPECIFIED;
}

/** The size forms a model accepts, for the message of an unparseable `size` (OpenAI's `auto` included). */
function acceptedSizes(entry: ModelEntry): string {
  const tiers = Object.keys(entry.sizeTiers) as SizeTierName[];
  const [min, max] = entry.pixelRange;
  const def = entry.defaultSize;
  const example = def.kind === 'pixels' ? formatSize(def) : formatSize({ kind: 'pixels', ...(tierDimensions(entry, def.tier) ?? { width: 2048, height: 2048 }) });
  const pixels = `WIDTHxHEIGHT with ${min} to ${max} pixels in total (for example ${example})`;
  return tiers.length === 0 ? `${entry.displayName} accepts only ${pixels}` : `${entry.displayName} accepts the tiers ${tiers.join(', ')} or ${pixels}`;
}
