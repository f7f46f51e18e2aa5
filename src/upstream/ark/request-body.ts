/**
 * The JSON body of `POST /images/generations` (reference §1.1), carrying only the fields the model
 * accepts (catalog `options`, reference §1.2). The caller has validated the request; this only shapes
 * it. The body is built with one `JSON.stringify`: reference images can be tens of MB of base64, so
 * there is no intermediate serialisation and the strings are not copied before it (DESIGN §8).
 */
import type { UpstreamImageRequest } from '../types.js';

/** Ark's request body. Optional members are left out rather than `null`, so the upstream applies its
 *  documented defaults. */
export interface ArkRequestBody {
  model: string;
  prompt: string;
  image?: string | readonly string[];
  size?: string;
  seed?: number;
  guidance_scale?: number;
  sequential_image_generation?: 'auto';
  sequential_image_generation_options?: { max_images: number };
  stream?: true;
  response_format: 'url' | 'b64_json';
  watermark?: boolean;
  optimize_prompt_options?: { mode?: string; thinking?: 'enabled' | 'disabled' };
  background?: string;
  output_format?: string;
  tools?: readonly { type: 'web_search' }[];
  /** Only for relays (`BodyOptions.includeUser`); Ark has no `user` (reference §1.1). */
  user?: string;
}

/** What the body needs besides the request. */
export interface BodyOptions {
  /** The id to send as `model` (region-mapped model id or Ark endpoint id). */
  readonly modelId: string;
  /** Whether to ask for SSE (the caller decided: `stream` requested and the model streams natively). */
  readonly stream: boolean;
  /** Send `user` when the request has one (OpenAI-compatible relays take it; Ark does not). */
  readonly includeUser?: boolean;
}

const webSearchTools = Object.freeze([Object.freeze({ type: 'web_search' as const })]);

/** The body as an object; `arkRequestJson` serialises it. Exposed for tests. */
export function arkRequestBody(request: UpstreamImageRequest, options: BodyOptions): ArkRequestBody {
  const accepts = request.model.options;
  const body: ArkRequestBody = { model: options.modelId, prompt: request.prompt, response_format: request.responseFormat };
  // One reference → a plain string, several → an array. Every Ark image model takes the string form
  // (single-image editors such as SeedEdit take only that), and it is what the docs' single-image
  // examples send; arrays are only needed for several images (reference §1.1).
  if (request.model.maxReferenceImages > 0) {
    if (request.images.length === 1) body.image = request.images[0];
    else if (request.images.length > 1) body.image = request.images;
  }
  if (accepts.includes('size')) body.size = request.size;
  if (request.watermark !== undefined) body.watermark = request.watermark;
  if (accepts.includes('seed') && request.seed !== undefined) body.seed = request.seed;
  if (accepts.includes('guidance_scale') && request.guidanceScale !== undefined) {
    body.guidance_scale = request.guidanceScale;
  }
  if (accepts.includes('image_set') && request.imageSet !== undefined) {
    body.sequential_image_generation = 'auto';
    body.sequential_image_generation_options = { max_images: request.imageSet.maxImages };
  }
  if (accepts.includes('prompt_optimization') && request.promptOptimization !== undefined) {
    body.optimize_prompt_options = { mode: request.promptOptimization };
  }
  if (accepts.includes('thinking') && request.thinking !== undefined) {
    body.optimize_prompt_options = { ...body.optimize_prompt_options, thinking: request.thinking ? 'enabled' : 'disabled' };
  }
  if (accepts.includes('background') && request.background !== undefined) body.background = request.background;
  if (accepts.includes('output_format') && request.outputFormat !== undefined) body.output_format = request.outputFormat;
  if (accepts.includes('web_search') && request.webSearch === true) body.tools = webSearchTools;
  if (options.stream) body.stream = true;
  if (options.includeUser === true && request.user !== undefined && request.user !== '') body.user = request.user;
  return body;
}

/** The serialised body, in one pass. */
export function arkRequestJson(request: UpstreamImageRequest, options: BodyOptions): string {
  return JSON.stringify(arkRequestBody(request, options));
}
