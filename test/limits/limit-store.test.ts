import { describe, expect, it } from 'vitest';
import { createMemoryLimitStore } from '../../src/limits/memory-limit-store.js';
import { createRedisLimitStore } from '../../src/limits/redis-limit-store.js';
import { calendarWindow, type LimitCharge, type LimitStore } from '../../src/limits/limit-store.js';
import { redisForFile } from '../helpers/redis-for-file.js';

const redis = redisForFile();
const redisAvailable = redis.available;

let counter = 0;
/** A fresh namespace per test, so both engines start empty. */
const engines: [string, () => LimitStore][] = [
  ['in process', () => createMemoryLimitStore()],
  ['redis', () => createRedisLimitStore(redis.client(), `test${++counter}`)],
];

const perWindow = (key: string, amount: number, limit: number, ms = 60_000): LimitCharge => ({ key, amount, limit, window: { kind: 'sliding', ms } });

describe.each(engines)('LimitStore (%s)', (name, create) => {
  const skip = name === 'redis' && !redisAvailable;

  it.skipIf(skip)('reserves up to the limit and refuses beyond it with the time until room', async () => {
    const store = create();
    for (let i = 0; i < 3; i += 1) expect((await store.reserve([perWindow('k', 20, 60)])).ok).toBe(true);
    const refused = await store.reserve([perWindow('k', 1, 60)]);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.charge.key).toBe('k');
    expect(refused.retryAfterMs).toBeGreaterThan(50_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    const never = await store.reserve([perWindow('other', 61, 60)]);
    expect(never.ok === false && never.retryAfterMs).toBe(-1);
  });

  it.skipIf(skip)('is all-or-nothing across keys: a refused charge takes nothing from the others', async () => {
    const store = create();
    expect((await store.reserve([perWindow('b', 5, 5)])).ok).toBe(true);
    const refused = await store.reserve([perWindow('a', 3, 5), perWindow('b', 1, 5)]);
    expect(refused.ok === false && refused.charge.key).toBe('b');
    // 'a' was not charged: the full 5 is still there.
    expect((await store.reserve([perWindow('a', 5, 5)])).ok).toBe(true);
  });

  it.skipIf(skip)('refunds what was not used, so it can be reserved again', async () => {
    const store = create();
    const first = await store.reserve([perWindow('r', 10, 10), { key: 'spend', amount: 500, limit: 1000, window: { kind: 'day' } }]);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect((await store.reserve([perWindow('r', 1, 10)])).ok).toBe(false);
    await store.refund(first.reservation, [7, 400]);
    expect((await store.reserve([perWindow('r', 7, 10)])).ok).toBe(true);
    expect((await store.reserve([perWindow('r', 1, 10)])).ok).toBe(false);
    // 100 of the day's 1000 stay spent.
    expect((await store.reserve([{ key: 'spend', amount: 900, limit: 1000, window: { kind: 'day' } }])).ok).toBe(true);
    expect((await store.reserve([{ key: 'spend', amount: 1, limit: 1000, window: { kind: 'day' } }])).ok).toBe(false);
  });

  it.skipIf(skip)('frees a sliding window as its entries age out, not at a clock-aligned boundary', async () => {
    const store = create();
    expect((await store.reserve([perWindow('s', 2, 2, 1000)])).ok).toBe(true);
    const refused = await store.reserve([perWindow('s', 1, 2, 1000)]);
    expect(refused.ok).toBe(false);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await store.reserve([perWindow('s', 2, 2, 1000)])).ok).toBe(true);
  });

  it.skipIf(skip)('refuses a monthly budget until the next UTC month', async () => {
    const store = create();
    const month = { key: 'm', amount: 10, limit: 10, window: { kind: 'month' } } as const;
    expect((await store.reserve([month])).ok).toBe(true);
    const refused = await store.reserve([{ ...month, amount: 1 }]);
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    const expected = calendarWindow('month', Date.now()).endsAt - Date.now();
    expect(Math.abs(refused.retryAfterMs - expected)).toBeLessThan(5_000);
  });
});

describe('redis layout', () => {
  it.skipIf(!redisAvailable)('puts a TTL on every key it writes', async () => {
    const redisClient = redis.client();
    const store = createRedisLimitStore(redisClient, 'ttl');
    await store.reserve([perWindow('x', 1, 5), { key: 'd', amount: 1, limit: 5, window: { kind: 'day' } }, { key: 'mo', amount: 1, limit: 5, window: { kind: 'month' } }]);
    const keys = await redisClient.keys('ttl:*');
    // The sliding log, its running total, the day and the month counters.
    expect(keys.length).toBe(4);
    for (const key of keys) expect(await redisClient.pttl(key)).toBeGreaterThan(0);
  });
});

describe('calendar windows', () => {
  it.each([
    ['2026-01-31T23:59:59Z', 'day', '20260131', '2026-02-01T00:00:00Z'],
    ['2026-02-28T12:00:00Z', 'month', '202602', '2026-03-01T00:00:00Z'],
    ['2026-12-15T00:00:00Z', 'month', '202612', '2027-01-01T00:00:00Z'],
  ] as const)('%s is in %s window %s, which ends at %s', (at, kind, id, end) => {
    expect(calendarWindow(kind, Date.parse(at))).toEqual({ id, endsAt: Date.parse(end) });
  });
});

describe.each(engines)('LimitStore under many reservations (%s)', (name, create) => {
  it.skipIf(name === 'redis' && !redisAvailable)('keeps an exact running total through refunds and expiry', async () => {
    const store = create();
    const held = [];
    for (let i = 0; i < 50; i += 1) {
      const r = await store.reserve([perWindow('many', 2, 100, 800)]);
      if (r.ok) held.push(r.reservation);
    }
    expect(held).toHaveLength(50);
    for (const reservation of held.slice(0, 10)) await store.refund(reservation, [1]);
    // 100 reserved, 10 given back: exactly 10 more fit.
    expect((await store.reserve([perWindow('many', 10, 100, 800)])).ok).toBe(true);
    expect((await store.reserve([perWindow('many', 1, 100, 800)])).ok).toBe(false);
    await new Promise((r) => setTimeout(r, 900));
    // Everything left the window, refunded entries included: the whole limit is free, not more.
    expect((await store.reserve([perWindow('many', 100, 100, 800)])).ok).toBe(true);
    expect((await store.reserve([perWindow('many', 1, 100, 800)])).ok).toBe(false);
  });
});
