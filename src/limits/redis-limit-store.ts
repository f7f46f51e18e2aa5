/**
 * The Redis LimitStore: limits shared by every replica (DESIGN §7). Each reserve/refund is one atomic
 * script (src/limits/redis-scripts.ts) on the server's clock; every key has a TTL. Scripts go by hash
 * (EVALSHA), their text only after a Redis restart (src/jobs/redis-script.ts, shared with the JobStore).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisScript } from '../jobs/redis-script.js';
import type { LimitCharge, LimitStore, LimitWindow, ReserveResult } from './limit-store.js';
import { LIMIT_SCRIPT_VERSION, refundScript, reserveScript } from './redis-scripts.js';

const reserveLua = redisScript(reserveScript);
const refundLua = redisScript(refundScript);

/** A LimitStore over `redis` (which the caller created and closes); keys start with `${prefix}:limits:v1:`. */
export function createRedisLimitStore(redis: Redis, prefix: string): LimitStore {
  const base = `${prefix}:limits:${LIMIT_SCRIPT_VERSION}:`;

  return {
    async reserve(charges): Promise<ReserveResult> {
      const id = randomUUID();
      if (charges.length === 0) return { ok: true, reservation: { id, charges, slots: [] } };
      const args: (string | number)[] = [id];
      for (const c of charges) args.push(windowKind(c.window), c.window.kind === 'sliding' ? c.window.ms : 0, integer(c.amount), integer(c.limit));
      const reply = (await reserveLua.run(redis, charges.map((c) => base + c.key), args)) as (number | string)[];
      if (reply[0] === 1) return { ok: true, reservation: { id, charges, slots: reply.slice(1).map(String) } };
      const charge = charges[Number(reply[1]) - 1] as LimitCharge;
      return { ok: false, charge, retryAfterMs: Number(reply[2]) };
    },
    async refund(reservation, amounts) {
      const { charges, slots, id } = reservation;
      if (!amounts.some((a) => a > 0)) return;
      const args: (string | number)[] = [id];
      charges.forEach((c, i) => args.push(windowKind(c.window), integer(c.amount), integer(Math.min(amounts[i] ?? 0, c.amount))));
      await refundLua.run(redis, slots, args);
    },
    async close() {},
  };
}

function windowKind(window: LimitWindow): number {
  return window.kind === 'sliding' ? 0 : window.kind === 'day' ? 1 : 2;
}

/** Scripts count whole units (images, requests, micros of currency). */
function integer(value: number): number {
  return Math.max(0, Math.round(value));
}
