/**
 * Instruments of routing (DESIGN §12): upstream attempts by channel and outcome, keys taken out of
 * rotation, breaker transitions. Key ids (`<channel>#<n>`) name keys; the keys themselves never appear.
 */
import { metrics, type Counter } from '@opentelemetry/api';
import { createSummedCounter } from '../telemetry/summed-counter.js';

export interface ChannelMetrics {
  /** Attempts by `seedream.channel` and `seedream.channel.outcome` (ok, failed, refused, rate_limited). */
  readonly attempts: Counter;
  /** Keys the upstream refused, by `seedream.channel` and `seedream.channel.key`. */
  readonly refusedKeys: Counter;
  /** Breaker transitions, by channel, key and `seedream.breaker.state`. */
  readonly breakerTransitions: Counter;
}

export const CHANNEL_ATTR = {
  channel: 'seedream.channel',
  key: 'seedream.channel.key',
  outcome: 'seedream.channel.outcome',
  breakerState: 'seedream.breaker.state',
} as const;

export function createChannelMetrics(): ChannelMetrics {
  const meter = metrics.getMeter('seedream-gateway');
  return {
    attempts: createSummedCounter(meter, 'seedream.channel.attempts', { unit: '{attempt}', description: 'Upstream attempts by channel and outcome.' }),
    refusedKeys: createSummedCounter(meter, 'seedream.channel.refused_keys', { unit: '{key}', description: 'Channel keys the upstream refused (401/403/quota), taken out of rotation.' }),
    breakerTransitions: createSummedCounter(meter, 'seedream.channel.breaker_transitions', { unit: '{transition}', description: 'Circuit breaker state changes per channel key.' }),
  };
}
