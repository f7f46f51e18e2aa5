/**
 * The Redis UsageLedger, shared by every replica. One hash per UTC day (`<prefix>:usage:v1:<day>`), one
 * field per caller|model|channel|counter; a call's deltas are added by one script that takes "today"
 * from the Redis server's clock (so replicas with skewed clocks agree on the day) and sets the TTL.
 */
import type { Redis } from 'ioredis';
import { redisScript } from '../jobs/redis-script.js';
import { civilFromDaysLua } from '../limits/redis-scripts.js';
import { daysOf, LEDGER_RETENTION_DAYS, sortRecords, type UsageLedger, type UsageRecord } from './usage-ledger.js';

const VERSION = 'v1';
const COUNTERS = ['requests', 'imagesDelivered', 'imagesFailed', 'costMicros'] as const;

/** KEYS[1]: the key prefix. ARGV: TTL seconds, then field/amount pairs. */
const recordScript = `
local t = redis.call('TIME')
${civilFromDaysLua}
local y, m, d = civil(math.floor(tonumber(t[1]) / 86400))
local key = KEYS[1] .. string.format('%04d-%02d-%02d', y, m, d)
for i = 2, #ARGV, 2 do redis.call('HINCRBY', key, ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', key, ARGV[1])
return 1
`;

const recordLua = redisScript(recordScript);

export function createRedisUsageLedger(redis: Redis, prefix: string): UsageLedger {
  const base = `${prefix}:usage:${VERSION}:`;
  return {
    async record(deltas) {
      const args: (string | number)[] = [LEDGER_RETENTION_DAYS * 86_400];
      for (const delta of deltas) {
        for (const counter of COUNTERS) {
          const amount = Math.round(delta[counter]);
          if (amount !== 0) args.push(`${delta.caller}|${delta.model}|${delta.channel}|${counter}`, amount);
        }
      }
      if (args.length === 1) return;
      await recordLua.run(redis, [base], args);
    },
    async read(query) {
      const days = daysOf(query.from, query.to) ?? [];
      const pipeline = redis.pipeline();
      for (const day of days) pipeline.hgetall(base + day);
      const replies = (await pipeline.exec()) ?? [];
      const out: UsageRecord[] = [];
      replies.forEach(([error, value], i) => {
        if (error) throw error;
        const rows = new Map<string, { -readonly [K in keyof UsageRecord]: UsageRecord[K] }>();
        for (const [field, amount] of Object.entries(value as Record<string, string>)) {
          const [caller, model, channel, counter] = field.split('|');
          if (caller === undefined || model === undefined || channel === undefined || !isCounter(counter)) continue;
          if (query.caller !== undefined && caller !== query.caller) continue;
          const id = `${caller}|${model}|${channel}`;
          const row = rows.get(id) ?? { day: days[i] as string, caller, model, channel, requests: 0, imagesDelivered: 0, imagesFailed: 0, costMicros: 0 };
          row[counter] = Number(amount);
          rows.set(id, row);
        }
        out.push(...rows.values());
      });
      return sortRecords(out);
    },
    async close() {},
  };
}

function isCounter(value: string | undefined): value is (typeof COUNTERS)[number] {
  return (COUNTERS as readonly string[]).includes(value ?? '');
}
