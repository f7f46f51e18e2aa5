import { describe, expect, it } from 'vitest';
import { ResponseFormat, type ImageGenerationSpec } from '../../gen/seedream/v1/generation_spec.js';
import { OutputFormat, PromptOptimizationMode, SizeTier } from '../../gen/seedream/v1/types.js';
import { GatewayError } from '../../src/errors.js';
import { protoFieldPath } from '../../src/grpc/field-paths.js';
import { specFromProto } from '../../src/contract/spec-from-proto.js';

const base: ImageGenerationSpec = {
  prompt: 'a fox',
  referenceImages: [],
  responseFormat: ResponseFormat.RESPONSE_FORMAT_UNSPECIFIED,
  n: 0,
  user: '',
  model: { $case: 'seedream45', value: { modelId: '', size: undefined, imageSet: undefined } },
};

function violations(spec: ImageGenerationSpec | undefined) {
  try {
    specFromProto(spec);
  } catch (error) {
    if (error instanceof GatewayError) return error.violations.map((v) => [v.field, v.description]);
    throw error;
  }
  return [];
}

describe('specFromProto', () => {
  it('applies the proto defaults: n 0 is 1, URL format, no user', () => {
    expect(specFromProto(base)).toEqual({ model: 'seedream_4_5', prompt: 'a fox', referenceImages: [], responseFormat: 'url', n: 1 });
  });

  it('converts every option of every model', () => {
    expect(specFromProto({ ...base, n: 2, user: 'u', watermark: false, responseFormat: ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES, model: { $case: 'seedream30', value: { modelId: 'seedream-3-0-t2i-250415', size: { width: 1024, height: 768 }, seed: 0, guidanceScale: 3.5 } } })).toEqual({
      model: 'seedream_3_0', prompt: 'a fox', referenceImages: [], responseFormat: 'b64_json', n: 2, user: 'u', watermark: false,
      modelId: 'seedream-3-0-t2i-250415', size: { kind: 'pixels', width: 1024, height: 768 }, seed: 0, guidanceScale: 3.5,
    });
    expect(specFromProto({ ...base, model: { $case: 'seedream40', value: { modelId: '', size: { kind: { $case: 'tier', value: SizeTier.SIZE_TIER_1K } }, imageSet: { maxImages: 0 }, promptOptimization: PromptOptimizationMode.PROMPT_OPTIMIZATION_MODE_FAST } } })).toMatchObject({
      model: 'seedream_4_0', size: { kind: 'tier', tier: '1K' }, imageSet: {}, promptOptimization: 'fast',
    });
    expect(specFromProto({ ...base, model: { $case: 'seedream50Lite', value: { modelId: '', size: { kind: { $case: 'pixels', value: { width: 2560, height: 1440 } } }, imageSet: { maxImages: 3 }, outputFormat: OutputFormat.OUTPUT_FORMAT_PNG, webSearch: true } } })).toMatchObject({
      model: 'seedream_5_0_lite', size: { kind: 'pixels', width: 2560, height: 1440 }, imageSet: { maxImages: 3 }, outputFormat: 'png', webSearch: true,
    });
    expect(specFromProto({ ...base, model: { $case: 'seedream50Flash', value: { modelId: '', size: undefined, outputFormat: OutputFormat.OUTPUT_FORMAT_UNSPECIFIED } } })).toEqual({
      model: 'seedream_5_0_flash', prompt: 'a fox', referenceImages: [], responseFormat: 'url', n: 1,
    });
  });

  it('keeps reference images as they came: URL, data URI, bytes', () => {
    const spec = specFromProto({
      ...base,
      referenceImages: [
        { source: { $case: 'url', value: 'https://e.com/a.png' }, mimeType: '' },
        { source: { $case: 'url', value: 'data:image/png;base64,AAAA' }, mimeType: '' },
        { source: { $case: 'data', value: Buffer.from([1, 2]) }, mimeType: 'image/png' },
      ],
    });
    expect(spec.referenceImages).toEqual([
      { kind: 'url', url: 'https://e.com/a.png' },
      { kind: 'data-uri', uri: 'data:image/png;base64,AAAA' },
      { kind: 'bytes', data: Buffer.from([1, 2]), mimeType: 'image/png' },
    ]);
  });

  it.each<[string, ImageGenerationSpec | undefined, [string, string][]]>([
    ['no spec', undefined, [['spec', 'spec is required']]],
    ['no model', { ...base, model: undefined }, [['model', `choose a model: set one member of the model oneof (proto / JSON / proto-loader spelling): ${[
      'seedream_3_0 / seedream30',
      'seedream_4_0 / seedream40',
      'seedream_4_5 / seedream45',
      'seedream_5_0_lite / seedream50Lite / seedream_5_0Lite',
      'seedream_5_0_pro / seedream50Pro / seedream_5_0Pro',
      'seedream_5_0_flash / seedream50Flash / seedream_5_0Flash',
      'seedream_5_5 / seedream55',
    ].join('; ')}`]]],
    ['empty size', { ...base, model: { $case: 'seedream45', value: { modelId: '', size: { kind: undefined }, imageSet: undefined } } }, [['size', 'set tier or pixels']]],
    ['unspecified tier', { ...base, model: { $case: 'seedream45', value: { modelId: '', size: { kind: { $case: 'tier', value: SizeTier.SIZE_TIER_UNSPECIFIED } }, imageSet: undefined } } }, [['size', 'choose a size tier (SIZE_TIER_UNSPECIFIED is not one)']]],
    ['reference without source', { ...base, referenceImages: [{ source: undefined, mimeType: '' }] }, [['referenceImages[0]', 'set url or data']]],
    ['mime type with a URL', { ...base, referenceImages: [{ source: { $case: 'url', value: 'https://e.com/a' }, mimeType: 'image/png' }] }, [['referenceImages[0]', 'mime_type applies only to data; a data URI carries its own']]],
    ['unknown response format', { ...base, responseFormat: 7 as ResponseFormat }, [['responseFormat', 'unknown response format 7']]],
  ])('rejects %s', (_name, spec, expected) => {
    expect(violations(spec)).toEqual(expected);
  });
});

describe('protoFieldPath', () => {
  it.each([
    ['prompt', 'seedream_4_5', 'spec.prompt'],
    ['referenceImages[3]', 'seedream_4_5', 'spec.reference_images[3]'],
    ['referenceImages', 'seedream_4_5', 'spec.reference_images'],
    ['size', 'seedream_4_5', 'spec.seedream_4_5.size'],
    ['imageSet.maxImages', 'seedream_5_0_lite', 'spec.seedream_5_0_lite.image_set.max_images'],
    ['guidanceScale', 'seedream_3_0', 'spec.seedream_3_0.guidance_scale'],
    ['modelId', undefined, 'spec.model.model_id'],
    ['responseFormat', undefined, 'spec.response_format'],
    ['spec', undefined, 'spec'],
  ] as const)('%s → %s', (field, model, path) => {
    expect(protoFieldPath(field, model)).toBe(path);
  });
});
