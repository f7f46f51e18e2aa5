import { describe, expect, it } from 'vitest';
import { createMemoryUsageLedger } from '../../src/usage/memory-usage-ledger.js';
import { createRedisUsageLedger } from '../../src/usage/redis-usage-ledger.js';
import { dayOf, daysOf, type UsageLedger } from '../../src/usage/usage-ledger.js';
import { redisForFile } from '../helpers/redis-for-file.js';

const redis = redisForFile();
const redisAvailable = redis.available;

let prefix = 0;
const engines: [string, () => UsageLedger][] = [
  ['in process', () => createMemoryUsageLedger()],
  ['redis', () => createRedisUsageLedger(redis.client(), `ledger${++prefix}`)],
];

const delta = (caller: string, channel: string, delivered: number, failed = 0) => ({
  caller,
  model: 'seedream_4_5',
  channel,
  requests: 1,
  imagesDelivered: delivered,
  imagesFailed: failed,
  costMicros: delivered * 40_000,
});

describe.each(engines)('UsageLedger (%s)', (name, create) => {
  const skip = name === 'redis' && !redisAvailable;
  const today = dayOf(Date.now());

  it.skipIf(skip)('adds calls up per caller, model, channel and day', async () => {
    const ledger = create();
    await ledger.record([delta('alice', 'volc', 2, 1)]);
    await ledger.record([delta('alice', 'volc', 1), delta('alice', 'byteplus', 3)]);
    await ledger.record([delta('bob', 'volc', 1)]);
    expect(await ledger.read({ from: today, to: today })).toEqual([
      { day: today, caller: 'alice', model: 'seedream_4_5', channel: 'byteplus', requests: 1, imagesDelivered: 3, imagesFailed: 0, costMicros: 120_000 },
      { day: today, caller: 'alice', model: 'seedream_4_5', channel: 'volc', requests: 2, imagesDelivered: 3, imagesFailed: 1, costMicros: 120_000 },
      { day: today, caller: 'bob', model: 'seedream_4_5', channel: 'volc', requests: 1, imagesDelivered: 1, imagesFailed: 0, costMicros: 40_000 },
    ]);
    expect((await ledger.read({ caller: 'bob', from: today, to: today })).map((r) => r.caller)).toEqual(['bob']);
    expect(await ledger.read({ from: '2020-01-01', to: '2020-01-31' })).toEqual([]);
  });
});

describe('day ranges', () => {
  it('lists the days of a range, and refuses bad or overlong ones', () => {
    expect(daysOf('2026-02-27', '2026-03-01')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(daysOf('2026-02-30', '2026-03-01')).toBeUndefined();
    expect(daysOf('2026-03-02', '2026-03-01')).toBeUndefined();
    expect(daysOf('2024-01-01', '2026-01-01')).toBeUndefined();
  });
});

describe('dayOf', () => {
  it('names the UTC day of any instant, across day boundaries and in either order', () => {
    const midnight = Date.parse('2026-11-30T00:00:00Z');
    expect(dayOf(midnight - 1)).toBe('2026-11-29');
    expect(dayOf(midnight)).toBe('2026-11-30');
    expect(dayOf(midnight + 86_400_000 - 1)).toBe('2026-11-30');
    expect(dayOf(midnight + 86_400_000)).toBe('2026-12-01');
    expect(dayOf(midnight - 1)).toBe('2026-11-29');
    expect(dayOf(0)).toBe('1970-01-01');
    expect(dayOf(-1)).toBe('1969-12-31');
  });
});
