/**
 * The generated proto request → the core's GenerationSpec. Shared by both edges (gRPC decodes into the
 * proto message, REST translates OpenAI JSON into it), so it lives here rather than in either edge. Structural checks the contract cannot
 * express (a oneof left empty, an UNSPECIFIED tier) fail here with domain field names; the core checks
 * the rest. The REST adapter builds the same proto message and comes through here too, so both edges
 * mean the same thing by the same request (DESIGN §2).
 */
import { invalidArgument, type FieldViolation } from '../errors.js';
import { ResponseFormat, type ImageGenerationSpec, type ReferenceImage as ProtoReferenceImage } from '../../gen/seedream/v1/generation_spec.js';
import { Background } from '../../gen/seedream/v1/model_options.js';
import { OutputFormat, PromptOptimizationMode, SizeTier, type Size } from '../../gen/seedream/v1/types.js';
import type { BackgroundName, ModelKey, OutputFormatName, PromptOptimizationModeName, SizeRequest, SizeTierName } from '../models/types.js';
import type { GenerationSpec, ReferenceImage, ResponseFormatName } from '../service/types.js';

type ModelCase = NonNullable<ImageGenerationSpec['model']>['$case'];

/** oneof member ($case) → catalog key. */
export const modelKeyOfCase: Readonly<Record<ModelCase, ModelKey>> = {
  seedream30: 'seedream_3_0',
  seedream40: 'seedream_4_0',
  seedream45: 'seedream_4_5',
  seedream50Lite: 'seedream_5_0_lite',
  seedream50Pro: 'seedream_5_0_pro',
  seedream50Flash: 'seedream_5_0_flash',
  seedream55: 'seedream_5_5',
};

/** Every spelling of the oneof members a client may have used: proto (snake_case), proto JSON
 *  (lowerCamel) and proto-loader with `keepCase: false` (which keeps `_` before digits). A wrong guess is
 *  dropped silently by decoders, so the "no model" error lists all three. */
export function modelMemberSpellings(): string {
  return Object.entries(modelKeyOfCase)
    .map(([jsonName, key]) => {
      const protoLoader = key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
      const names = [...new Set([key, jsonName, protoLoader])];
      return names.join(' / ');
    })
    .join('; ');
}

const tierNames: Readonly<Record<number, SizeTierName>> = {
  [SizeTier.SIZE_TIER_1K]: '1K',
  [SizeTier.SIZE_TIER_1_5K]: '1.5K',
  [SizeTier.SIZE_TIER_2K]: '2K',
  [SizeTier.SIZE_TIER_3K]: '3K',
  [SizeTier.SIZE_TIER_4K]: '4K',
};

/** Converts a request's spec, or throws INVALID_ARGUMENT listing every structural problem. */
export function specFromProto(proto: ImageGenerationSpec | undefined): GenerationSpec {
  if (proto === undefined) throw invalidArgument([{ field: 'spec', description: 'spec is required' }]);
  const violations: FieldViolation[] = [];
  const violate = (field: string, description: string) => violations.push({ field, description });

  const referenceImages = proto.referenceImages.flatMap((image, i) => {
    const converted = referenceImageFromProto(image);
    if (typeof converted === 'string') {
      violate(`referenceImages[${i}]`, converted);
      return [];
    }
    return [converted];
  });

  const responseFormat = responseFormatFromProto(proto.responseFormat);
  if (responseFormat === undefined) violate('responseFormat', `unknown response format ${proto.responseFormat}`);

  const model = proto.model;
  if (model === undefined) {
    violate('model', `choose a model: set one member of the model oneof (proto / JSON / proto-loader spelling): ${modelMemberSpellings()}`);
    throw invalidArgument(violations);
  }
  const options = modelOptions(model, violate);
  if (violations.length > 0) throw invalidArgument(violations);

  return {
    model: modelKeyOfCase[model.$case],
    prompt: proto.prompt,
    referenceImages,
    responseFormat: responseFormat ?? 'url',
    n: proto.n === 0 ? 1 : proto.n,
    ...(proto.watermark !== undefined && { watermark: proto.watermark }),
    ...(proto.user !== '' && { user: proto.user }),
    ...options,
  };
}

type ModelOptions = Partial<
  Pick<GenerationSpec, 'modelId' | 'size' | 'seed' | 'guidanceScale' | 'imageSet' | 'promptOptimization' | 'outputFormat' | 'webSearch' | 'background' | 'thinking'>
>;

function modelOptions(model: NonNullable<ImageGenerationSpec['model']>, violate: (field: string, description: string) => void): ModelOptions {
  const out: { -readonly [K in keyof ModelOptions]: ModelOptions[K] } = {};
  if (model.value.modelId !== '') out.modelId = model.value.modelId;
  if (model.$case === 'seedream30') {
    // 3.0 has exact dimensions only.
    if (model.value.size !== undefined) out.size = { kind: 'pixels', width: model.value.size.width, height: model.value.size.height };
    if (model.value.seed !== undefined) out.seed = model.value.seed;
    if (model.value.guidanceScale !== undefined) out.guidanceScale = model.value.guidanceScale;
    return out;
  }
  const options = model.value; // narrowed: every other model has a Size (tier or pixels)
  const size = sizeFromProto(options.size);
  if (typeof size === 'string') violate('size', size);
  else if (size !== undefined) out.size = size;
  if ('imageSet' in options && options.imageSet !== undefined) {
    out.imageSet = options.imageSet.maxImages === 0 ? {} : { maxImages: options.imageSet.maxImages };
  }
  if ('promptOptimization' in options) {
    const mode = promptModeFromProto(options.promptOptimization);
    if (mode === null) violate('promptOptimization', `unknown prompt optimisation mode ${options.promptOptimization}`);
    else if (mode !== undefined) out.promptOptimization = mode;
  }
  if ('outputFormat' in options) {
    const format = outputFormatFromProto(options.outputFormat);
    if (format === null) violate('outputFormat', `unknown output format ${options.outputFormat}`);
    else if (format !== undefined) out.outputFormat = format;
  }
  if ('webSearch' in options && options.webSearch) out.webSearch = true;
  if ('thinking' in options && options.thinking !== undefined) out.thinking = options.thinking;
  if ('background' in options) {
    const background = backgroundFromProto(options.background);
    if (background === null) violate('background', `unknown background ${options.background}`);
    else if (background !== undefined) out.background = background;
  }
  return out;
}

function referenceImageFromProto(image: ProtoReferenceImage): ReferenceImage | string {
  const source = image.source;
  if (source === undefined) return 'set url or data';
  if (source.$case === 'data') {
    return { kind: 'bytes', data: source.value, ...(image.mimeType !== '' && { mimeType: image.mimeType }) };
  }
  if (image.mimeType !== '') return 'mime_type applies only to data; a data URI carries its own';
  // A data: URI travels as a URL string (RFC 2397); it is validated and passed on without decoding.
  return source.value.startsWith('data:') ? { kind: 'data-uri', uri: source.value } : { kind: 'url', url: source.value };
}

function sizeFromProto(size: Size | undefined): SizeRequest | string | undefined {
  if (size === undefined) return undefined;
  const kind = size.kind;
  if (kind === undefined) return 'set tier or pixels';
  if (kind.$case === 'pixels') return { kind: 'pixels', width: kind.value.width, height: kind.value.height };
  const tier = tierNames[kind.value];
  return tier === undefined ? 'choose a size tier (SIZE_TIER_UNSPECIFIED is not one)' : { kind: 'tier', tier };
}

function responseFormatFromProto(format: ResponseFormat): ResponseFormatName | undefined {
  switch (format) {
    case ResponseFormat.RESPONSE_FORMAT_UNSPECIFIED:
    case ResponseFormat.RESPONSE_FORMAT_URL:
      return 'url';
    case ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES:
      return 'b64_json';
    default:
      return undefined;
  }
}

/** undefined = unset; null = a value the contract does not define. */
function promptModeFromProto(mode: PromptOptimizationMode): PromptOptimizationModeName | undefined | null {
  switch (mode) {
    case PromptOptimizationMode.PROMPT_OPTIMIZATION_MODE_UNSPECIFIED:
      return undefined;
    case PromptOptimizationMode.PROMPT_OPTIMIZATION_MODE_STANDARD:
      return 'standard';
    case PromptOptimizationMode.PROMPT_OPTIMIZATION_MODE_FAST:
      return 'fast';
    default:
      return null;
  }
}

function outputFormatFromProto(format: OutputFormat): OutputFormatName | undefined | null {
  switch (format) {
    case OutputFormat.OUTPUT_FORMAT_UNSPECIFIED:
      return undefined;
    case OutputFormat.OUTPUT_FORMAT_JPEG:
      return 'jpeg';
    case OutputFormat.OUTPUT_FORMAT_PNG:
      return 'png';
    default:
      return null;
  }
}

function backgroundFromProto(background: Background): BackgroundName | undefined | null {
  switch (background) {
    case Background.BACKGROUND_UNSPECIFIED:
      return undefined;
    case Background.BACKGROUND_AUTO:
      return 'auto';
    case Background.BACKGROUND_TRANSPARENT:
      return 'transparent';
    case Background.BACKGROUND_OPAQUE:
      return 'opaque';
    default:
      return null;
  }
}
