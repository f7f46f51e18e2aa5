/**
 * What the gateway knows about its channels (DESIGN §12): each channel is one upstream account — a base
 * URL, one or more keys, the models it serves and how to name them there, its place in routing (priority,
 * weight) and its own limits. The config file (src/config-file/) produces these; so does the env-only
 * configuration, as a single channel.
 */
import type { ModelKey, Region } from '../models/types.js';

/** How a channel is spoken to: the native Ark API (Volcengine or BytePlus by region), an OpenAI-compatible
 *  relay, or a simulator (the embedded one when it has no base URL). */
export type ChannelKind = 'ark' | 'openai-compatible' | 'simulator';

export interface ChannelConfig {
  /** Unique; appears in logs, traces, metrics and the usage ledger. */
  readonly name: string;
  readonly kind: ChannelKind;
  /** Which model ids the channel expects (doubao-… in cn, seedream-… internationally). */
  readonly region: Region;
  /** Base URL (Ark: …/api/v3, relay: …/v1, simulator: its origin); undefined = the embedded simulator. */
  readonly baseUrl: string | undefined;
  /** The channel's API keys, tried in turn; a key the upstream refuses leaves rotation. Never logged. */
  readonly keys: readonly string[];
  /** Models served, each with an optional upstream id (an Ark endpoint id, a relay's own name);
   *  undefined = every catalog model under its regional id. */
  readonly models: Readonly<Partial<Record<ModelKey, string | null>>> | undefined;
  /** Higher first; a lower priority serves only when no higher one can. */
  readonly priority: number;
  /** Share of traffic among healthy channels of the same priority. */
  readonly weight: number;
  /** Upstream requests in flight at once on this channel; undefined = no cap. */
  readonly maxConcurrency: number | undefined;
  /** Upstream images per rate window (the account's IPM); undefined = no limit. */
  readonly imagesPerMinute: number | undefined;
}

/** How routing behaves; from the config file's `routing` section. */
export interface RoutingConfig {
  /** Consecutive failures of one channel key that open its circuit breaker. */
  readonly breakerFailures: number;
  /** How long an open breaker waits before one half-open probe. */
  readonly breakerCooldownMs: number;
  /** How long a request may wait for room in some channel's images-per-minute budget (within its deadline). */
  readonly maxQueueWaitMs: number;
  /** Length of the "minute" of every per-minute limit. 60 000 in production; shorter only for tests. */
  readonly rateWindowMs: number;
}

export const defaultRouting: RoutingConfig = Object.freeze({
  breakerFailures: 5,
  breakerCooldownMs: 30_000,
  maxQueueWaitMs: 2_000,
  rateWindowMs: 60_000,
});
