/**
 * The env-only configuration as a channel list (DESIGN §12: "the env-only configuration stays as the
 * one-channel case"), and the reverse: the upstream summary the rest of the config (region, currency,
 * open mode) reads when channels come from the file.
 */
import type { ChannelConfig } from '../channels/types.js';
import type { UpstreamConfig } from '../config-types.js';
import { modelKeys } from '../models/catalog.js';

/** The one channel that an env-configured upstream is. */
export function channelFromUpstream(upstream: UpstreamConfig): ChannelConfig {
  const common = { name: 'default', region: upstream.region, priority: 0, weight: 1, maxConcurrency: undefined, imagesPerMinute: undefined };
  switch (upstream.kind) {
    case 'simulator':
      return { ...common, kind: 'simulator', baseUrl: undefined, keys: [], models: undefined };
    case 'ark': {
      const endpoints = upstream.endpointIds;
      // Endpoint ids replace the model id for their models only; every other model keeps its regional id.
      const models = Object.keys(endpoints).length === 0 ? undefined : Object.fromEntries(modelKeys.map((k) => [k, endpoints[k] ?? null]));
      return { ...common, kind: 'ark', baseUrl: upstream.baseUrl, keys: [upstream.apiKey], models };
    }
    case 'openai-compatible':
      return { ...common, kind: 'openai-compatible', baseUrl: upstream.baseUrl, keys: [upstream.apiKey], models: undefined };
    default: {
      const unreachable: never = upstream;
      throw new Error(`unknown upstream kind ${String(unreachable)}`);
    }
  }
}

/** The upstream summary of a file's channels: the highest-priority real channel (so open mode and the
 *  pricing currency follow the real upstream), else the highest-priority simulator. */
export function upstreamFromChannels(channels: readonly ChannelConfig[]): UpstreamConfig {
  const rank = (c: ChannelConfig) => (c.kind === 'simulator' ? -1e6 : 0) + c.priority;
  const first = [...channels].sort((a, b) => rank(b) - rank(a))[0];
  if (first === undefined) throw new Error('upstreamFromChannels: no channels');
  if (first.kind === 'simulator') return { kind: 'simulator', region: first.region };
  const apiKey = first.keys[0] ?? '';
  if (first.kind === 'ark') return { kind: 'ark', baseUrl: first.baseUrl ?? '', apiKey, region: first.region, endpointIds: {} };
  return { kind: 'openai-compatible', baseUrl: first.baseUrl ?? '', apiKey, region: first.region };
}
