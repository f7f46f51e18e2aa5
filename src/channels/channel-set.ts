/**
 * The channels at run time: each channel's keys with their upstream client, circuit breaker and
 * refused flag, and the order in which to try them for a model (DESIGN §12) — highest priority first,
 * weighted random within a priority, skipping refused keys and open breakers. Within one request,
 * channels it has not tried yet come first, so a retry fails over instead of hitting the same account.
 */
import { modelKeys } from '../models/catalog.js';
import type { ModelKey } from '../models/types.js';
import type { ImageUpstream } from '../upstream/types.js';
import { createCircuitBreaker, type BreakerState, type CircuitBreaker } from './circuit-breaker.js';
import type { ChannelConfig, RoutingConfig } from './types.js';

export interface ChannelKey {
  /** `<channel>#<n>` (1-based): how logs and metrics name the key. */
  readonly id: string;
  readonly channel: ChannelRuntime;
  readonly upstream: ImageUpstream;
  readonly breaker: CircuitBreaker;
  /** Set when the upstream refused the key; it never serves again in this process. */
  refused: boolean;
}

export interface ChannelRuntime {
  readonly config: ChannelConfig;
  readonly keys: readonly ChannelKey[];
  /** Upstream requests in flight on this channel in this process. */
  inFlight: number;
  /** Round-robin position among the channel's keys. */
  nextKey: number;
}

export interface ChannelSet {
  readonly channels: readonly ChannelRuntime[];
  /** Models some channel serves. */
  readonly models: ReadonlySet<ModelKey>;
  /** Keys to try for `model`, best first; keys in `tried` (ids) and their channels go last. */
  candidates(model: ModelKey, tried: ReadonlySet<string>): ChannelKey[];
  /** The earliest time an open breaker of a channel serving `model` lets a probe through. */
  nextProbeAt(model: ModelKey): number | undefined;
  close(): Promise<void>;
}

export interface ChannelSetDeps {
  readonly routing: RoutingConfig;
  /** The upstream client of one key of a channel (the embedded simulator's channels take no key). */
  readonly upstreamFor: (channel: ChannelConfig, apiKey: string | undefined) => ImageUpstream;
  readonly onBreakerChange?: (key: string, channel: string, state: BreakerState) => void;
  readonly now?: () => number;
  readonly random?: () => number;
}

export function createChannelSet(configs: readonly ChannelConfig[], deps: ChannelSetDeps): ChannelSet {
  const random = deps.random ?? Math.random;
  const channels: ChannelRuntime[] = configs.map((config) => {
    const keys: ChannelKey[] = [];
    const runtime: ChannelRuntime = { config, keys, inFlight: 0, nextKey: 0 };
    const secrets: (string | undefined)[] = config.keys.length > 0 ? [...config.keys] : [undefined];
    secrets.forEach((apiKey, i) => {
      const id = `${config.name}#${i + 1}`;
      keys.push({
        id,
        channel: runtime,
        upstream: deps.upstreamFor(config, apiKey),
        refused: false,
        breaker: createCircuitBreaker({
          failures: deps.routing.breakerFailures,
          cooldownMs: deps.routing.breakerCooldownMs,
          ...(deps.now && { now: deps.now }),
          onChange: (state) => deps.onBreakerChange?.(id, config.name, state),
        }),
      });
    });
    return runtime;
  });
  const models = new Set<ModelKey>();
  for (const channel of channels) for (const key of servedModels(channel.config)) models.add(key);

  /** The channel's next usable key, round robin, untried keys first. */
  function keyOf(channel: ChannelRuntime, tried: ReadonlySet<string>): ChannelKey | undefined {
    const usable = channel.keys.filter((k) => !k.refused && k.breaker.available());
    if (usable.length === 0) return undefined;
    const fresh = usable.filter((k) => !tried.has(k.id));
    const pool = fresh.length > 0 ? fresh : usable;
    channel.nextKey = (channel.nextKey + 1) % pool.length;
    return pool[channel.nextKey];
  }

  return {
    channels,
    models,
    candidates(model, tried) {
      const serving = channels.filter((c) => serves(c.config, model));
      // Weighted random order within a priority (Efraimidis–Spirakis keys), priorities high to low,
      // channels this request has not tried before the ones it has.
      const ranked = serving
        .map((c) => ({ c, touched: c.keys.some((k) => tried.has(k.id)), order: Math.pow(random(), 1 / c.config.weight) }))
        .sort((a, b) => Number(a.touched) - Number(b.touched) || b.c.config.priority - a.c.config.priority || b.order - a.order);
      const out: ChannelKey[] = [];
      for (const { c } of ranked) {
        const key = keyOf(c, tried);
        if (key !== undefined) out.push(key);
      }
      return out;
    },
    nextProbeAt(model) {
      let soonest: number | undefined;
      for (const channel of channels) {
        if (!serves(channel.config, model)) continue;
        for (const key of channel.keys) {
          const at = key.refused ? undefined : key.breaker.retryAt;
          if (at !== undefined && (soonest === undefined || at < soonest)) soonest = at;
        }
      }
      return soonest;
    },
    async close() {
      await Promise.all(channels.flatMap((c) => c.keys.map((k) => k.upstream.close())));
    },
  };
}

function serves(config: ChannelConfig, model: ModelKey): boolean {
  return config.models === undefined || Object.hasOwn(config.models, model);
}

function servedModels(config: ChannelConfig): ModelKey[] {
  return config.models === undefined ? ALL : (Object.keys(config.models) as ModelKey[]);
}

const ALL = [...modelKeys];
