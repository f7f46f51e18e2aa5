import { describe, expect, it } from 'vitest';
import { ImageFailureReason, type GeneratedImage } from '../../gen/seedream/v1/events.js';
import { GenerateImagesResponse, StreamImagesResponse } from '../../gen/seedream/v1/image_service.js';
import { bytesForNiceGrpc, encodeGenerateImagesResponse, encodeStreamImagesResponse } from '../../src/grpc/image-response-encoding.js';

const bytes = (length: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 13 + 7) % 256));

const image = (index: number, data: Buffer | string, extra: Partial<GeneratedImage> = {}): GeneratedImage => ({
  index,
  content: typeof data === 'string' ? { $case: 'url', value: data } : { $case: 'data', value: data },
  expiresAt: undefined,
  mimeType: 'image/jpeg',
  width: 4096,
  height: 4096,
  requestIndex: 0,
  setIndex: index,
  sha256: '',
  byteSize: 0,
  warning: '',
  ...extra,
});

const failure = { index: 1, reason: ImageFailureReason.IMAGE_FAILURE_REASON_CONTENT_MODERATED, code: 'OutputImageSensitiveContentDetected', message: 'blocked', requestIndex: 0, setIndex: 1 };
const usage = { generatedImages: 2, failedImages: 1, outputTokens: 32768, webSearches: 0, estimatedCost: { currencyCode: 'USD', amountMicros: 80000 } };

// Lengths around every varint width of the data field's length prefix, and an empty image.
const sizes = [0, 1, 127, 128, 16_383, 16_384, 311_001, 2_097_151, 2_097_152];

describe('one-copy serializers', () => {
  const streamCases: [string, StreamImagesResponse][] = [
    ...sizes.map((size): [string, StreamImagesResponse] => [`an image of ${size} bytes`, { event: { $case: 'image', value: image(3, bytes(size)) } }]),
    ['an image at index 0 with every other field at its default', { event: { $case: 'image', value: { ...image(0, bytes(10)), mimeType: '', width: 0, height: 0, setIndex: 0 } } }],
    ['an image with large indexes', { event: { $case: 'image', value: image(300, bytes(5), { requestIndex: 70_000, setIndex: 14 }) } }],
    ['an image with an expiry beside its bytes', { event: { $case: 'image', value: image(2, bytes(9), { expiresAt: new Date('2030-01-02T03:04:05.678Z') }) } }],
    ['a URL image', { event: { $case: 'image', value: image(1, 'https://x/y.png', { expiresAt: new Date('2030-01-01T00:00:00Z') }) } }],
    ['an image without content', { event: { $case: 'image', value: { ...image(1, ''), content: undefined } } }],
    ['a failure', { event: { $case: 'failure', value: failure } }],
    ['a heartbeat', { event: { $case: 'heartbeat', value: { elapsed: { seconds: 15, nanos: 250_000_000 }, imagesDelivered: 1, imagesFailed: 0 } } }],
    ['completed', { event: { $case: 'completed', value: { usage, model: 'doubao-seedream-4-5-251128' } } }],
    ['no event', { event: undefined }],
  ];

  it.each(streamCases)('StreamImagesResponse, %s: exactly the bytes of encode()', (_label, message) => {
    const expected = StreamImagesResponse.encode(message).finish();
    const actual = encodeStreamImagesResponse(message);
    expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
    expect(StreamImagesResponse.decode(actual)).toEqual(StreamImagesResponse.decode(expected));
  });

  const unaryCases: [string, GenerateImagesResponse][] = [
    ['several images with bytes, a failure, usage and model', { images: [image(0, bytes(300_000)), image(2, bytes(128)), image(3, bytes(0))], failures: [failure], usage, model: 'm-1' }],
    ['bytes and URL images mixed', { images: [image(0, 'https://x/0.png', { expiresAt: new Date(0) }), image(1, bytes(16_384))], failures: [], usage: undefined, model: '' }],
    ['URL images only', { images: [image(0, 'https://x/0.png')], failures: [failure], usage, model: 'm' }],
    ['nothing at all', { images: [], failures: [], usage: undefined, model: '' }],
  ];

  it.each(unaryCases)('GenerateImagesResponse, %s: exactly the bytes of encode()', (_label, message) => {
    const expected = GenerateImagesResponse.encode(message).finish();
    const actual = encodeGenerateImagesResponse(message);
    expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
  });

  it('copies the image bytes: later changes to the source do not reach the message', () => {
    const data = bytes(1000);
    const encoded = encodeStreamImagesResponse({ event: { $case: 'image', value: image(0, data) } });
    const before = Buffer.from(encoded);
    data.fill(0);
    expect(Buffer.from(encoded).equals(before)).toBe(true);
  });

  it('hands nice-grpc a message that fills its memory as the ArrayBuffer (Buffer.from wraps it, no copy), anything else as it is', () => {
    const whole = encodeStreamImagesResponse({ event: { $case: 'image', value: image(0, bytes(10_000)) } }); // past Buffer's 4 KiB pool
    const handed = bytesForNiceGrpc(whole);
    expect(handed).toBeInstanceOf(ArrayBuffer);
    const wrapped = Buffer.from(handed);
    expect(wrapped.equals(Buffer.from(whole))).toBe(true);
    expect(wrapped.buffer).toBe(whole.buffer);
    const part = Buffer.from(bytes(64)).subarray(8);
    expect(bytesForNiceGrpc(part)).toBe(part);
  });
});
