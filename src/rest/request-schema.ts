/**
 * The JSON body of `POST /v1/images/generations`: both Seedream dialects (reference §1.1 — `image`, and
 * the `image_input` of other gateways), plus the OpenAI Images fields (reference §4.1). One precompiled
 * zod schema (DESIGN §8); only types and shapes are checked here — the model's rules are checked by
 * spec-from-openai.ts and the core, which name the field the same way.
 */
import { z } from 'zod';
import { RestRequestError, restInvalidArgument } from './openai-errors.js';

const referenceImages = z.union([z.string(), z.array(z.string())]);

/**
 * OpenAI fields with no Seedream meaning (reference §1.1: Ark has no `quality`, `style`, `moderation`,
 * `partial_images`; `background` and `output_compression` are not in our contract). Accepted so OpenAI
 * SDK callers work unchanged, ignored, and reported back as warnings. `background` is Seedream 5.5's own
 * field: spec-from-openai.ts passes it on for 5.5 and warns for the other models.
 */
export const ignoredOpenAiFields = ['quality', 'style', 'moderation', 'output_compression', 'partial_images'] as const;

/** OpenAI's and Seedream 5.5's `background` values. */
export const backgroundValues = ['auto', 'transparent', 'opaque'] as const;

// `null` is accepted as "unset" for every optional field: OpenAI clients send it for unset values.
/** Exported for the test that holds the fast path (plainImageRequest) to it. */
export const imageRequestSchema = z.strictObject({
  model: z.string(),
  prompt: z.string(),
  size: z.string().nullish(),
  n: z.int().min(1).nullish(),
  response_format: z.enum(['url', 'b64_json']).nullish(),
  watermark: z.boolean().nullish(),
  seed: z.int().nullish(),
  guidance_scale: z.number().nullish(),
  sequential_image_generation: z.enum(['auto', 'disabled']).nullish(),
  sequential_image_generation_options: z.strictObject({ max_images: z.int().min(1).nullish() }).nullish(),
  stream: z.boolean().nullish(),
  optimize_prompt_options: z
    .strictObject({ mode: z.enum(['standard', 'fast']).nullish(), thinking: z.enum(['auto', 'enabled', 'disabled']).nullish() })
    .nullish(),
  output_format: z.enum(['jpeg', 'png']).nullish(),
  tools: z.array(z.strictObject({ type: z.literal('web_search') })).nullish(),
  user: z.string().nullish(),
  /** Where a job's signed webhook goes (DESIGN §10); used with `Prefer`/`Idempotency-Key`. */
  webhook_url: z.string().max(2048).nullish(),
  image: referenceImages.nullish(),
  image_input: referenceImages.nullish(),
  quality: z.unknown().optional(),
  style: z.unknown().optional(),
  background: z.enum(backgroundValues).nullish(),
  moderation: z.unknown().optional(),
  output_compression: z.unknown().optional(),
  partial_images: z.unknown().optional(),
});

/** A request body that passed the shape checks. */
export type ImageRequest = z.infer<typeof imageRequestSchema>;

/** The checked request and the warnings for what was accepted but ignored. */
export interface ParsedImageRequest {
  readonly request: ImageRequest;
  readonly warnings: readonly string[];
}

/**
 * Checks the body's shape. Throws RestRequestError: an unknown field first (OpenAI's wording,
 * "Unrecognized request argument supplied"), else every type problem, each naming its field.
 */
export function parseImageRequest(body: unknown): ParsedImageRequest {
  let request = plainImageRequest(body);
  if (request === undefined) {
    const result = imageRequestSchema.safeParse(body);
    if (!result.success) throw requestErrorFromIssues(result.error.issues, body);
    request = result.data;
  }
  const warnings: string[] = [];
  for (const field of ignoredOpenAiFields) {
    if (request[field] !== undefined && request[field] !== null) warnings.push(`${field} is not supported by Seedream and was ignored`);
  }
  if (request.sequential_image_generation_options != null && request.sequential_image_generation !== 'auto') {
    // The upstream ignores the options without `auto` too (reference §1.1); say so instead of guessing.
    warnings.push('sequential_image_generation_options has no effect without sequential_image_generation "auto" and was ignored');
  }
  return { request, warnings };
}

/**
 * The common body — flat fields only, each of the exact type the schema accepts — checked by hand and
 * returned as it is: zod's strict object walk costs ~10–25 µs of a URL-mode call (issue 15 profile),
 * this a loop over the keys. Anything else, nested fields included, returns undefined and goes through
 * the schema, which accepts or names the bad field as always; so the fast path never decides a refusal,
 * and what it accepts the schema accepts unchanged (test/rest/request-schema.test.ts checks both).
 */
function plainImageRequest(body: unknown): ImageRequest | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const fields = body as Record<string, unknown>;
  if (typeof fields.model !== 'string' || typeof fields.prompt !== 'string') return undefined;
  for (const key of Object.keys(fields)) {
    const check = plainFields.get(key);
    const value = fields[key];
    if (check === undefined || (value !== null && !check(value))) return undefined;
  }
  return fields as ImageRequest;
}

const isString = (value: unknown) => typeof value === 'string';
const isBoolean = (value: unknown) => typeof value === 'boolean';
const oneOf = (values: readonly string[]) => (value: unknown) => typeof value === 'string' && values.includes(value);
const anything = () => true;

/** The flat fields and what each accepts besides null (as the schema above: z.int() is a safe integer,
 *  z.number() a finite one). Nested fields are left to the schema. */
const plainFields: ReadonlyMap<string, (value: unknown) => boolean> = new Map<string, (value: unknown) => boolean>([
  ['model', isString],
  ['prompt', isString],
  ['size', isString],
  ['n', (value) => Number.isSafeInteger(value) && (value as number) >= 1],
  ['response_format', oneOf(['url', 'b64_json'])],
  ['watermark', isBoolean],
  ['seed', (value) => Number.isSafeInteger(value)],
  ['guidance_scale', (value) => typeof value === 'number' && Number.isFinite(value)],
  ['sequential_image_generation', oneOf(['auto', 'disabled'])],
  ['stream', isBoolean],
  ['output_format', oneOf(['jpeg', 'png'])],
  ['user', isString],
  ['webhook_url', (value) => typeof value === 'string' && value.length <= 2048],
  ['background', oneOf(backgroundValues)],
  ...ignoredOpenAiFields.map((field) => [field, anything] as const),
]);

function requestErrorFromIssues(issues: readonly z.core.$ZodIssue[], body: unknown): RestRequestError {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return new RestRequestError('invalid_value', 'the request body must be a JSON object', []);
  }
  const unknown = issues.find((issue) => issue.code === 'unrecognized_keys');
  if (unknown !== undefined && unknown.code === 'unrecognized_keys') {
    const params = unknown.keys.map((key) => paramOf([...unknown.path, key]));
    const plural = params.length > 1 ? 's' : '';
    const message = `Unrecognized request argument${plural} supplied: ${params.join(', ')}`;
    return new RestRequestError('unknown_parameter', message, params.map((field) => ({ field, description: 'unrecognized request argument' })));
  }
  return restInvalidArgument(flatten(issues).map((issue) => ({ field: paramOf(issue.path), description: describe(issue, body) })));
}

/** For an array sent where a string or an array of strings is allowed, the array branch's own issues
 *  (`image_input[1]`) say more than "no union member matched". Union issues carry relative paths. */
function flatten(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union') return [issue];
    const inner = issue.errors.find((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0));
    if (inner === undefined) return [issue];
    return flatten(inner.map((i) => ({ ...i, path: [...issue.path, ...i.path] })));
  });
}

/** `['image_input', 2]` → `image_input[2]`; `['optimize_prompt_options', 'mode']` → `optimize_prompt_options.mode`. */
function paramOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out;
}

const expectedNames: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
};

function describe(issue: z.core.$ZodIssue, body: unknown): string {
  const input = valueAt(body, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return 'is required';
      return `must be ${expectedNames[issue.expected] ?? issue.expected}, not ${kindOf(input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}`;
    case 'invalid_union':
      return `must be a string or an array of strings, not ${kindOf(input)}`;
    default:
      return issue.message;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = body;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}
