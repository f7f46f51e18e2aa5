/**
 * The form of `POST /v1/images/edits` (what `client.images.edit()` sends in the OpenAI SDKs) → the same
 * checked ImageRequest as a generations JSON body, plus the images as proto reference images. Form
 * values are text: numbers and booleans are read back into their JSON types here (a value that is not
 * one is left as text, so the shared schema names the field); nested fields arrive as
 * `optimize_prompt_options[mode]`. Images come as files (`image`, `image[]`, `image[0]`…) or as URL /
 * data-URI text fields, in the order sent.
 */
import type { ReferenceImage } from '../../gen/seedream/v1/generation_spec.js';
import type { FieldViolation } from '../errors.js';
import type { FormField, FormFile, MultipartForm } from './multipart-form.js';
import { RestRequestError } from './openai-errors.js';
import type { ReferenceSpelling } from './param-names.js';
import { parseImageRequest, type ImageRequest } from './request-schema.js';

export interface EditRequest {
  readonly request: ImageRequest;
  readonly references: readonly ReferenceImage[];
  readonly refs: ReferenceSpelling | undefined;
  readonly warnings: readonly string[];
}

const imageField = /^image(\[\d*\])?$/;
const nestedField = /^([a-z_]+)\[([a-z_]+)\]$/;
const numberFields = new Set(['n', 'seed', 'guidance_scale', 'sequential_image_generation_options.max_images']);
const booleanFields = new Set(['watermark', 'stream']);
/** Edit-only OpenAI fields Seedream has no use for: accepted and reported as warnings. */
const ignoredEditFields = new Set(['input_fidelity']);

/** Builds the request, or throws RestRequestError naming the field (`mask`, `image[1]`, `n`…). */
export function editRequestFromForm(form: MultipartForm, maxFileBytes: number): EditRequest {
  const violations: FieldViolation[] = [];
  const warnings: string[] = [];
  // No prototype: a field named `__proto__` or `constructor` is just an unknown field to the schema.
  const body: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const sources: (FormField | FormFile)[] = [];
  let arraySpelling = false;

  const parts = [...form.fields.map((f) => ({ kind: 'field' as const, part: f })), ...form.files.map((f) => ({ kind: 'file' as const, part: f }))];
  for (const { kind, part } of parts) {
    if (part.name === 'mask') {
      violations.push({ field: 'mask', description: 'Seedream has no masks: describe the change in the prompt and send the image without a mask' });
      continue;
    }
    if (imageField.test(part.name)) {
      arraySpelling ||= part.name !== 'image';
      sources.push(part);
      continue;
    }
    if (kind === 'file') {
      violations.push({ field: part.name, description: 'only image files are accepted (as image or image[])' });
      continue;
    }
    const value = (part as FormField).value;
    if (ignoredEditFields.has(part.name)) {
      warnings.push(`${part.name} is not supported by Seedream and was ignored`);
      continue;
    }
    setField(body, part.name, value);
  }
  // Fields and files are read in arrival order separately; an image's index is its position among the
  // image parts of the same kind, files first (the SDKs send only files).
  const references = sources.map((source, i): ReferenceImage => {
    if (!('data' in source)) return { source: { $case: 'url', value: source.value }, mimeType: '' };
    if (source.tooLarge) violations.push({ field: `image[${i}]`, description: `image[${i}] (${source.filename || 'unnamed file'}) is larger than ${maxFileBytes} bytes` });
    // A declared image type is checked against the file's signature by the core; anything else
    // (application/octet-stream) leaves detection to the signature.
    const mimeType = source.mimeType.startsWith('image/') ? source.mimeType : '';
    return { source: { $case: 'data', value: source.data }, mimeType };
  });
  if (violations.length > 0) {
    const [first] = violations;
    throw new RestRequestError('invalid_value', `${first?.field ?? 'form'}: ${first?.description ?? 'invalid'}`, violations);
  }
  const parsed = parseImageRequest(body);
  const single = references.length === 1 && !arraySpelling;
  return {
    request: parsed.request,
    references,
    refs: references.length === 0 ? undefined : { name: 'image', single },
    warnings: [...parsed.warnings, ...warnings],
  };
}

/** Sets `name` (or `parent[child]`) on the body, typed as the JSON schema expects. */
function setField(body: Record<string, unknown>, name: string, text: string): void {
  const nested = nestedField.exec(name);
  const path = nested === null ? name : `${nested[1]}.${nested[2]}`;
  const value = numberFields.has(path) ? numberOrText(text) : booleanFields.has(path) ? booleanOrText(text) : text;
  if (nested === null) {
    body[name] = value;
    return;
  }
  const [, parent = '', child = ''] = nested;
  const existing = body[parent];
  const object = typeof existing === 'object' && existing !== null ? (existing as Record<string, unknown>) : (Object.create(null) as Record<string, unknown>);
  object[child] = value;
  body[parent] = object;
}

function numberOrText(text: string): number | string {
  const trimmed = text.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text;
}

function booleanOrText(text: string): boolean | string {
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}
