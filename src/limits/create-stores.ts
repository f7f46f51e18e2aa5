/**
 * The engines behind LimitStore and UsageLedger, chosen by the config file's `store` (DESIGN §7):
 * in process by default, or one Redis shared by every replica (one ioredis connection for both).
 */
import { Redis } from 'ioredis';
import { GatewayError } from '../errors.js';
import type { Logger } from '../telemetry/logger.js';
import { createMemoryUsageLedger } from '../usage/memory-usage-ledger.js';
import { createRedisUsageLedger } from '../usage/redis-usage-ledger.js';
import type { UsageLedger } from '../usage/usage-ledger.js';
import type { LimitStore } from './limit-store.js';
import { createMemoryLimitStore } from './memory-limit-store.js';
import { createRedisLimitStore } from './redis-limit-store.js';
import type { StoreConfig } from './types.js';

export interface Stores {
  readonly limits: LimitStore;
  readonly ledger: UsageLedger;
  close(): Promise<void>;
}

export function createStores(config: StoreConfig, logger: Logger): Stores {
  if (config.kind === 'memory') {
    return { limits: createMemoryLimitStore(), ledger: createMemoryUsageLedger(), close: async () => {} };
  }
  const redis = new Redis(config.url, {
    // Fail a call fast while Redis is unreachable instead of queueing it for minutes.
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
  });
  const where = redisAddress(config.url);
  redis.on('error', (error: Error) => logger.warn({ redis: where, err: error.message }, 'redis connection problem'));
  redis.on('ready', () => logger.info({ redis: where }, 'connected to redis: limits and usage are shared with every replica'));
  const limits = createRedisLimitStore(redis, config.keyPrefix);
  return {
    // A call cannot be admitted without its limits: Redis trouble is a retryable refusal, not INTERNAL.
    limits: {
      reserve: (charges) => limits.reserve(charges).catch(storeUnavailable),
      refund: (reservation, amounts) => limits.refund(reservation, amounts).catch(storeUnavailable),
      close: () => limits.close(),
    },
    ledger: createRedisUsageLedger(redis, config.keyPrefix),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** host:port of a Redis URL, without credentials (for logs). */
function redisAddress(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '6379'}`;
}

function storeUnavailable(cause: unknown): never {
  throw new GatewayError('UPSTREAM_UNAVAILABLE', "the gateway's shared limit store is unavailable; retry shortly", { cause, retryAfterMs: 1000 });
}
