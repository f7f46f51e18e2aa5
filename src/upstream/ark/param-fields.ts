/**
 * Ark's `param` (the wire field a 400 names, reference §2.1) as the gateway's domain field path
 * (FieldViolation.field), so callers see the field they sent, whatever edge they came through.
 */

// Wire field → domain field. Sub-paths of an entry map to the entry unless listed themselves.
const fieldByParam: Readonly<Record<string, string>> = {
  model: 'model',
  prompt: 'prompt',
  image: 'referenceImages',
  size: 'size',
  seed: 'seed',
  guidance_scale: 'guidanceScale',
  sequential_image_generation: 'imageSet',
  sequential_image_generation_options: 'imageSet',
  'sequential_image_generation_options.max_images': 'imageSet.maxImages',
  optimize_prompt_options: 'promptOptimization',
  'optimize_prompt_options.mode': 'promptOptimization',
  output_format: 'outputFormat',
  tools: 'webSearch',
  watermark: 'watermark',
  response_format: 'responseFormat',
  user: 'user',
};

// `image[3]`, `image.3`, `image/3` — Ark's spelling of an item index is not documented (⚠), so accept
// the usual forms.
const indexed = /^([a-z_]+)(?:\[(\d+)\]|[./](\d+))(.*)$/;
// "Image 0 failed: …" — Ark's per-image validator names the image in the message with `param: ""`
// (reference §1.4).
const imageInMessage = /^image\s+(\d+)\s+failed\b/i;

/** The domain field for an Ark `param`; an unknown param is kept as it is. */
export function domainFieldFromArkParam(param: string): string {
  const trimmed = param.trim();
  const direct = fieldByParam[trimmed];
  if (direct !== undefined) return direct;
  const match = indexed.exec(trimmed);
  if (match?.[1] === 'image') return `referenceImages[${match[2] ?? match[3]}]`;
  if (match?.[1] === 'tools') return 'webSearch';
  // `sequential_image_generation_options.foo`, `optimize_prompt_options.thinking`: the parent field.
  const dot = trimmed.indexOf('.');
  if (dot > 0) {
    const parent = fieldByParam[trimmed.slice(0, dot)];
    if (parent !== undefined) return parent;
  }
  return trimmed;
}

/**
 * The domain field an Ark 400 is about: its `param`, else the suffix of `MissingParameter.{P}` /
 * `InvalidParameter.{P}`, else an image index named in the message; undefined when none says.
 */
export function domainFieldFromArkError(
  param: string | undefined,
  code: string | undefined,
  message: string | undefined,
): string | undefined {
  if (param !== undefined && param.trim() !== '') return domainFieldFromArkParam(param);
  const dot = code?.indexOf('.') ?? -1;
  if (code !== undefined && dot > 0 && /^(Missing|Invalid)Parameter$/.test(code.slice(0, dot))) {
    return domainFieldFromArkParam(code.slice(dot + 1));
  }
  const image = message === undefined ? null : imageInMessage.exec(message);
  return image === null ? undefined : `referenceImages[${image[1]}]`;
}
