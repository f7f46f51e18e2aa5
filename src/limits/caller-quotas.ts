/**
 * Caller quotas (DESIGN §12): before a generation, one all-or-nothing reservation of the caller key's
 * requests and images per minute and of its estimated spend per day and month (the most the call could
 * cost: every image it may produce at the model's highest price); after it, a refund of what was not
 * delivered (moderated and failed images, unspent cost). Refusals name the limit and say when it frees:
 * RATE_LIMITED for the per-minute limits, QUOTA_EXCEEDED for budgets, both with a retry delay.
 */
import { GatewayError } from '../errors.js';
import type { PriceTable } from '../models/pricing.js';
import type { ModelEntry } from '../models/types.js';
import type { LimitCharge, LimitStore, Reservation } from './limit-store.js';
import type { CallerLimits } from './types.js';

/** What a call holds between reserve and settle. */
export interface QuotaHold {
  /** Gives back what the call did not use; call once. */
  settle(delivered: number, costMicros: number): Promise<void>;
}

export interface CallerQuotas {
  /** Reserves the call's share of `keyName`'s limits, or throws RATE_LIMITED / QUOTA_EXCEEDED. */
  reserve(keyName: string, entry: ModelEntry, images: number): Promise<QuotaHold>;
}

const NOTHING_HELD: QuotaHold = { settle: async () => {} };

interface NamedCharge extends LimitCharge {
  /** How the refusal names the limit. */
  readonly label: string;
  readonly budget: boolean;
}

export function createCallerQuotas(deps: {
  readonly store: LimitStore;
  readonly limitsOf: (keyName: string) => CallerLimits | undefined;
  readonly prices: PriceTable;
  readonly rateWindowMs: number;
}): CallerQuotas {
  const { store, prices } = deps;
  const perWindow = { kind: 'sliding', ms: deps.rateWindowMs } as const;

  return {
    async reserve(keyName, entry, images) {
      const limits = deps.limitsOf(keyName);
      if (limits === undefined) return NOTHING_HELD;
      const cost = images * highestPriceMicros(prices, entry);
      const charges: NamedCharge[] = [];
      const add = (limit: number | undefined, charge: Omit<NamedCharge, 'limit'>) => {
        if (limit !== undefined) charges.push({ ...charge, limit });
      };
      add(limits.requestsPerMinute, { key: `caller:${keyName}:requests`, amount: 1, window: perWindow, label: 'requests per minute', budget: false });
      add(limits.imagesPerMinute, { key: `caller:${keyName}:images`, amount: images, window: perWindow, label: 'images per minute', budget: false });
      add(limits.dailyBudgetMicros, { key: `caller:${keyName}:spend:day`, amount: cost, window: { kind: 'day' }, label: 'daily budget', budget: true });
      add(limits.monthlyBudgetMicros, { key: `caller:${keyName}:spend:month`, amount: cost, window: { kind: 'month' }, label: 'monthly budget', budget: true });
      if (charges.length === 0) return NOTHING_HELD;

      const result = await store.reserve(charges);
      if (!result.ok) throw refusal(keyName, result.charge as NamedCharge, result.retryAfterMs);
      const reservation: Reservation = result.reservation;
      let settled = false;
      return {
        async settle(delivered, costMicros) {
          if (settled) return;
          settled = true;
          // Requests stay counted; undelivered images and unspent estimated cost go back.
          const back = charges.map((c) => (c.key.endsWith(':requests') ? 0 : c.budget ? Math.max(0, cost - costMicros) : Math.max(0, images - delivered)));
          await store.refund(reservation, back);
        },
      };
    },
  };
}

/** The most one image of `entry` can cost, in micros (the large-image price when there is one). */
function highestPriceMicros(prices: PriceTable, entry: ModelEntry): number {
  const { perImage, large } = prices.listPrices(entry);
  return Math.max(perImage?.micros ?? 0, large?.perImage.micros ?? 0);
}

function refusal(keyName: string, charge: NamedCharge, retryAfterMs: number): GatewayError {
  const reason = charge.budget ? 'QUOTA_EXCEEDED' : 'RATE_LIMITED';
  if (retryAfterMs < 0) {
    const what = charge.budget ? 'its estimated cost exceeds' : `it asks for ${charge.amount}, more than`;
    return new GatewayError(reason, `this call can never fit key ${keyName}'s ${charge.label}: ${what} the limit of ${charge.budget ? charge.limit / 1e6 : charge.limit}`, { retryable: false });
  }
  return new GatewayError(reason, `key ${keyName} has used its ${charge.label}; retry in ${Math.ceil(retryAfterMs / 1000)} s`, { retryable: true, retryAfterMs });
}
