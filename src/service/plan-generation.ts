/**
 * Validation and planning: checks a GenerationSpec against the model catalog and the configured limits
 * (every rule of reference §1, DESIGN §4) before any upstream call, and turns it into the one upstream
 * request to send `n` times. Every violation is collected and reported together, each naming its field;
 * nothing is clamped or dropped.
 */
import { GatewayError, invalidArgument, type FieldViolation } from '../errors.js';
import { MAX_IMAGES_PER_UPSTREAM_REQUEST } from '../models/catalog.js';
import { findModel, modelByKey, upstreamModelId } from '../models/lookup.js';
import { formatSize, sizeProblem } from '../models/sizes.js';
import type { ModelEntry, ModelOption, Region } from '../models/types.js';
import type { UpstreamImageRequest } from '../upstream/types.js';
import { checkReferenceImage } from './reference-images.js';
import type { GenerationSpec } from './types.js';

export interface PlanLimits {
  readonly maxN: number;
  readonly maxImagesPerRequest: number;
  readonly promptMaxChars: number;
  readonly maxReferenceImageBytes: number;
}

export interface PlanContext {
  readonly limits: PlanLimits;
  readonly region: Region;
  /** Use upstream SSE for models that stream natively. */
  readonly preferStreaming: boolean;
}

/** A validated generation: one upstream request, sent `n` times. */
export interface GenerationPlan {
  readonly entry: ModelEntry;
  readonly request: UpstreamImageRequest;
  readonly n: number;
  /** Upper bound of images one upstream request can return (the set size, or 1). */
  readonly imagesPerRequest: number;
  readonly mimeType: 'image/jpeg' | 'image/png';
  /** Exact requested pixels, used when the upstream does not report sizes (3.0). */
  readonly requestedPixels?: { readonly width: number; readonly height: number };
}

const MAX_USER_CHARS = 256;

/** Validates `spec`; returns the plan or throws GatewayError (INVALID_ARGUMENT listing every problem, or
 *  MODEL_NOT_FOUND for an unknown pinned model name). */
export function planGeneration(spec: GenerationSpec, context: PlanContext): GenerationPlan {
  const { limits } = context;
  const entry = modelByKey(spec.model);
  const violations: FieldViolation[] = [];
  const violate = (field: string, description: string) => violations.push({ field, description });
  const accepts = (option: ModelOption) => entry.options.includes(option);
  const refuse = (field: string, what: string) => violate(field, `${entry.displayName} does not accept ${what}`);

  let snapshot = entry.snapshots[0];
  if (spec.modelId !== undefined && spec.modelId !== '') {
    const pinned = findModel(spec.modelId);
    if (pinned === undefined) {
      throw new GatewayError('MODEL_NOT_FOUND', `model ${JSON.stringify(spec.modelId)} is not in the catalog`, {
        violations: [{ field: 'modelId', description: 'unknown model name; ListModels lists every accepted name' }],
      });
    }
    if (pinned.entry.key !== entry.key) violate('modelId', `${spec.modelId} names ${pinned.entry.displayName}, not ${entry.displayName}`);
    else snapshot = pinned.snapshot;
  }

  const prompt = spec.prompt;
  if (prompt.trim() === '') violate('prompt', 'a prompt is required');
  else if (prompt.length > limits.promptMaxChars) violate('prompt', `prompt has ${prompt.length} characters; the limit is ${limits.promptMaxChars}`);

  const refs = spec.referenceImages;
  const images: string[] = [];
  if (refs.length > 0 && entry.maxReferenceImages === 0) violate('referenceImages', `${entry.displayName} does not accept reference images (text to image only)`);
  else if (refs.length > entry.maxReferenceImages) violate('referenceImages', `${refs.length} reference images; ${entry.displayName} accepts at most ${entry.maxReferenceImages}`);
  else {
    refs.forEach((image, i) => {
      const check = checkReferenceImage(image, `referenceImages[${i}]`, limits.maxReferenceImageBytes);
      if (check.ok) images.push(check.upstream);
      else violations.push(check.violation);
    });
  }

  if (!Number.isInteger(spec.n) || spec.n < 1 || spec.n > limits.maxN) violate('n', `n must be a whole number from 1 to ${limits.maxN}`);
  if (spec.user !== undefined && spec.user.length > MAX_USER_CHARS) violate('user', `user is longer than ${MAX_USER_CHARS} characters`);

  const size = spec.size ?? entry.defaultSize;
  const badSize = sizeProblem(entry, size);
  if (badSize !== undefined) violate('size', badSize);

  if (spec.seed !== undefined) {
    const range = entry.seedRange;
    if (!accepts('seed') || range === undefined) refuse('seed', 'a seed');
    else if (!Number.isInteger(spec.seed) || spec.seed < range[0] || spec.seed > range[1]) violate('seed', `seed must be a whole number from ${range[0]} to ${range[1]}`);
  }
  if (spec.guidanceScale !== undefined) {
    const guidance = entry.guidanceScale;
    if (!accepts('guidance_scale') || guidance === undefined) refuse('guidanceScale', 'guidance_scale');
    else if (!Number.isFinite(spec.guidanceScale) || spec.guidanceScale < guidance.range[0] || spec.guidanceScale > guidance.range[1]) {
      violate('guidanceScale', `guidance_scale must be from ${guidance.range[0]} to ${guidance.range[1]}`);
    }
  }

  let imagesPerRequest = 1;
  if (spec.imageSet !== undefined) {
    // References and generated images share one budget of 15 (reference §1.5). Whether the upstream
    // rejects or caps an over-large max_images is undocumented (⚠): we reject, naming the numbers.
    const room = MAX_IMAGES_PER_UPSTREAM_REQUEST - refs.length;
    const maxImages = spec.imageSet.maxImages ?? room;
    if (!accepts('image_set')) refuse('imageSet', 'image sets (sequential_image_generation)');
    else if (!Number.isInteger(maxImages) || maxImages < 1 || maxImages > MAX_IMAGES_PER_UPSTREAM_REQUEST) {
      violate('imageSet.maxImages', `max_images must be a whole number from 1 to ${MAX_IMAGES_PER_UPSTREAM_REQUEST}`);
    } else if (maxImages > room) {
      violate('imageSet.maxImages', `${refs.length} reference images + max_images ${maxImages} exceeds ${MAX_IMAGES_PER_UPSTREAM_REQUEST}; use at most ${room}`);
    } else imagesPerRequest = maxImages;
  }

  // A model without the option still "accepts" its one fixed value (standard mode, jpeg): asking for it is
  // not an error, and nothing needs to be sent for it. Any other value is rejected, never dropped.
  const modes = entry.promptOptimizationModes;
  if (spec.promptOptimization !== undefined && !modes.includes(spec.promptOptimization)) {
    if (modes.length === 0) refuse('promptOptimization', 'prompt optimisation options');
    else violate('promptOptimization', `${entry.displayName} accepts only the mode${modes.length > 1 ? 's' : ''} ${modes.join(', ')}`);
  }
  if (spec.outputFormat !== undefined && !entry.outputFormats.includes(spec.outputFormat)) {
    violate('outputFormat', `${entry.displayName} produces only ${entry.outputFormats.join(' or ')}`);
  }
  if (spec.webSearch === true && !accepts('web_search')) refuse('webSearch', 'web search tools');
  if (spec.background !== undefined) {
    if (!accepts('background')) refuse('background', 'a background choice');
    // Upstream refuses a transparent JPEG (reference-updates §3.1): say so before paying a round trip.
    else if (spec.background === 'transparent' && spec.outputFormat !== 'png') violate('background', 'a transparent background needs output_format png');
  }
  if (spec.thinking !== undefined) {
    if (!accepts('thinking')) refuse('thinking', 'the thinking option');
    // Thinking can be disabled for text-to-image only (reference-updates §3.2).
    else if (!spec.thinking && refs.length > 0) violate('thinking', `thinking must stay enabled with reference images on ${entry.displayName}`);
  }

  const total = spec.n * imagesPerRequest;
  if (violations.length === 0 && total > limits.maxImagesPerRequest) {
    violate(spec.imageSet ? 'imageSet.maxImages' : 'n', `n × images per set = ${total}; at most ${limits.maxImagesPerRequest} images per call`);
  }
  if (violations.length > 0) throw invalidArgument(violations);

  const outputFormat = accepts('output_format') ? spec.outputFormat : undefined;
  const request: UpstreamImageRequest = {
    model: entry,
    modelId: upstreamModelId(snapshot, context.region),
    prompt,
    images,
    size: formatSize(size),
    responseFormat: spec.responseFormat,
    stream: context.preferStreaming && entry.nativeStreaming,
    ...(spec.watermark !== undefined && { watermark: spec.watermark }),
    ...(spec.seed !== undefined && { seed: spec.seed }),
    ...(spec.guidanceScale !== undefined && { guidanceScale: spec.guidanceScale }),
    ...(spec.imageSet !== undefined && { imageSet: { maxImages: imagesPerRequest } }),
    ...(accepts('prompt_optimization') && spec.promptOptimization !== undefined && { promptOptimization: spec.promptOptimization }),
    ...(outputFormat !== undefined && { outputFormat }),
    ...(spec.webSearch === true && { webSearch: true }),
    ...(accepts('background') && spec.background !== undefined && { background: spec.background }),
    ...(accepts('thinking') && spec.thinking !== undefined && { thinking: spec.thinking }),
    ...(spec.user !== undefined && spec.user !== '' && { user: spec.user }),
  };
  return {
    entry,
    request,
    n: spec.n,
    imagesPerRequest,
    mimeType: outputFormat === 'png' ? 'image/png' : 'image/jpeg',
    ...(size.kind === 'pixels' && { requestedPixels: { width: size.width, height: size.height } }),
  };
}
