/**
 * The `image` field (reference §1.4): one http(s) URL or data URI, or an array of them, checked item by
 * item. URLs are checked for syntax and scheme only — never fetched (DESIGN §9: no SSRF surface). Data
 * URIs must name a lower-case MIME subtype the upstream accepts, carry valid base64 within the decoded
 * size limit, and decode to an image whose header satisfies the pixel, side and aspect rules.
 */
import { ArkError, invalidParameter, unsupportedParameter } from './ark-errors.js';
import { probeImage, type InputImageFormat } from './imaging/probe.js';

// ⚠ Formats: older docs list jpeg, png, webp, bmp, tiff, gif; the newer BytePlus docs add heic/heif
// (reference §1.4 ⏱). The simulator follows the older list, like the 10 MB limit it defaults to, so that
// a request it accepts is accepted by either revision of the upstream.
const acceptedFormats: readonly InputImageFormat[] = ['jpeg', 'png', 'webp', 'bmp', 'tiff', 'gif'];
const MAX_INPUT_PIXELS = 36_000_000;
const MIN_SIDE_EXCLUSIVE = 14;
// [1/16, 16] for 4.x/5.x, the only models that take references (3.0 takes none; reference §1.4).
const MIN_ASPECT = 1 / 16;
const MAX_ASPECT = 16;

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
  const format = acceptedFormats.find((f) => f === declared);
  if (format === undefined) {
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
  const info = probeImage(Buffer.from(encoded, 'base64'));
  // ⚠ Whether the upstream sniffs the bytes or trusts the declared type is undocumented: the simulator
  // insists they agree, so that a mislabelled image is caught here rather than by the real upstream.
  if (info === undefined || info.format !== format) {
    throw invalidFormat(index, `the data is not a decodable ${format} image`);
  }
  const { width, height } = info;
  if (width <= MIN_SIDE_EXCLUSIVE || height <= MIN_SIDE_EXCLUSIVE) {
    throw imageProblem(index, `Each side of an image must be longer than ${MIN_SIDE_EXCLUSIVE} pixels (got ${width}x${height}).`);
  }
  if (width * height > MAX_INPUT_PIXELS) {
    throw imageProblem(index, `Image exceeds the maximum allowed total pixels (${width * height}). Maximum allowed: ${MAX_INPUT_PIXELS} pixels.`);
  }
  const ratio = width / height;
  if (ratio < MIN_ASPECT || ratio > MAX_ASPECT) {
    throw imageProblem(index, `The aspect ratio of the image (${width}x${height}) must be between 1:16 and 16:1.`);
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
