/**
 * Domain field paths (FieldViolation.field) → proto field paths as gRPC callers see them in
 * `google.rpc.BadRequest` (proto names, e.g. `spec.seedream_4_5.image_set.max_images`).
 */
import type { ModelKey } from '../models/types.js';

/** Fields that live in the model's options message. */
const optionFields: Readonly<Record<string, string>> = {
  modelId: 'model_id',
  size: 'size',
  seed: 'seed',
  guidanceScale: 'guidance_scale',
  imageSet: 'image_set',
  'imageSet.maxImages': 'image_set.max_images',
  promptOptimization: 'prompt_optimization',
  outputFormat: 'output_format',
  webSearch: 'web_search',
  background: 'background',
  thinking: 'thinking',
};

/** Fields of ImageGenerationSpec itself. */
const specFields: Readonly<Record<string, string>> = {
  prompt: 'prompt',
  referenceImages: 'reference_images',
  responseFormat: 'response_format',
  watermark: 'watermark',
  n: 'n',
  user: 'user',
  model: 'model',
};

/** Fields of the request messages beside `spec` (jobs and idempotency, DESIGN §10). */
const requestFields: Readonly<Record<string, string>> = {
  idempotencyKey: 'request_id',
  webhookUrl: 'webhook_url',
  name: 'name',
  afterSequence: 'after_sequence',
  pageSize: 'page_size',
  pageToken: 'page_token',
};

/**
 * The proto path of a domain field. `model` is the request's model key (the oneof member name), when
 * known. Unknown fields are returned under `spec.` unchanged rather than guessed.
 */
export function protoFieldPath(field: string, model: ModelKey | undefined): string {
  if (field === 'spec') return 'spec';
  const top = requestFields[field];
  if (top !== undefined) return top;
  const indexed = /^referenceImages\[(\d+)\]$/.exec(field);
  if (indexed !== null) return `spec.reference_images[${indexed[1]}]`;
  const option = optionFields[field];
  if (option !== undefined) return model === undefined ? `spec.model.${option}` : `spec.${model}.${option}`;
  return `spec.${specFields[field] ?? field}`;
}
