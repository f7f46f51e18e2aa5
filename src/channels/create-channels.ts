/**
 * Builds the configured channels into one routed ImageUpstream (DESIGN §12): a client per channel key,
 * breakers whose transitions are logged and counted, the images-per-minute budgets in the LimitStore.
 */
import type { Config } from '../config.js';
import type { LimitStore } from '../limits/limit-store.js';
import type { Logger } from '../telemetry/logger.js';
import { createChannelKeyUpstream, type CreateUpstreamDeps } from '../upstream/create-upstream.js';
import type { ImageUpstream } from '../upstream/types.js';
import { CHANNEL_ATTR, createChannelMetrics } from './channel-metrics.js';
import { createChannelSet } from './channel-set.js';
import { createRoutedUpstream } from './routed-upstream.js';
import type { ModelKey } from '../models/types.js';

export interface Channels {
  readonly upstream: ImageUpstream;
  /** Models some channel serves. */
  readonly models: ReadonlySet<ModelKey>;
}

export function createChannels(
  config: Pick<Config, 'channels' | 'routing' | 'upstreamHttp'>,
  deps: { readonly limits: LimitStore; readonly logger: Logger; readonly upstreamDeps: CreateUpstreamDeps },
): Channels {
  const metrics = createChannelMetrics();
  const { logger } = deps;
  const set = createChannelSet(config.channels, {
    routing: config.routing,
    upstreamFor: (channel, apiKey) => createChannelKeyUpstream(channel, apiKey, config.upstreamHttp, deps.upstreamDeps),
    onBreakerChange(key, channel, state) {
      metrics.breakerTransitions.add(1, { [CHANNEL_ATTR.channel]: channel, [CHANNEL_ATTR.key]: key, [CHANNEL_ATTR.breakerState]: state });
      const log = state === 'open' ? logger.warn.bind(logger) : logger.info.bind(logger);
      log({ channel, channelKey: key, breaker: state }, `circuit breaker of channel key ${key} is ${state}`);
    },
  });
  const upstream = createRoutedUpstream({ set, limits: deps.limits, routing: config.routing, logger, metrics });
  return { upstream, models: set.models };
}
