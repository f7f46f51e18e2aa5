import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/jobs/canonical-json.js';
import { requestFingerprint } from '../../src/jobs/request-fingerprint.js';
import type { GenerationSpec } from '../../src/service/types.js';

const spec: GenerationSpec = {
  model: 'seedream_4_5',
  prompt: 'a red fox in snow',
  referenceImages: [],
  responseFormat: 'url',
  n: 1,
  size: { kind: 'tier', tier: '2K' },
  imageSet: { maxImages: 3 },
};

describe('canonicalJson', () => {
  it('writes one text whatever the key order, and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe('{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
    expect(canonicalJson({ a: { c: undefined, d: [1, { x: 1, y: 2 }] }, b: 1 })).toBe('{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
  });

  it('replaces bytes by their hash so no image data is kept', () => {
    const text = canonicalJson({ data: new Uint8Array([1, 2, 3]) });
    expect(text).toBe('{"data":{"$sha256":"039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81"}}');
  });

  it('refuses values JSON cannot hold', () => {
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(/NaN/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
  });
});

describe('requestFingerprint', () => {
  const base = requestFingerprint(spec);

  it('is a sha256 that does not depend on key order or spelled-out defaults', () => {
    expect(base).toMatch(/^sha256:[0-9a-f]{64}$/);
    const reordered = Object.fromEntries(Object.entries(spec).reverse()) as unknown as GenerationSpec;
    expect(requestFingerprint(reordered)).toBe(base);
    expect(requestFingerprint({ ...spec, watermark: undefined })).toBe(base);
    expect(requestFingerprint({ ...spec, n: 1, referenceImages: [] })).toBe(base);
  });

  it('treats bytes with an empty mime type as bytes with none (both mean: detect from the file)', () => {
    const data = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const withEmpty = requestFingerprint({ ...spec, referenceImages: [{ kind: 'bytes', data, mimeType: '' }] });
    expect(requestFingerprint({ ...spec, referenceImages: [{ kind: 'bytes', data }] })).toBe(withEmpty);
    expect(requestFingerprint({ ...spec, referenceImages: [{ kind: 'bytes', data, mimeType: 'image/png' }] })).not.toBe(withEmpty);
  });

  it.each<[string, Partial<GenerationSpec>]>([
    ['prompt', { prompt: 'a red fox in rain' }],
    ['n', { n: 2 }],
    ['size', { size: { kind: 'tier', tier: '4K' } }],
    ['image set', { imageSet: { maxImages: 4 } }],
    ['response format', { responseFormat: 'b64_json' }],
    ['watermark', { watermark: false }],
    ['reference image', { referenceImages: [{ kind: 'url', url: 'https://example.com/a.png' }] }],
    ['user', { user: 'u-1' }],
  ])('changes when the %s changes', (_, change) => {
    expect(requestFingerprint({ ...spec, ...change })).not.toBe(base);
  });

  it('changes with the webhook, not with how the call is made', () => {
    expect(requestFingerprint(spec, { webhookUrl: 'https://hooks.example/a' })).not.toBe(base);
    expect(requestFingerprint(spec, {})).toBe(base);
  });
});
