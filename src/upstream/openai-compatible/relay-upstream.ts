/**
 * The OpenAI-compatible relay client: a third-party gateway that serves Seedream under OpenAI's path
 * `POST {base}/v1/images/generations` (reference §0: Ark itself has no `/v1` path) and takes the same
 * Seedream fields (`image`, `sequential_image_generation`, …) plus OpenAI's `user`. Its answers follow
 * Ark's shapes (OpenAI's `{created, data[], usage}` is a subset of them) and its errors the OpenAI
 * envelope (reference §4.4).
 */
import type { ImageUpstream } from '../types.js';
import { createArkHttpUpstream, type UpstreamLimits } from '../ark/ark-http-upstream.js';
import { relayErrorFromFailure } from './error-mapping.js';

/** How long a relay's URL is assumed to live when it does not say: OpenAI's contract gives 60 minutes
 *  (reference §4.1). Shorter than Ark's 24 h, and relays may re-host images, so the safe promise is
 *  the short one; a URL carrying Ark's TOS signature still gets its exact expiry. */
export const RELAY_URL_TTL_MS = 60 * 60 * 1000;

/** Settings of the relay client (from UpstreamConfig `openai-compatible`). */
export interface OpenAiCompatibleUpstreamOptions {
  /** Base URL ending in `/v1`. */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly connectTimeoutMs: number;
  readonly maxConnections: number;
  readonly limits?: UpstreamLimits;
  readonly now?: () => number;
}

/** Creates the relay client (one keep-alive pool to the base URL's origin). */
export function createOpenAiCompatibleUpstream(options: OpenAiCompatibleUpstreamOptions): ImageUpstream {
  return createArkHttpUpstream({
    provider: 'openai_compatible',
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    connectTimeoutMs: options.connectTimeoutMs,
    maxConnections: options.maxConnections,
    // The core already mapped the id to the configured region; relays route on the Seedream id.
    modelIdFor: (request) => request.modelId,
    includeUser: true,
    mapFailure: relayErrorFromFailure,
    urlTtlMs: RELAY_URL_TTL_MS,
    limits: options.limits,
    now: options.now,
  });
}
