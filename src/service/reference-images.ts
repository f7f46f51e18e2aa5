/**
 * Checks reference images against reference §1.4 and turns each into the string the upstream takes
 * (an http(s) URL or a data URI). Inline images are encoded at most once: data URIs pass through as
 * they came, raw bytes are base64-encoded once (DESIGN §8). URLs are never fetched (DESIGN §9).
 */
import type { FieldViolation } from '../errors.js';
import { readImageInfo, SIGNATURE_PREFIX_BYTES, type ImageInfo } from '../image-header.js';
import { dimensionRuleBroken, isReferenceImageFormat, referenceImageRules, type ReferenceImageFormat } from '../models/reference-image-rules.js';
import type { ReferenceImage } from './types.js';

const MAX_URL_LENGTH = 16_384;
const acceptedImageFormats = referenceImageRules.formats;

const dataUriPrefix = /^data:([^;,]*);base64,/;
const base64Body = /^[A-Za-z0-9+/]*={0,2}$/;

export type ReferenceCheck = { readonly ok: true; readonly upstream: string } | { readonly ok: false; readonly violation: FieldViolation };

/** Validates one reference image; `field` is its domain path (`referenceImages[2]`). */
export function checkReferenceImage(image: ReferenceImage, field: string, maxBytes: number): ReferenceCheck {
  const fail = (description: string): ReferenceCheck => ({ ok: false, violation: { field, description } });
  switch (image.kind) {
    case 'url': {
      const problem = urlProblem(image.url);
      return problem === undefined ? { ok: true, upstream: image.url } : fail(problem);
    }
    case 'data-uri': {
      const problem = dataUriProblem(image.uri, maxBytes);
      return problem === undefined ? { ok: true, upstream: image.uri } : fail(problem);
    }
    case 'bytes': {
      const { data } = image;
      if (data.length === 0) return fail('image data is empty');
      if (data.length > maxBytes) return fail(`image is ${data.length} bytes; the limit is ${maxBytes}`);
      const info = readImageInfo(data.subarray(0, SIGNATURE_PREFIX_BYTES));
      const problem = formatProblem(info, declaredFormat(image.mimeType)) ?? dimensionProblem(info);
      if (problem !== undefined || info === undefined) return fail(problem ?? 'not an image');
      return { ok: true, upstream: `data:image/${info.format};base64,${Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64')}` };
    }
    default: {
      const unreachable: never = image;
      throw new Error(`unknown reference image kind ${String(unreachable)}`);
    }
  }
}

function urlProblem(text: string): string | undefined {
  if (text.length > MAX_URL_LENGTH) return `URL is longer than ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a valid URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `URL scheme must be http or https, not ${url.protocol.slice(0, -1)}`;
  if (/\s/.test(text)) return 'URL must not contain whitespace';
  return undefined;
}

/** What `mimeType` declares: a format, undefined when empty, or a problem text. */
function declaredFormat(mimeType: string | undefined): ReferenceImageFormat | { problem: string } | undefined {
  if (mimeType === undefined || mimeType === '') return undefined;
  const match = /^image\/(.+)$/.exec(mimeType);
  const format = match?.[1];
  if (format === undefined) return { problem: `mime type ${mimeType} is not an image type` };
  // The upstream requires lower-case formats in data URIs (reference §1.1), so we hold MIME types to it.
  if (format !== format.toLowerCase()) return { problem: `mime type must be lower case: image/${format.toLowerCase()}, not ${mimeType}` };
  if (format === 'jpg') return { problem: 'image/jpg is not a MIME type; use image/jpeg' };
  if (!isReferenceImageFormat(format)) return { problem: `image/${format} is not accepted (use ${acceptedImageFormats.map((f) => `image/${f}`).join(', ')})` };
  return format;
}

function formatProblem(info: ImageInfo | undefined, declared: ReturnType<typeof declaredFormat>): string | undefined {
  if (typeof declared === 'object') return declared.problem;
  if (info === undefined) return `not a supported image file (${acceptedImageFormats.join(', ')})`;
  if (!isReferenceImageFormat(info.format)) return `${info.format} images are not accepted; convert to ${acceptedImageFormats.join(', ')}`;
  if (declared !== undefined && declared !== info.format) {
    return `data is a ${info.format} file but is declared as image/${declared}`;
  }
  return undefined;
}

function dimensionProblem(info: ImageInfo | undefined): string | undefined {
  if (info?.width === undefined || info.height === undefined) return undefined; // the upstream checks the rest
  const { width, height } = info;
  const { minSideExclusive, maxPixels } = referenceImageRules;
  switch (dimensionRuleBroken(width, height)) {
    case 'side':
      return `image is ${width}x${height}; each side must be more than ${minSideExclusive} pixels`;
    case 'pixels':
      return `image is ${width}x${height} (${width * height} pixels); at most ${maxPixels} pixels are accepted`;
    case 'aspect':
      return `image is ${width}x${height}; its aspect ratio must be between 1:16 and 16:1`;
    case undefined:
      return undefined;
  }
}

function dataUriProblem(uri: string, maxBytes: number): string | undefined {
  const header = dataUriPrefix.exec(uri.slice(0, 64));
  if (header === null) return 'data URI must look like data:image/<format>;base64,<data>';
  const declared = declaredFormat(header[1]);
  if (typeof declared === 'object') return declared.problem;
  if (declared === undefined) return 'data URI must name its format: data:image/<format>;base64,<data>';
  const body = uri.slice(header[0].length);
  if (body.length === 0) return 'data URI holds no data';
  if (!base64Body.test(body) || body.length % 4 === 1) return 'data URI payload is not valid base64 (no whitespace or line breaks allowed)';
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  const bytes = Math.floor((body.length * 3) / 4) - padding;
  if (bytes > maxBytes) return `image is ${bytes} bytes; the limit is ${maxBytes}`;
  // Decode only the head, enough to read the format and dimensions.
  const headChars = Math.min(body.length - (body.length % 4), Math.ceil(SIGNATURE_PREFIX_BYTES / 3) * 4);
  const info = readImageInfo(Buffer.from(body.slice(0, headChars), 'base64'));
  return formatProblem(info, declared) ?? dimensionProblem(info);
}
