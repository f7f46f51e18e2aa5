import { describe, expect, it } from 'vitest';
import { GenerateImagesRequest, StreamImagesResponse } from '../../gen/seedream/v1/image_service.js';
import type { ImageGenerationSpec } from '../../gen/seedream/v1/generation_spec.js';
import { ResponseFormat } from '../../gen/seedream/v1/generation_spec.js';
import { ImageFailureReason } from '../../gen/seedream/v1/events.js';
import { OutputFormat, PromptOptimizationMode, SizeTier } from '../../gen/seedream/v1/types.js';

const base = {
  prompt: 'a red fox in the snow, 16:9',
  referenceImages: [
    { source: { $case: 'url' as const, value: 'https://example.com/ref.png' }, mimeType: '' },
    { source: { $case: 'data' as const, value: Buffer.from([0x89, 0x50, 0x4e, 0x47]) }, mimeType: 'image/png' },
  ],
  responseFormat: ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES,
  watermark: false,
  n: 3,
  user: 'user-42',
};
const tier = { kind: { $case: 'tier' as const, value: SizeTier.SIZE_TIER_2K } };
const pixels = { kind: { $case: 'pixels' as const, value: { width: 2560, height: 1440 } } };

// Every model with every option it has set to a non-default value.
const models: [string, ImageGenerationSpec['model']][] = [
  ['seedream_3_0', { $case: 'seedream30', value: { modelId: 'doubao-seedream-3-0-t2i-250415', size: { width: 1024, height: 768 }, seed: 42, guidanceScale: 7.25 } }],
  ['seedream_4_0', { $case: 'seedream40', value: { modelId: 'seedream-4-0-250828', size: tier, imageSet: { maxImages: 4 }, promptOptimization: PromptOptimizationMode.PROMPT_OPTIMIZATION_MODE_FAST } }],
  ['seedream_4_5', { $case: 'seedream45', value: { modelId: 'doubao-seedream-4-5', size: pixels, imageSet: { maxImages: 15 } } }],
  ['seedream_5_0_lite', { $case: 'seedream50Lite', value: { modelId: 'doubao-seedream-5-0-lite-260128', size: tier, imageSet: { maxImages: 2 }, outputFormat: OutputFormat.OUTPUT_FORMAT_PNG, webSearch: true } }],
  ['seedream_5_0_pro', { $case: 'seedream50Pro', value: { modelId: '', size: pixels, promptOptimization: PromptOptimizationMode.PROMPT_OPTIMIZATION_MODE_STANDARD, outputFormat: OutputFormat.OUTPUT_FORMAT_JPEG } }],
  ['seedream_5_0_flash', { $case: 'seedream50Flash', value: { modelId: 'dola-seedream-5-0-flash-260915', size: tier, outputFormat: OutputFormat.OUTPUT_FORMAT_PNG } }],
];

describe('generated encode/decode', () => {
  it.each(models)('round-trips %s with all of its options', (_name, model) => {
    const request = { spec: { ...base, model }, requestId: '' };
    const bytes = GenerateImagesRequest.encode(request).finish();
    expect(GenerateImagesRequest.decode(bytes)).toEqual(request);
  });

  it('keeps an explicit seed of 0 and watermark false distinct from unset', () => {
    const spec = { ...base, watermark: undefined, model: { $case: 'seedream30' as const, value: { modelId: '', size: undefined, seed: 0 } } };
    const decoded = GenerateImagesRequest.decode(GenerateImagesRequest.encode({ spec, requestId: '' }).finish());
    expect(decoded.spec?.watermark).toBeUndefined();
    expect(decoded.spec?.model).toEqual({ $case: 'seedream30', value: { modelId: '', seed: 0 } });
  });

  it('round-trips every stream event', () => {
    const events: StreamImagesResponse[] = [
      { event: { $case: 'image', value: { index: 4, content: { $case: 'data', value: Buffer.from('jpeg') }, expiresAt: undefined, mimeType: 'image/jpeg', width: 2048, height: 2048, requestIndex: 1, setIndex: 0, sha256: '', byteSize: 0, warning: '' } } },
      { event: { $case: 'image', value: { index: 0, content: { $case: 'url', value: 'https://img/x.jpeg' }, expiresAt: new Date('2026-11-22T10:00:00Z'), mimeType: 'image/png', width: 2496, height: 1664, requestIndex: 0, setIndex: 0, sha256: 'ab'.repeat(32), byteSize: 5_000_000, warning: 'image 0: not hosted' } } },
      { event: { $case: 'failure', value: { index: 2, reason: ImageFailureReason.IMAGE_FAILURE_REASON_CONTENT_MODERATED, code: 'OutputImageSensitiveContentDetected', message: 'moderated', requestIndex: 0, setIndex: 2 } } },
      { event: { $case: 'heartbeat', value: { elapsed: { seconds: 15, nanos: 0 }, imagesDelivered: 1, imagesFailed: 0 } } },
      { event: { $case: 'completed', value: { model: 'doubao-seedream-4-5-251128', usage: { generatedImages: 2, failedImages: 1, outputTokens: 32448, webSearches: 0, estimatedCost: { currencyCode: 'USD', amountMicros: 80000 } } } } },
    ];
    for (const event of events) {
      expect(StreamImagesResponse.decode(StreamImagesResponse.encode(event).finish())).toEqual(event);
    }
  });
});
