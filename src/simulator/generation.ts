/**
 * Producing the images of one request and describing them in Ark's words (reference §2, §3.2): each
 * attempt is an image or a failure; moderation fails one image and the set goes on, an internal error
 * fails one and the set stops. Images are filed in the store (URL mode) or taken from its cache (b64).
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ImageErrorObject } from './ark-errors.js';
import type { Fault } from './faults.js';
import type { ImageStore } from './image-store.js';
import { answerShape, type GenerationPlan } from './plan.js';
import type { GenerationRequest } from './validate.js';

/** One image attempt: a delivered image or a failure. */
export type ImageOutcome =
  | { readonly kind: 'image'; readonly index: number; readonly url?: string; readonly b64?: string }
  | { readonly kind: 'failure'; readonly index: number; readonly error: ImageErrorObject; readonly fatal: boolean };

/** One HTTP exchange of a generation request as the responders see it. */
export interface Exchange {
  readonly res: ServerResponse;
  readonly requestId: string;
  /** Aborted when the client disconnects before the answer is complete. */
  readonly signal: AbortSignal;
  /** Simulated render time per image, ms. */
  readonly latencyMs: number;
  readonly now: () => number;
  /** Notes an image attempt in the request log. */
  record(outcome: ImageOutcome): void;
  /** Resets the TCP connection (the `reset` fault). */
  reset(): void;
}

/** Where in the set a transport fault strikes: after this many image attempts, if the fault is one. */
export function cutAfter(fault: { kind: string; afterImages?: number } | undefined): number | undefined {
  return fault !== undefined && 'afterImages' in fault ? fault.afterImages : undefined;
}

/** Everything needed to produce the images of one request. */
export interface Generation {
  readonly request: GenerationRequest;
  readonly plan: GenerationPlan;
  readonly fault: Fault | undefined;
  readonly store: ImageStore;
  /** Base of download URLs, e.g. `http://127.0.0.1:18080`. */
  readonly baseUrl: string;
}

// Wording of the upstream's own samples (reference §2, §3.3).
const moderated: ImageErrorObject = {
  code: 'OutputImageSensitiveContentDetected',
  message: 'The request failed because the output image may contain sensitive information.',
};
const internal: ImageErrorObject = {
  code: 'InternalServiceError',
  message: 'The service encountered an unexpected internal error while generating the image.',
};

/** Produces image attempt `index` (after its latency has passed). */
export function produceImage(generation: Generation, index: number): ImageOutcome {
  const { fault, request, plan, store } = generation;
  if (fault?.kind === 'moderate' && (Array.isArray(fault.imageIndex) ? fault.imageIndex.includes(index) : fault.imageIndex === index)) {
    return { kind: 'failure', index, error: moderated, fatal: false };
  }
  if (fault?.kind === 'internal-error' && fault.imageIndex === index) {
    return { kind: 'failure', index, error: internal, fatal: true };
  }
  const params = plan.render(index);
  if (request.responseFormat === 'url') return { kind: 'image', index, url: generation.baseUrl + store.register(params) };
  return { kind: 'image', index, b64: store.get(params).base64() };
}

/** Waits `ms` (the simulated render time); resolves false at once if the request was aborted. */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms > 0 && !signal.aborted) {
    try {
      await sleep(ms, undefined, { signal });
    } catch {
      return false;
    }
  }
  return !signal.aborted;
}

/** A delivered image as a `data[]` item or the image fields of a `partial_succeeded` event. */
export function imageFields(generation: Generation, outcome: Extract<ImageOutcome, { kind: 'image' }>): Record<string, unknown> {
  const shape = answerShape(generation.request.entry.key);
  const { width, height } = generation.plan.size;
  return {
    ...(outcome.url !== undefined ? { url: outcome.url } : { b64_json: outcome.b64 }),
    ...(shape.size && { size: `${width}x${height}` }),
    ...(shape.outputFormat && { output_format: generation.request.outputFormat }),
    // 5.5 echoes the background it drew (reference-updates §3.1).
    ...(generation.request.background !== undefined && { background: generation.request.background }),
  };
}

/** `usage` over the outcomes: only delivered images count (reference §2: failed images are not billed). */
export function usageOf(generation: Generation, outcomes: readonly ImageOutcome[]): Record<string, unknown> {
  const delivered = outcomes.filter((o) => o.kind === 'image').length;
  const { width, height } = generation.plan.size;
  const tokens = Math.round((delivered * width * height) / 256);
  const { request } = generation;
  return {
    generated_images: delivered,
    output_tokens: tokens,
    total_tokens: tokens,
    // One search per request when web search is on: the simulator has nothing to search for.
    ...(request.webSearch && { tool_usage: { web_search: 1 } }),
    ...(answerShape(request.entry.key).inputImages && { input_images: request.referenceImages }),
  };
}

/** The top-level `tools` echo of web-search requests (5.0 lite, reference §2). */
export function toolsEcho(generation: Generation): { tools?: { type: string }[] } {
  return generation.request.webSearch ? { tools: [{ type: 'web_search' }] } : {};
}
