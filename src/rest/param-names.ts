/**
 * Domain field paths (FieldViolation.field, as the core reports them) → the request field as the REST
 * caller spelled it, for `error.param` (reference §4.4). The REST dialects differ from the proto: an
 * image set is `sequential_image_generation`, prompt optimisation is `optimize_prompt_options.mode`, web
 * search is `tools`, and reference images are `image` or `image_input`, as a string or an array.
 */

/** How the caller sent reference images: under which name, and as one string or an array. */
export interface ReferenceSpelling {
  readonly name: 'image' | 'image_input';
  readonly single: boolean;
}

/** Domain fields whose REST spelling does not depend on the request. A Map, so that caller-chosen names
 *  such as `__proto__` or `constructor` never hit Object.prototype. */
const restNames: ReadonlyMap<string, string> = new Map(Object.entries({
  prompt: 'prompt',
  size: 'size',
  n: 'n',
  seed: 'seed',
  guidanceScale: 'guidance_scale',
  imageSet: 'sequential_image_generation',
  'imageSet.maxImages': 'sequential_image_generation_options.max_images',
  promptOptimization: 'optimize_prompt_options.mode',
  outputFormat: 'output_format',
  webSearch: 'tools',
  background: 'background',
  thinking: 'optimize_prompt_options.thinking',
  model: 'model',
  modelId: 'model',
  responseFormat: 'response_format',
  webhookUrl: 'webhook_url',
  idempotencyKey: 'Idempotency-Key',
  user: 'user',
  watermark: 'watermark',
}));

const referenceIndex = /^referenceImages\[(\d+)\]$/;

/**
 * The caller's spelling of a domain field. Names that are not domain fields (the edge's own
 * violations, already in REST spelling) come back unchanged; `spec` (the whole request) becomes null.
 */
export function restParamName(field: string, refs: ReferenceSpelling | undefined): string | null {
  const known = restNames.get(field);
  if (known !== undefined) return known;
  if (field === 'spec') return null;
  const name = refs?.name ?? 'image';
  if (field === 'referenceImages') return name;
  const indexed = referenceIndex.exec(field);
  if (indexed !== null) return refs?.single === true ? name : `${name}[${indexed[1]}]`;
  return field;
}

/** A `paramOf` function for openAiErrorFromGatewayError, bound to one request's spelling. */
export function paramNamer(refs: ReferenceSpelling | undefined): (field: string) => string | null {
  return (field) => restParamName(field, refs);
}
