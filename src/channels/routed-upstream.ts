/**
 * The channels as one ImageUpstream (DESIGN §12). Each attempt goes to the best channel key that serves
 * the model and has room: images-per-minute reserved from the channel's budget before the call
 * (`n × max images` over a call's requests) and the unused part refunded after, per-channel concurrency,
 * healthy breaker. When no channel has room it waits, up to a bound within the attempt's time, then
 * answers RATE_LIMITED with the time until room — instead of sending requests that would collect 429s.
 * The outcome feeds the key's breaker; a refused key leaves rotation, logged and counted.
 */
import { GatewayError, toGatewayError } from '../errors.js';
import type { LimitStore, Reservation } from '../limits/limit-store.js';
import { findModel, upstreamModelId } from '../models/lookup.js';
import { sleep } from '../service/retry-policy.js';
import type { Logger } from '../telemetry/logger.js';
import type { AttemptRoute, ImageUpstream, UpstreamCallOptions, UpstreamEvent, UpstreamImageRequest } from '../upstream/types.js';
import { CHANNEL_ATTR, type ChannelMetrics } from './channel-metrics.js';
import type { ChannelKey, ChannelSet } from './channel-set.js';
import { failureKind } from './failure-kind.js';
import type { RoutingConfig } from './types.js';

export interface RoutedUpstreamDeps {
  readonly set: ChannelSet;
  readonly limits: LimitStore;
  readonly routing: RoutingConfig;
  readonly logger: Logger;
  readonly metrics: ChannelMetrics;
  readonly now?: () => number;
}

/** How often a request waiting for a channel's concurrency slot looks again. */
const CONCURRENCY_POLL_MS = 50;

interface Lease {
  readonly key: ChannelKey;
  readonly reservation: Reservation | undefined;
  readonly reserved: number;
}

export function createRoutedUpstream(deps: RoutedUpstreamDeps): ImageUpstream {
  const { set, limits, routing, logger, metrics } = deps;
  const now = deps.now ?? Date.now;
  const first = set.channels[0]?.keys[0]?.upstream;
  if (first === undefined) throw new Error('createRoutedUpstream: no channels');

  /** Takes a channel key with room for `images`, waiting up to the bound; throws when none has. */
  async function lease(request: UpstreamImageRequest, images: number, tried: ReadonlySet<string>, options: UpstreamCallOptions): Promise<Lease> {
    const waitUntil = now() + Math.min(routing.maxQueueWaitMs, Math.max(0, options.timeoutMs - 1000));
    for (;;) {
      const candidates = set.candidates(request.model.key, tried);
      if (candidates.length === 0) throw noChannel(request);
      let soonest = Number.POSITIVE_INFINITY;
      for (const key of candidates) {
        const { config } = key.channel;
        if (config.maxConcurrency !== undefined && key.channel.inFlight >= config.maxConcurrency) {
          soonest = Math.min(soonest, CONCURRENCY_POLL_MS);
          continue;
        }
        // Counted before the await, so concurrent requests of this process cannot all pass the check.
        key.channel.inFlight += 1;
        let reservation: Reservation | undefined;
        if (config.imagesPerMinute !== undefined) {
          const result = await limits.reserve([
            { key: `channel:${config.name}:images`, amount: images, limit: config.imagesPerMinute, window: { kind: 'sliding', ms: routing.rateWindowMs } },
          ]).catch((error: unknown) => {
            key.channel.inFlight -= 1;
            throw error;
          });
          if (!result.ok) {
            key.channel.inFlight -= 1;
            if (result.retryAfterMs >= 0) soonest = Math.min(soonest, result.retryAfterMs);
            continue;
          }
          reservation = result.reservation;
        }
        key.breaker.begin();
        return { key, reservation, reserved: images };
      }
      const left = waitUntil - now();
      if (!Number.isFinite(soonest) || left <= 0) {
        const retryAfterMs = Number.isFinite(soonest) ? Math.max(1, Math.ceil(soonest)) : routing.rateWindowMs;
        throw new GatewayError('RATE_LIMITED', `no channel serving ${request.model.displayName} has room in its images-per-minute budget; retry later`, { retryAfterMs });
      }
      await sleep(Math.min(soonest, left), options.signal);
    }
  }

  function noChannel(request: UpstreamImageRequest): GatewayError {
    if (!set.models.has(request.model.key)) {
      return new GatewayError('MODEL_NOT_FOUND', `no channel of this gateway serves ${request.model.displayName}`);
    }
    const probeAt = set.nextProbeAt(request.model.key);
    return new GatewayError('UPSTREAM_UNAVAILABLE', `every channel serving ${request.model.displayName} is failing or refused; retry later`, {
      ...(probeAt !== undefined && { retryAfterMs: Math.max(1, probeAt - now()) }),
    });
  }

  /** The id this channel expects: its configured id for the model, else the snapshot's id in its region. */
  function modelIdFor(key: ChannelKey, request: UpstreamImageRequest): string {
    const mapped = key.channel.config.models?.[request.model.key];
    if (typeof mapped === 'string') return mapped;
    const snapshot = findModel(request.modelId)?.snapshot ?? request.model.snapshots[0];
    return upstreamModelId(snapshot, key.channel.config.region);
  }

  function noteFailure(key: ChannelKey, error: GatewayError, aborted: boolean): void {
    const channel = key.channel.config.name;
    const attrs = { [CHANNEL_ATTR.channel]: channel };
    if (aborted) {
      key.breaker.abandon();
      return;
    }
    const kind = failureKind(error);
    metrics.attempts.add(1, { ...attrs, [CHANNEL_ATTR.outcome]: kind === 'refused' ? 'refused' : kind === 'rate-limited' ? 'rate_limited' : 'failed' });
    switch (kind) {
      case 'refused':
        key.refused = true;
        key.breaker.abandon();
        metrics.refusedKeys.add(1, { ...attrs, [CHANNEL_ATTR.key]: key.id });
        logger.error({ channel, channelKey: key.id, reason: error.reason, upstreamStatus: error.upstream?.status, upstreamCode: error.upstream?.code }, 'the upstream refused a channel key: it is out of rotation until the gateway restarts');
        return;
      case 'unhealthy':
        key.breaker.fail();
        break;
      case 'rate-limited':
        key.breaker.abandon();
        break;
      case 'request':
        // The upstream answered sensibly about the request itself: the key is healthy.
        key.breaker.succeed();
        return;
    }
    logger.warn({ channel, channelKey: key.id, reason: error.reason, upstreamStatus: error.upstream?.status }, 'upstream attempt failed on channel');
  }

  // The attribute set of a served attempt, one per channel (configured, so few), built once: the
  // counter only reads it, and an object per attempt is garbage on every call.
  const servedAttrs = new Map<string, Readonly<Record<string, string>>>();
  function servedAttributes(channel: string): Readonly<Record<string, string>> {
    let attrs = servedAttrs.get(channel);
    if (attrs === undefined) {
      attrs = Object.freeze({ [CHANNEL_ATTR.channel]: channel, [CHANNEL_ATTR.outcome]: 'ok' });
      servedAttrs.set(channel, attrs);
    }
    return attrs;
  }

  return {
    provider: first.provider,
    server: first.server,
    async *generate(request, options): AsyncGenerator<UpstreamEvent> {
      const route: AttemptRoute = options.route ?? { tried: new Set() };
      route.alternative = false;
      const images = request.imageSet?.maxImages ?? 1;
      const { key, reservation, reserved } = await lease(request, images, route.tried, options);
      route.channel = key.channel.config.name;
      route.tried.add(key.id);
      let used = 0;
      let verdict = false;
      try {
        // The request is copied only when this channel names the model differently (a copy of the
        // request's dozen fields per attempt is garbage the common case does not need).
        const modelId = modelIdFor(key, request);
        for await (const event of key.upstream.generate(modelId === request.modelId ? request : { ...request, modelId }, options)) {
          if (event.type === 'completed') used = Math.max(used, event.generatedImages);
          else used += event.type === 'image' || /SensitiveContent/.test(event.code) ? 1 : 0;
          yield event;
        }
        verdict = true;
        key.breaker.succeed();
        metrics.attempts.add(1, servedAttributes(route.channel));
        // Failures are logged at warn/error; a served attempt only at debug (one line per attempt is too
        // much for production logs; the attempt span carries the channel too).
        if (logger.isLevelEnabled('debug')) logger.debug({ channel: route.channel, channelKey: key.id, model: request.model.key, images: used }, 'upstream attempt served');
      } catch (thrown) {
        verdict = true;
        const error = toGatewayError(thrown);
        noteFailure(key, error, options.signal.aborted);
        route.alternative = set.candidates(request.model.key, route.tried).some((k) => !route.tried.has(k.id));
        throw thrown;
      } finally {
        if (!verdict) key.breaker.abandon();
        key.channel.inFlight -= 1;
        if (reservation !== undefined && used < reserved) {
          limits.refund(reservation, [reserved - used]).catch((error: unknown) => logger.warn({ err: error, channel: route.channel }, 'could not refund a channel reservation'));
        }
      }
    },
    close: () => set.close(),
  };
}
