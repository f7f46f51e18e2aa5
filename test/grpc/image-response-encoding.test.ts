import { describe, expect, it } from 'vitest';
import { ImageFailureReason, type GeneratedImage } from '../../gen/seedream/v1/events.js';
import { GenerateImagesResponse, StreamImagesResponse } from '../../gen/seedream/v1/image_service.js';
import { base64TextOfString } from '../../src/base64.js';
import { bytesForNiceGrpc, encodeGenerateImagesResponse, encodeStreamImagesResponse, framedImageFromBase64 } from '../../src/grpc/image-response-encoding.js';

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

  describe('images decoded straight into their encoding (framedImageFromBase64)', () => {
    const framed = (index: number, data: Buffer, extra: Partial<GeneratedImage> = {}): GeneratedImage => {
      const checked = base64TextOfString(data.toString('base64'));
      if (checked === undefined) throw new Error('not base64');
      return framedImageFromBase64(image(index, 'replaced', extra), checked);
    };

    it.each(sizes.filter((size) => size > 0))('an image of %i bytes carries exactly its bytes', (size) => {
      const data = bytes(size);
      const value = framed(3, data, { expiresAt: new Date('2030-01-02T03:04:05.678Z'), warning: 'resized' });
      expect(value.content?.$case === 'data' && Buffer.from(value.content.value).equals(data)).toBe(true);
    });

    it.each(sizes.filter((size) => size > 0))('StreamImagesResponse with a framed image of %i bytes: the framed memory itself, exactly the bytes of encode()', (size) => {
      const data = bytes(size);
      const value = framed(7, data, { requestIndex: 300, setIndex: 2 });
      const message: StreamImagesResponse = { event: { $case: 'image', value } };
      const expected = StreamImagesResponse.encode(message).finish();
      const actual = encodeStreamImagesResponse(message);
      expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
      // Read back with the generated decoder: the same image (bytes compared as bytes: toEqual is slow on MBs).
      const decoded = StreamImagesResponse.decode(actual).event;
      const decodedImage = decoded?.$case === 'image' ? decoded.value : undefined;
      expect(decodedImage?.content?.$case === 'data' && Buffer.from(decodedImage.content.value).equals(data)).toBe(true);
      expect({ ...decodedImage, content: undefined }).toEqual({ ...value, content: undefined });
      // No copy: the message is the ArrayBuffer the bytes were decoded into, whole.
      expect(value.content?.$case === 'data' && actual.buffer === value.content.value.buffer).toBe(true);
      expect(actual.byteLength).toBe(actual.buffer.byteLength);
    });

    it('GenerateImagesResponse with framed, unframed and URL images: exactly the bytes of encode()', () => {
      const message: GenerateImagesResponse = {
        images: [framed(0, bytes(300_000)), image(1, bytes(5000)), image(2, 'https://x/2.png'), framed(3, bytes(1))],
        failures: [failure],
        usage,
        model: 'm-1',
      };
      const expected = GenerateImagesResponse.encode(message).finish();
      expect(Buffer.from(encodeGenerateImagesResponse(message)).equals(Buffer.from(expected))).toBe(true);
    });

    it.each([
      ['index', { index: 9 }],
      ['mime type', { mimeType: 'image/png' }],
      ['warning', { warning: 'a longer warning than before' }],
      ['expiry', { expiresAt: new Date(0) }],
    ] as const)('a framed image whose %s changed afterwards is encoded as it is now, not as framed', (_field, change) => {
      const value = { ...framed(1, bytes(20_000)), ...change };
      const message: StreamImagesResponse = { event: { $case: 'image', value } };
      const expected = StreamImagesResponse.encode(message).finish();
      const actual = encodeStreamImagesResponse(message);
      expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
      expect(value.content?.$case === 'data' && actual.buffer === value.content.value.buffer).toBe(false);
      const unary: GenerateImagesResponse = { images: [value], failures: [], usage: undefined, model: '' };
      expect(Buffer.from(encodeGenerateImagesResponse(unary)).equals(Buffer.from(GenerateImagesResponse.encode(unary).finish()))).toBe(true);
    });

    it('a view of part of a framed image is not taken for the framed image', () => {
      const whole = framed(0, bytes(10_000));
      const data = whole.content?.$case === 'data' ? whole.content.value : Buffer.alloc(0);
      const message: StreamImagesResponse = { event: { $case: 'image', value: { ...whole, content: { $case: 'data', value: data.subarray(0, 9000) } } } };
      expect(Buffer.from(encodeStreamImagesResponse(message)).equals(Buffer.from(StreamImagesResponse.encode(message).finish()))).toBe(true);
    });
  });
});
