/**
 * Validation of a generation request body against the catalog, in the upstream's terms (reference
 * §1.1–§1.5): the first broken rule becomes the Ark error the upstream would answer. Per-model rules
 * come only from src/models/ (sizes, reference limits, options, formats, streaming). Unknown fields are
 * ignored, as the upstream ignores them; a `null` value counts as absent.
 */
import { MAX_IMAGES_PER_UPSTREAM_REQUEST } from '../models/catalog.js';
import { findModel, upstreamModelId, type ResolvedModel } from '../models/lookup.js';
import { parseSize, sizeProblem } from '../models/sizes.js';
import type { BackgroundName, ModelEntry, OutputFormatName, SizeRequest } from '../models/types.js';
import { ArkError, invalidParameter, missingParameter, unsupportedParameter } from './ark-errors.js';
import { checkReferenceImages } from './reference-images.js';
import { checkModelOptions } from './validate-options.js';

/** A request that passed validation, reduced to what generation needs. */
export interface GenerationRequest {
  readonly entry: ModelEntry;
  /** The id echoed in `model`: the canonical id of the region whose name the request used. */
  readonly modelId: string;
  readonly prompt: string;
  readonly referenceImages: number;
  readonly size: SizeRequest;
  /** The requested seed; undefined when absent or -1 (a random one is drawn). */
  readonly seed: number | undefined;
  /** Set when `sequential_image_generation` is `auto`; `maxImages` only when the request gave it. */
  readonly imageSet: { readonly maxImages: number | undefined } | undefined;
  readonly stream: boolean;
  readonly responseFormat: 'url' | 'b64_json';
  readonly watermark: boolean;
  readonly outputFormat: OutputFormatName;
  readonly webSearch: boolean;
  /** 5.5 `background`, echoed in `data[].background`; transparent renders an RGBA PNG. */
  readonly background: BackgroundName | undefined;
}

/** Limits that are simulator options rather than catalog data. */
export interface ValidationLimits {
  /** Largest decoded data-URI image (reference §1.4: 10 MB older docs, 30 MB newer). */
  readonly maxReferenceImageBytes: number;
}

/** A view of the JSON body where `null` reads as absent. */
export type BodyFields = (name: string) => unknown;

/** Checks a parsed JSON body; throws the ArkError of the first broken rule. */
export function validateGenerationRequest(body: unknown, limits: ValidationLimits): GenerationRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ArkError(400, 'InvalidParameter', 'The request body must be a JSON object.');
  }
  const record = body as Record<string, unknown>;
  const field: BodyFields = (name) => record[name] ?? undefined;

  const model = field('model');
  if (model === undefined || model === '') throw missingParameter('model');
  if (typeof model !== 'string') throw invalidParameter('model', 'model must be a string');
  const resolved = findModel(model);
  // BytePlus answers 404 for an undated id (`seedream-5-0-lite`; reference-updates §3.2); only the
  // Volcengine short names (`doubao-…`) are taken without a date.
  if (resolved === undefined || isUndatedBytePlusName(model, resolved)) {
    throw new ArkError(
      404,
      'InvalidEndpointOrModel.NotFound',
      `The model or endpoint ${model} does not exist or you do not have access to it.`,
      'model',
    );
  }
  const { entry } = resolved;
  const modelId = echoedModelId(model, resolved);

  const prompt = field('prompt');
  if (prompt === undefined || (typeof prompt === 'string' && prompt.trim() === '')) throw missingParameter('prompt');
  if (typeof prompt !== 'string') throw invalidParameter('prompt', 'prompt must be a string');

  const responseFormat = field('response_format') ?? 'url';
  if (responseFormat !== 'url' && responseFormat !== 'b64_json') {
    throw invalidParameter('response_format', 'response_format must be one of: url, b64_json');
  }
  const watermark = field('watermark') ?? true; // reference §1.1: default true
  if (typeof watermark !== 'boolean') throw invalidParameter('watermark', 'watermark must be a boolean');
  const stream = field('stream') ?? false;
  if (typeof stream !== 'boolean') throw invalidParameter('stream', 'stream must be a boolean');

  const options = checkModelOptions(field, entry, modelId);
  const size = checkSize(field('size'), entry);
  const referenceImages = checkReferenceImages(field('image'), {
    maxImages: entry.maxReferenceImages,
    maxBytes: limits.maxReferenceImageBytes,
    modelId,
  });

  // ⚠ Whether refs + max_images > 15 is refused or capped is undocumented (reference §1.5): refuse, so a
  // caller that does not clamp is caught. An absent max_images defaults to what is left (15 − refs).
  const maxImages = options.imageSet?.maxImages;
  if (maxImages !== undefined && referenceImages + maxImages > MAX_IMAGES_PER_UPSTREAM_REQUEST) {
    throw invalidParameter(
      'sequential_image_generation_options.max_images',
      `reference images (${referenceImages}) plus max_images (${maxImages}) must not exceed ${MAX_IMAGES_PER_UPSTREAM_REQUEST}`,
    );
  }
  if (options.thinkingDisabled && referenceImages > 0) {
    throw invalidParameter('optimize_prompt_options.thinking', 'thinking can be disabled only for text-to-image requests');
  }
  // Streaming-capable models only (reference §1.2, §3); `stream: false` is always fine.
  if (stream && !entry.nativeStreaming) throw unsupportedParameter('stream', modelId);

  const { thinkingDisabled: _checked, ...choices } = options;
  return { entry, modelId, prompt, referenceImages, size, stream, responseFormat, watermark, ...choices };
}

function isUndatedBytePlusName(name: string, resolved: ResolvedModel): boolean {
  const lower = name.trim().toLowerCase();
  return resolved.entry.shortNames.includes(lower) && !lower.startsWith('doubao-');
}

function checkSize(value: unknown, entry: ModelEntry): SizeRequest {
  if (value === undefined) return entry.defaultSize;
  if (typeof value !== 'string') throw invalidParameter('size', 'size must be a string');
  const size = parseSize(value);
  if (size === undefined) throw invalidParameter('size', `${value} is neither a size tier (such as 2K) nor WIDTHxHEIGHT`);
  const problem = sizeProblem(entry, size);
  if (problem !== undefined) throw invalidParameter('size', problem);
  return size;
}

/** The canonical id of the region whose name was used; undated short names pick the region by prefix.
 *  ⚠ A third party saw a CN answer drop the date suffix for 5.0 pro (reference §2): we always echo dated. */
function echoedModelId(name: string, resolved: ResolvedModel): string {
  const lower = name.trim().toLowerCase();
  const { ids } = resolved.snapshot;
  const region = ids.cn.includes(lower) ? 'cn' : ids.international.includes(lower) ? 'international' : lower.startsWith('doubao-') ? 'cn' : 'international';
  return upstreamModelId(resolved.snapshot, region);
}
