/**
 * The upstream factory: one ImageUpstream for the configured `kind` (DESIGN §5). The embedded
 * simulator is a wire-faithful Ark server, so it is reached with the Ark client at `${simUrl}/api/v3`.
 */
import type { ChannelConfig } from '../channels/types.js';
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

/** The upstream client of one key of a channel (src/channels/): the channel's kind, base URL and region
 *  with that key. Model ids are mapped by the router, so no endpoint ids here. A simulator channel
 *  without a base URL is the embedded simulator (deps.simulatorUrl). */
export function createChannelKeyUpstream(
  channel: ChannelConfig,
  apiKey: string | undefined,
  http: Config['upstreamHttp'],
  deps: CreateUpstreamDeps = {},
): ImageUpstream {
  switch (channel.kind) {
    case 'simulator': {
      const simulatorUrl = channel.baseUrl ?? deps.simulatorUrl;
      const simulatorApiKey = apiKey ?? deps.simulatorApiKey;
      return createUpstream({ kind: 'simulator', region: channel.region }, http, {
        ...deps,
        ...(simulatorUrl !== undefined && { simulatorUrl }),
        ...(simulatorApiKey !== undefined && { simulatorApiKey }),
      });
    }
    case 'ark':
      return createUpstream({ kind: 'ark', baseUrl: channel.baseUrl ?? '', apiKey: apiKey ?? '', region: channel.region, endpointIds: {} }, http, deps);
    case 'openai-compatible':
      return createUpstream({ kind: 'openai-compatible', baseUrl: channel.baseUrl ?? '', apiKey: apiKey ?? '', region: channel.region }, http, deps);
    default: {
      const unreachable: never = channel.kind;
      throw new Error(`unknown channel kind ${String(unreachable)}`);
    }
  }
}
