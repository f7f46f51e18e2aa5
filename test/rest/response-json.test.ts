/**
 * The REST bodies written from parts (json-parts.ts) are byte for byte what one JSON.stringify of the
 * whole object wrote before: the reference functions below are that former implementation.
 */
import { describe, expect, it } from 'vitest';
import { base64TextOfString, type Base64Text } from '../../src/base64.js';
import { imagesResponseBody, partialSucceededJson, usageJson, type CollectedItem } from '../../src/rest/response-json.js';
import { sseEvent } from '../../src/rest/sse-writer.js';
import type { DeliveredImage, ImageFailure, Usage } from '../../src/service/types.js';

const base64 = (text: string): Base64Text => {
  const checked = base64TextOfString(text);
  if (checked === undefined) throw new Error('not base64');
  return checked;
};
const text = (value: Base64Text) => value.segments.join('');

const b64Image = (index: number, data: string, width = 2048, height = 1536): DeliveredImage => ({
  index,
  requestIndex: 0,
  setIndex: index,
  content: { kind: 'base64', base64: base64(data) },
  mimeType: 'image/jpeg',
  width,
  height,
});
const urlImage = (index: number, url: string): DeliveredImage => ({
  index,
  requestIndex: 0,
  setIndex: index,
  content: { kind: 'url', url, expiresAt: new Date(0) },
  mimeType: 'image/png',
  width: 1024,
  height: 1024,
});
const failed = (index: number, message: string): ImageFailure => ({ index, requestIndex: 0, setIndex: index, kind: 'content_moderated', code: 'OutputImageSensitiveContentDetected', message });

// The former serialization: one JSON.stringify with the base64 as a string.
function referenceItem(item: CollectedItem): object {
  if ('failure' in item) return { error: { code: item.failure.code, message: item.failure.message } };
  const { content, width, height } = item.image;
  return content.kind === 'url' ? { url: content.url, size: `${width}x${height}` } : { b64_json: text(content.base64), size: `${width}x${height}` };
}
function referenceBody(items: CollectedItem[], usage: Usage, model: string, created: number, webSearch: boolean, warnings: string[]): string {
  const data = [...items].sort((a, b) => a.index - b.index).map(referenceItem);
  return JSON.stringify({ created, model, data, usage: usageJson(usage, webSearch), ...(warnings.length > 0 && { warnings }) });
}

const big = Buffer.from(Array.from({ length: 90_000 }, (_, i) => (i * 7) % 256)).toString('base64');
const usage: Usage = { generatedImages: 2, failedImages: 1, outputTokens: 32768, webSearches: 2, estimatedCost: { currency: 'USD', micros: 80000 } };

describe('REST JSON written from parts', () => {
  it.each([
    ['base64 images out of order, a failure and a URL', [{ index: 2, image: b64Image(2, big) }, { index: 0, image: b64Image(0, 'iVBORw0KGgo=') }, { index: 1, failure: failed(1, 'blocked "here" \\ and\nthere') }, { index: 3, image: urlImage(3, 'https://x/3.png?a=1&b="2"') }], 'doubao-seedream-4-5-251128', true, ['w1', 'a "quoted" ✓ warning']],
    ['one unpadded image, no warnings, no web search', [{ index: 0, image: b64Image(0, 'QUJDRA', 1, 1) }], 'm', false, []],
    ['a model name with non-ASCII and control characters', [{ index: 0, image: b64Image(0, 'QUJD') }], '火山 \u0001 "m"', false, ['é']],
    ['no images at all', [], 'm', false, []],
  ] as [string, CollectedItem[], string, boolean, string[]][])('the body of %s equals the former JSON.stringify, byte for byte', (_label, items, model, webSearch, warnings) => {
    const body = imagesResponseBody({ items, usage, model }, 1_767_323_045, webSearch, warnings);
    expect(body.toString('utf8')).toBe(referenceBody(items, usage, model, 1_767_323_045, webSearch, warnings));
  });

  it.each([
    ['a base64 image', b64Image(4, big), 'doubao-seedream-4-5-251128'],
    ['a base64 image and a model with quotes and non-ASCII', b64Image(0, 'QUJD'), 'm "x" 火'],
    ['a URL image', urlImage(1, 'https://x/1.png'), 'm'],
  ] as const)('the SSE frame of %s equals the former one', (_label, image, model) => {
    const former = JSON.stringify({
      type: 'image_generation.partial_succeeded',
      model,
      created: 1_767_323_045,
      image_index: image.index,
      ...referenceItem({ index: image.index, image }),
    });
    const frame = sseEvent('image_generation.partial_succeeded', partialSucceededJson(image, model, 1_767_323_045));
    expect(Buffer.from(frame).toString('utf8')).toBe(`event: image_generation.partial_succeeded\ndata: ${former}\n\n`);
    // Only frames carrying base64 become buffers; the others stay strings, as before.
    expect(typeof frame === 'string').toBe(image.content.kind === 'url');
  });
});
