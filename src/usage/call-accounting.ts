/**
 * Accounting of one generation call around the core's run (DESIGN §12): reserves the caller's quotas
 * before it, watches its events (which channel served each upstream request, images delivered and
 * failed, their estimated cost), and when it ends settles the quotas (refunding what was not
 * delivered), adds the call to the usage ledger and counts it in the usage metrics.
 */
import { metrics } from '@opentelemetry/api';
import { createAttributeInterner } from '../telemetry/interned-attributes.js';
import { createSummedCounter } from '../telemetry/summed-counter.js';
import type { CallerQuotas } from '../limits/caller-quotas.js';
import type { PriceTable } from '../models/pricing.js';
import type { GenerationPlan } from '../service/plan-generation.js';
import type { GenerationEvent } from '../service/types.js';
import type { UsageDelta, UsageLedger } from './usage-ledger.js';

/** One call being accounted. */
export interface AccountedCall {
  /** The channel that served (the latest attempt of) upstream request `requestIndex`. */
  onChannel(requestIndex: number, channel: string): void;
  observe(event: GenerationEvent): void;
  /** Settles and records; never throws (problems go to `onError`). */
  end(failed: boolean): Promise<void>;
}

export interface CallAccounting {
  /** Reserves the caller's quotas for `plan` (throws RATE_LIMITED / QUOTA_EXCEEDED) and starts accounting. */
  begin(keyName: string, plan: GenerationPlan): Promise<AccountedCall>;
}

export function createCallAccounting(deps: {
  readonly quotas: CallerQuotas;
  readonly ledger: UsageLedger;
  readonly prices: PriceTable;
  readonly onError: (error: unknown, what: string) => void;
}): CallAccounting {
  const meter = metrics.getMeter('seedream-gateway');
  const imagesCounter = createSummedCounter(meter, 'seedream.usage.images', { unit: '{image}', description: 'Images by caller key, model, channel and outcome (delivered, failed): the usage ledger as metrics.' });
  // Attribute sets built once per distinct set (frozen: the counters find them by identity).
  const metricAttributes = createAttributeInterner();
  const requestsCounter = createSummedCounter(meter, 'seedream.usage.requests', { unit: '{request}', description: 'Generation calls by caller key, model and channel.' });

  return {
    async begin(keyName, plan) {
      const hold = await deps.quotas.reserve(keyName, plan.entry, plan.n * plan.imagesPerRequest);
      const channels = new Map<number, string>();
      const rows = new Map<string, { delivered: number; failed: number; cost: number }>();
      const row = (requestIndex: number) => {
        const channel = channels.get(requestIndex) ?? 'none';
        let r = rows.get(channel);
        if (r === undefined) rows.set(channel, (r = { delivered: 0, failed: 0, cost: 0 }));
        return r;
      };
      let delivered = 0;
      let cost = 0;
      return {
        onChannel: (requestIndex, channel) => void channels.set(requestIndex, channel),
        observe(event) {
          if (event.type === 'image') {
            const price = deps.prices.priceOf(plan.entry, event.image.width, event.image.height)?.micros ?? 0;
            const r = row(event.image.requestIndex);
            r.delivered += 1;
            r.cost += price;
            delivered += 1;
            cost += price;
          } else if (event.type === 'failure') row(event.failure.requestIndex).failed += 1;
        },
        async end(failed) {
          // A call that failed as a whole reported no failure events: its requests count as failed images.
          if (failed && delivered === 0) for (let i = 0; i < plan.n; i += 1) row(i).failed = Math.max(row(i).failed, 1);
          const requestChannel = channels.get(0) ?? 'none';
          if (!rows.has(requestChannel)) row(0);
          const deltas: UsageDelta[] = [...rows].map(([channel, r]) => ({
            caller: keyName,
            model: plan.entry.key,
            channel,
            requests: channel === requestChannel ? 1 : 0,
            imagesDelivered: r.delivered,
            imagesFailed: r.failed,
            costMicros: r.cost,
          }));
          for (const d of deltas) {
            const attrs = (outcome?: string) => metricAttributes(`${keyName}\u0000${d.model}\u0000${d.channel}\u0000${outcome}`, () => ({
              'seedream.key.name': keyName,
              'gen_ai.request.model': d.model,
              'seedream.channel': d.channel,
              ...(outcome !== undefined && { 'seedream.image.outcome': outcome }),
            }));
            if (d.requests > 0) requestsCounter.add(d.requests, attrs());
            if (d.imagesDelivered > 0) imagesCounter.add(d.imagesDelivered, attrs('delivered'));
            if (d.imagesFailed > 0) imagesCounter.add(d.imagesFailed, attrs('failed'));
          }
          await Promise.all([
            hold.settle(delivered, cost).catch((error: unknown) => deps.onError(error, 'settling caller quotas')),
            deps.ledger.record(deltas).catch((error: unknown) => deps.onError(error, 'recording usage')),
          ]);
        },
      };
    },
  };
}
