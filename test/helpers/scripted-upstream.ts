/**
 * A scripted ImageUpstream for core tests: each attempt runs a script that yields events (or throws),
 * and every call is recorded with its signal, so tests can assert what the core asked and aborted.
 */
import { base64TextOfString, type Base64Text } from '../../src/base64.js';
import type { ImageUpstream, UpstreamCallOptions, UpstreamEvent, UpstreamImageRequest } from '../../src/upstream/types.js';
import type { CancelSignal } from '../../src/cancel-signal.js';

export interface RecordedCall {
  readonly request: UpstreamImageRequest;
  readonly options: UpstreamCallOptions;
  readonly attempt: number;
  readonly startedAt: number;
  endedAt?: number;
  /** Why the call's signal was aborted, if it was. */
  abortReason?: unknown;
}

export type Script = (call: RecordedCall, signal: CancelSignal) => AsyncGenerator<UpstreamEvent>;

export interface ScriptedUpstream extends ImageUpstream {
  readonly calls: RecordedCall[];
  /** Most attempts running at the same time. */
  readonly maxConcurrent: number;
}

export function scriptedUpstream(script: Script): ScriptedUpstream {
  const calls: RecordedCall[] = [];
  let running = 0;
  let maxConcurrent = 0;
  return {
    provider: 'scripted',
    server: { address: '127.0.0.1', port: 0 },
    calls,
    get maxConcurrent() {
      return maxConcurrent;
    },
    async *generate(request, options) {
      const call: RecordedCall = { request, options, attempt: calls.length + 1, startedAt: Date.now() };
      calls.push(call);
      options.signal.addEventListener('abort', () => (call.abortReason = options.signal.reason), { once: true });
      running += 1;
      maxConcurrent = Math.max(maxConcurrent, running);
      try {
        yield* script(call, options.signal);
      } finally {
        running -= 1;
        call.endedAt = Date.now();
      }
    },
    close: async () => undefined,
  };
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first (as a real HTTP client does). */
export function wait(ms: number, signal: CancelSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

/** Base64 as an upstream image carries it (UpstreamImage.b64); `text` must be base64. */
export function base64Of(text: string): Base64Text {
  const checked = base64TextOfString(text);
  if (checked === undefined) throw new Error(`not base64: ${text.slice(0, 40)}`);
  return checked;
}

/** The text of checked base64 ('' for none). */
export const textOf = (text: Base64Text | undefined): string => text?.segments.join('') ?? '';

export const image = (index: number, extra: Partial<UpstreamEvent & { type: 'image' }> = {}): UpstreamEvent => ({
  type: 'image',
  index,
  url: `https://upstream.example/img-${index}.jpeg`,
  width: 2048,
  height: 2048,
  ...extra,
});

export const completed = (generatedImages: number, model = 'doubao-seedream-4-5-251128'): UpstreamEvent => ({
  type: 'completed',
  model,
  generatedImages,
  outputTokens: generatedImages * 16384,
  webSearches: 0,
  requestId: 'req-test',
});
