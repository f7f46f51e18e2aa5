/**
 * The `image` field (reference §1.4): one http(s) URL or data URI, or an array of them, checked item by
 * item. URLs are checked for syntax and scheme only — never fetched (DESIGN §9: no SSRF surface). Data
 * URIs must name a lower-case MIME subtype the upstream accepts, carry valid base64 within the decoded
 * size limit, and decode to an image whose header satisfies the pixel, side and aspect rules.
 */
import { ArkError, invalidParameter, unsupportedParameter } from './ark-errors.js';
import { readImageInfo } from '../image-header.js';
import { dimensionRuleBroken, isReferenceImageFormat, referenceImageRules } from '../models/reference-image-rules.js';

// ⚠ Formats and limits follow what every doc revision accepts (heic/heif and 30 MB are newest-docs
// only, reference §1.4 ⏱), like the 10 MB limit the simulator defaults to — see reference-image-rules.ts.
const acceptedFormats = referenceImageRules.formats;

const dataUriPattern = /^data:image\/([A-Za-z0-9.+-]+);base64,/;
const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

/** Checks the `image` field for this model; returns how many reference images it holds. */
export function checkReferenceImages(value: unknown, limits: { maxImages: number; maxBytes: number; modelId: string }): number {
  if (value === undefined) return 0;
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items) || !items.every((item): item is string => typeof item === 'string')) {
    throw invalidParameter('image', 'image must be a URL or data URI string, or an array of them');
  }
  if (items.length === 0) return 0;
  if (limits.maxImages === 0) throw unsupportedParameter('image', limits.modelId);
  if (items.length > limits.maxImages) {
    throw invalidParameter('image', `the number of reference images cannot exceed ${limits.maxImages} for model ${limits.modelId}`);
  }
  items.forEach((item, index) => checkItem(item, index, limits.maxBytes));
  return items.length;
}

function checkItem(item: string, index: number, maxBytes: number): void {
  if (item.trim() === '') {
    throw imageError('InvalidImageURL.EmptyURL', `Image ${index} failed: the image URL is empty.`);
  }
  if (!/^data:/i.test(item)) {
    checkUrl(item, index);
    return;
  }
  const match = dataUriPattern.exec(item);
  if (match === null) {
    throw invalidFormat(index, 'a data URI must look like data:image/<format>;base64,<data>');
  }
  const declared = match[1] ?? '';
  // The MIME subtype must be lower case (reference §1.1 `image`): `data:image/PNG` is refused.
  if (declared !== declared.toLowerCase()) {
    throw invalidFormat(index, `the image format in a data URI must be lower case (${declared.toLowerCase()}, not ${declared})`);
  }
  const format = declared;
  if (!isReferenceImageFormat(format)) {
    throw invalidFormat(index, `image format ${declared} is not supported; use one of ${acceptedFormats.join(', ')}`);
  }
  const encoded = item.slice(match[0].length);
  const padding = encoded.endsWith('==') ? 2 : encoded.endsWith('=') ? 1 : 0;
  const decodedBytes = (encoded.length / 4) * 3 - padding;
  // Size first, so an oversized upload is refused before the work of decoding it.
  if (decodedBytes > maxBytes) {
    throw imageProblem(index, `Image exceeds the maximum allowed size of ${maxBytes} bytes (got ${Math.floor(decodedBytes)} bytes).`);
  }
  if (encoded.length === 0 || encoded.length % 4 !== 0 || !base64Pattern.test(encoded)) {
    throw invalidFormat(index, 'the data URI does not hold valid base64');
  }
  const info = readImageInfo(Buffer.from(encoded, 'base64'));
  // ⚠ Whether the upstream sniffs the bytes or trusts the declared type is undocumented: the simulator
  // insists they agree, so that a mislabelled image is caught here rather than by the real upstream.
  if (info?.format !== format || info.width === undefined || info.height === undefined || info.width === 0 || info.height === 0) {
    throw invalidFormat(index, `the data is not a decodable ${format} image`);
  }
  const { width, height } = info;
  const { minSideExclusive, maxPixels } = referenceImageRules;
  switch (dimensionRuleBroken(width, height)) {
    case 'side':
      throw imageProblem(index, `Each side of an image must be longer than ${minSideExclusive} pixels (got ${width}x${height}).`);
    case 'pixels':
      throw imageProblem(index, `Image exceeds the maximum allowed total pixels (${width * height}). Maximum allowed: ${maxPixels} pixels.`);
    case 'aspect':
      throw imageProblem(index, `The aspect ratio of the image (${width}x${height}) must be between 1:16 and 16:1.`);
    case undefined:
      return;
  }
}

function checkUrl(item: string, index: number): void {
  let url: URL;
  try {
    url = new URL(item);
  } catch {
    throw invalidFormat(index, 'the value is neither an http(s) URL nor a data URI');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidFormat(index, `URL scheme ${url.protocol} is not supported; use http(s) or a data URI`);
  }
}

// The upstream's oversized-image answer is `InvalidParameter` with "Image 0 failed: …" (reference §1.4,
// observed with `param: ""`); the simulator names the field so callers can point at it.
function imageProblem(index: number, text: string): ArkError {
  return new ArkError(400, 'InvalidParameter', `Image ${index} failed: ${text}`, 'image');
}

function invalidFormat(index: number, text: string): ArkError {
  return imageError('InvalidImageURL.InvalidFormat', `Image ${index} failed: ${text}.`);
}

function imageError(code: string, message: string): ArkError {
  return new ArkError(400, code, message, 'image');
}
