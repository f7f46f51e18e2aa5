/**
 * What a valid request will produce: how many images (the model "decides" for image sets, reference
 * §1.5), their pixel size (tiers map through the §1.3 tables, steered by an aspect ratio in the prompt),
 * the seed, and which optional fields the model's answers carry (§2).
 */
import { MAX_IMAGES_PER_UPSTREAM_REQUEST } from '../models/catalog.js';
import { aspectHintFromPrompt, tierDimensions } from '../models/sizes.js';
import type { Dimensions, ModelKey } from '../models/types.js';
import type { RenderParams } from './imaging/render.js';
import type { GenerationRequest } from './validate.js';

/** The images a request will produce. */
export interface GenerationPlan {
  readonly count: number;
  readonly size: Dimensions;
  readonly seed: number;
  /** Render parameters of image `index`. */
  render(index: number): RenderParams;
}

/** Draws the plan; `drawSeed` supplies the seed when the request has none (the upstream's default -1). */
export function planGeneration(request: GenerationRequest, drawSeed: () => number): GenerationPlan {
  const size = outputSize(request);
  const seed = request.seed ?? drawSeed();
  const base = {
    prompt: request.prompt,
    seed,
    width: size.width,
    height: size.height,
    watermark: request.watermark,
    format: request.outputFormat,
    transparent: request.background === 'transparent',
  };
  return { count: imageCount(request), size, seed, render: (index) => ({ ...base, index }) };
}

function outputSize(request: GenerationRequest): Dimensions {
  const { size, entry, prompt } = request;
  if (size.kind === 'pixels') return { width: size.width, height: size.height };
  // Validation accepted the tier, so the table exists; the prompt's ratio picks the row (1:1 without one).
  const dims = tierDimensions(entry, size.tier, aspectHintFromPrompt(prompt));
  if (dims === undefined) throw new Error(`catalog has no ${size.tier} table for ${entry.key}`);
  return dims;
}

const numberWords: Readonly<Record<string, number>> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8,
  nine: 9, ten: 10, eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15,
};
const englishCount =
  /\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen)\s+(?:[a-z-]+\s+)?(?:images?|pictures?|photos?|illustrations?|drawings?|frames?|panels?|variations?|versions?)\b/i;
const chineseCount = /(\d{1,2})\s*(?:张|幅)/;

/** The number of images a prompt asks for ("4 images", "three photos", "4张"), if it names one. */
export function countFromPrompt(prompt: string): number | undefined {
  const english = englishCount.exec(prompt);
  const token = english?.[1] ?? chineseCount.exec(prompt)?.[1];
  if (token === undefined) return undefined;
  return numberWords[token.toLowerCase()] ?? Number(token);
}

/** One image unless `auto`; with `auto`, the prompt's count (else max_images, default 15), bounded by
 *  max_images and by 15 − references (reference §1.5). */
function imageCount(request: GenerationRequest): number {
  if (request.imageSet === undefined) return 1;
  const room = MAX_IMAGES_PER_UPSTREAM_REQUEST - request.referenceImages;
  const cap = Math.min(request.imageSet.maxImages ?? MAX_IMAGES_PER_UPSTREAM_REQUEST, room);
  const wanted = countFromPrompt(request.prompt) ?? cap;
  return Math.max(1, Math.min(wanted, cap));
}

/** Optional fields of the answers that depend on the model (reference §2). Keyed by ModelKey so a new
 *  catalog model fails to compile until its answer shape is decided. */
export interface AnswerShape {
  /** `data[].size` — absent for 3.0. */
  readonly size: boolean;
  /** `data[].output_format` — 5.0 pro/flash; ⚠ unclear for lite, so left out (callers must not need it). */
  readonly outputFormat: boolean;
  /** `usage.input_images` — 5.0 pro/flash. */
  readonly inputImages: boolean;
}

const answerShapes: Readonly<Record<ModelKey, AnswerShape>> = {
  seedream_3_0: { size: false, outputFormat: false, inputImages: false },
  seedream_4_0: { size: true, outputFormat: false, inputImages: false },
  seedream_4_5: { size: true, outputFormat: false, inputImages: false },
  seedream_5_0_lite: { size: true, outputFormat: false, inputImages: false },
  seedream_5_0_pro: { size: true, outputFormat: true, inputImages: true },
  seedream_5_0_flash: { size: true, outputFormat: true, inputImages: true },
  seedream_5_5: { size: true, outputFormat: true, inputImages: true },
};

/** The answer shape of a catalog model. */
export function answerShape(key: ModelKey): AnswerShape {
  return answerShapes[key];
}
