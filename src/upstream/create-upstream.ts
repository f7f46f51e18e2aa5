/**
 * The upstream factory: one ImageUpstream for the configured `kind` (DESIGN §5). The embedded
 * simulator is a wire-faithful Ark server, so it is reached with the Ark client at `${simUrl}/api/v3`.
 */
import type { Config, UpstreamConfig } from '../config.js';
import { createArkUpstream } from './ark/ark-upstream.js';
import type { UpstreamLimits } from './ark/ark-http-upstream.js';
import { createOpenAiCompatibleUpstream } from './openai-compatible/relay-upstream.js';
import type { ImageUpstream } from './types.js';

/** What the composition root supplies besides config. */
export interface CreateUpstreamDeps {
  /** Origin of the running embedded simulator (`http://127.0.0.1:43210`); required for `simulator`. */
  readonly simulatorUrl?: string;
  /** The key the simulator accepts (`SIMULATOR_API_KEY`); any non-empty key when it checks none. */
  readonly simulatorApiKey?: string;
  /** Response size bounds; default: those of `http` (UPSTREAM_MAX_RESPONSE_BYTES, …). */
  readonly limits?: UpstreamLimits;
  /** Clock for URL expiry; tests inject one. */
  readonly now?: () => number;
}

/** Creates the upstream client for `config`. `http` sizes its connection pool and connect timeout;
 *  the per-call timeout comes with each call (UpstreamCallOptions.timeoutMs). */
export function createUpstream(
  config: UpstreamConfig,
  http: Config['upstreamHttp'],
  deps: CreateUpstreamDeps = {},
): ImageUpstream {
  const pool = { connectTimeoutMs: http.connectTimeoutMs, maxConnections: http.maxConnections };
  const limits = deps.limits ?? { maxResponseBytes: http.maxResponseBytes, maxSseFrameBytes: http.maxSseFrameBytes };
  const common = { ...pool, limits, now: deps.now };
  switch (config.kind) {
    case 'simulator': {
      if (deps.simulatorUrl === undefined) throw new Error('createUpstream: the simulator upstream needs deps.simulatorUrl');
      return createArkUpstream({
        ...common,
        baseUrl: `${deps.simulatorUrl.replace(/\/+$/, '')}/api/v3`,
        apiKey: deps.simulatorApiKey ?? 'simulator',
        region: config.region,
        provider: 'simulator',
      });
    }
    case 'ark':
      return createArkUpstream({
        ...common,
        baseUrl: config.baseUrl,
        apiKey: config.apiKey,
        region: config.region,
        endpointIds: config.endpointIds,
      });
    case 'openai-compatible':
      return createOpenAiCompatibleUpstream({ ...common, baseUrl: config.baseUrl, apiKey: config.apiKey });
    default: {
      const unreachable: never = config;
      throw new Error(`unknown upstream kind ${String((unreachable as { kind?: unknown }).kind)}`);
    }
  }
}
