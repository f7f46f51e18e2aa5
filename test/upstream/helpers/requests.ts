/** Upstream requests for tests: every option set, so tests see which ones each model keeps. */
import { modelByKey, upstreamModelId } from '../../../src/models/lookup.js';
import type { ModelKey, Region } from '../../../src/models/types.js';
import type { UpstreamCallOptions, UpstreamImageRequest } from '../../../src/upstream/types.js';

/** A request for `key` with every option the interface has set (the client must drop the rest). */
export function requestWithEverything(
  key: ModelKey,
  overrides: Partial<UpstreamImageRequest> = {},
  region: Region = 'cn',
): UpstreamImageRequest {
  const model = modelByKey(key);
  return {
    model,
    modelId: upstreamModelId(model.snapshots[0], region),
    prompt: 'a red fox in snow, 16:9',
    images: model.maxReferenceImages > 0 ? ['https://example.com/ref.png'] : [],
    size: '2048x2048',
    responseFormat: 'url',
    watermark: false,
    seed: 42,
    guidanceScale: 3,
    imageSet: { maxImages: 3 },
    promptOptimization: 'standard',
    outputFormat: 'png',
    webSearch: true,
    user: 'end-user-7',
    stream: false,
    ...overrides,
  };
}

/** A plain request: only what every model takes. */
export function simpleRequest(key: ModelKey, overrides: Partial<UpstreamImageRequest> = {}): UpstreamImageRequest {
  const model = modelByKey(key);
  return {
    model,
    modelId: upstreamModelId(model.snapshots[0], 'cn'),
    prompt: 'a red fox in snow',
    images: [],
    size: '2048x2048',
    responseFormat: 'url',
    stream: false,
    ...overrides,
  };
}

/** Call options with a fresh, never-aborted signal. */
export function callOptions(overrides: Partial<UpstreamCallOptions> = {}): UpstreamCallOptions {
  return { signal: new AbortController().signal, timeoutMs: 10_000, ...overrides };
}
