/**
 * Caller quotas and the shared-state engine choice (DESIGN §7, §12). Limits of a caller key come from
 * the config file; where counters live (this process, or Redis shared by replicas) is the store config.
 */

/** Per caller key limits; any may be absent (no limit). */
export interface CallerLimits {
  readonly requestsPerMinute?: number;
  readonly imagesPerMinute?: number;
  /** Generations running at once for this key (overrides MAX_CONCURRENT_GENERATIONS_PER_KEY). */
  readonly maxConcurrency?: number;
  /** Estimated spend per UTC day, in micros of the pricing currency. */
  readonly dailyBudgetMicros?: number;
  /** Estimated spend per UTC calendar month, in micros of the pricing currency. */
  readonly monthlyBudgetMicros?: number;
}

/** Where limit counters and the usage ledger live. */
export type StoreConfig =
  | { readonly kind: 'memory' }
  | {
      readonly kind: 'redis';
      /** redis://[user:password@]host:port[/db]; the password is never logged. */
      readonly url: string;
      /** Prefix of every key, so several gateways can share one Redis. */
      readonly keyPrefix: string;
    };
