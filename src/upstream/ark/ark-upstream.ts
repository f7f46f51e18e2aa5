/**
 * The native Ark client: Volcengine Ark (China) or BytePlus ModelArk (international), reference §0.
 * The core passes the model id already mapped to the region; an operator-configured endpoint id
 * (`ep-…`) for the model replaces it here, since endpoint ids are Ark-specific configuration.
 */
import type { ModelKey, Region } from '../../models/types.js';
import type { ImageUpstream } from '../types.js';
import { createArkHttpUpstream, type UpstreamLimits } from './ark-http-upstream.js';
import { arkErrorFromFailure } from './error-mapping.js';

/** Ark's result URLs live 24 h from `created` (reference §2, §5). */
export const ARK_URL_TTL_MS = 24 * 60 * 60 * 1000;

/** Settings of the Ark client (from UpstreamConfig `ark`, or the simulator's URL). */
export interface ArkUpstreamOptions {
  /** Base URL ending in `/api/v3` (`https://ark.cn-beijing.volces.com/api/v3`). */
  readonly baseUrl: string;
  readonly apiKey: string;
  readonly region: Region;
  /** Model key → endpoint id sent as `model` instead of the model id. */
  readonly endpointIds?: Readonly<Partial<Record<ModelKey, string>>>;
  readonly connectTimeoutMs: number;
  readonly maxConnections: number;
  /** Overrides the provider name (the embedded simulator reports `simulator`). */
  readonly provider?: string;
  readonly limits?: UpstreamLimits;
  readonly now?: () => number;
}

/** `gen_ai.provider.name` of an Ark region. */
export function arkProviderName(region: Region): 'volcengine' | 'byteplus' {
  return region === 'cn' ? 'volcengine' : 'byteplus';
}

/** Creates the Ark client (one keep-alive pool to the base URL's origin). */
export function createArkUpstream(options: ArkUpstreamOptions): ImageUpstream {
  const endpointIds = options.endpointIds ?? {};
  return createArkHttpUpstream({
    provider: options.provider ?? arkProviderName(options.region),
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    connectTimeoutMs: options.connectTimeoutMs,
    maxConnections: options.maxConnections,
    modelIdFor: (request) => endpointIds[request.model.key] ?? request.modelId,
    // Ark has no `user` (reference §1.1); sending it would be an unknown parameter.
    includeUser: false,
    mapFailure: arkErrorFromFailure,
    urlTtlMs: ARK_URL_TTL_MS,
    limits: options.limits,
    now: options.now,
  });
}
