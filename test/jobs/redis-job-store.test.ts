/**
 * What only the Redis engine has to prove: every key it writes carries a TTL, a watcher on one replica
 * follows a job another replica runs as soon as events are written (measured, not polled), watchers
 * share one connection and survive losing it, and the scripts survive a Redis that forgot them.
 */
import { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { JobStore } from '../../src/jobs/job-store.js';
import { createRedisJobStore } from '../../src/jobs/redis-job-store.js';
import { redisTestGate, startRedisServer, type TestRedisServer } from '../helpers/redis-server.js';

const retentionMs = 60 * 60 * 1000;
const usage = { generatedImages: 1 };

describe.runIf(redisTestGate().run)('Redis JobStore', () => {
  let server: TestRedisServer | undefined;
  const clients: Redis[] = [];
  const stores: JobStore[] = [];
  const replica = (keyPrefix: string) => {
    if (server === undefined) throw new Error('redis-server did not start');
    const redis = new Redis(server.url);
    clients.push(redis);
    const store = createRedisJobStore({ redis, retentionMs, keyPrefix });
    stores.push(store);
    return { redis, store };
  };

  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(clients.map((client) => client.quit()));
    await server?.stop();
  });

  it('puts a TTL of at most the retention on every key a finished job leaves', async () => {
    const { redis, store } = replica('ttl:');
    const created = await store.create({ owner: 'a:b', replicaId: 'r', leaseMs: 30_000, idempotency: { key: 'k:1', fingerprint: 'f' } });
    if (created.kind !== 'created') throw new Error(created.kind);
    const { job } = created;
    await store.start(job.id, 'r');
    await store.appendEvent(job.id, 'r', 'image', { index: 0 });
    await store.recordWebhookAttempt(job.id, { attempt: 1, messageId: 'm', at: 1, durationMs: 1, status: 204 });
    await store.finish(job.id, 'r', { state: 'succeeded', usage });
    const keys = (await redis.keys('ttl:*')).sort();
    // The lease index only holds open jobs: a finished job leaves none behind.
    expect(keys).toEqual(
      [`ttl:idem:a%3Ab:k%3A1`, `ttl:job:${job.id}`, `ttl:job:${job.id}:events`, `ttl:job:${job.id}:webhooks`, 'ttl:owner:a%3Ab'].sort(),
    );
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      expect(ttl, key).toBeGreaterThan(retentionMs - 60_000);
      expect(ttl, key).toBeLessThanOrEqual(retentionMs);
    }
  });

  it('delivers events appended on replica A to a watcher on replica C while the job runs', async () => {
    const a = replica('follow:');
    const c = replica('follow:');
    const created = await a.store.create({ owner: 'alice', replicaId: 'A', leaseMs: 30_000 });
    if (created.kind !== 'created') throw new Error(created.kind);
    const { job } = created;
    await a.store.start(job.id, 'A');
    const arrivals: { seq: number; delayMs: number }[] = [];
    const sentAt = new Map<number, number>();
    const watching = (async () => {
      for await (const event of c.store.watch(job.id, 2, new AbortController().signal)) {
        arrivals.push({ seq: event.seq, delayMs: performance.now() - (sentAt.get(event.seq) ?? NaN) });
      }
    })();
    await sleep(200);
    for (let i = 0; i < 5; i++) {
      sentAt.set(3 + i, performance.now());
      await a.store.appendEvent(job.id, 'A', 'image', { index: i });
      // Each event arrives before the next is written and long before the job ends: pushed to the watcher
      // by XREAD BLOCK. (The delay itself is printed and reported, not asserted: CI machines are busy.)
      await vi.waitFor(() => expect(arrivals.map((x) => x.seq)).toContain(3 + i), { timeout: 5_000, interval: 5 });
    }
    sentAt.set(8, performance.now());
    await a.store.finish(job.id, 'A', { state: 'succeeded', usage });
    await watching;
    expect(arrivals.map((x) => x.seq)).toEqual([3, 4, 5, 6, 7, 8]);
    console.info(`cross-replica event delay (ms): ${arrivals.map((x) => x.delayMs.toFixed(1)).join(', ')}`);
  });

  it('reloads its scripts after Redis forgot them (restart, SCRIPT FLUSH)', async () => {
    const { redis, store } = replica('flush:');
    await store.create({ owner: 'alice', replicaId: 'r', leaseMs: 30_000 });
    await redis.script('FLUSH');
    const created = await store.create({ owner: 'alice', replicaId: 'r', leaseMs: 30_000 });
    if (created.kind !== 'created') throw new Error(created.kind);
    const { job } = created;
    expect(await store.start(job.id, 'r')).toBe(true);
  });

  it('serves many watchers on one replica over one blocking connection, and survives losing it', async () => {
    const a = replica('many:');
    const c = replica('many:');
    const connections = async () => String(await a.redis.client('LIST')).trim().split('\n').length;
    const jobs: string[] = [];
    for (let i = 0; i < 20; i++) {
      const created = await a.store.create({ owner: 'alice', replicaId: 'A', leaseMs: 30_000 });
      if (created.kind !== 'created') throw new Error(created.kind);
      await a.store.start(created.job.id, 'A');
      jobs.push(created.job.id);
    }
    const before = await connections();
    const seen = new Map<string, number[]>();
    const watchers = jobs.flatMap((id) =>
      Array.from({ length: 10 }, async (_, w) => {
        const seqs: number[] = [];
        seen.set(`${id}/${w}`, seqs);
        for await (const event of c.store.watch(id, 0, new AbortController().signal)) seqs.push(event.seq);
      }),
    );
    await vi.waitFor(async () => expect(await connections()).toBe(before + 1), { timeout: 5_000 });
    for (const id of jobs) await a.store.appendEvent(id, 'A', 'image', { index: 0 });
    // Kill the blocked reader: ioredis reconnects it and the watchers go on from where they were.
    const reader = String(await a.redis.client('LIST')).split('\n').find((line) => line.includes('cmd=xread'));
    const readerId = /id=(\d+)/.exec(reader ?? '')?.[1];
    expect(readerId).toBeDefined();
    await a.redis.client('KILL', 'ID', readerId ?? '');
    for (const id of jobs) await a.store.appendEvent(id, 'A', 'image', { index: 1 });
    for (const id of jobs) await a.store.finish(id, 'A', { state: 'succeeded', usage });
    await Promise.all(watchers);
    expect(seen.size).toBe(200);
    for (const seqs of seen.values()) expect(seqs).toEqual([1, 2, 3, 4, 5]);
  });

  it('answers ids that are not job ids as unknown, even when they name another key', async () => {
    const { store } = replica('ids:');
    const created = await store.create({ owner: 'alice', replicaId: 'r', leaseMs: 30_000 });
    if (created.kind !== 'created') throw new Error(created.kind);
    const crafted = `${created.job.id}:events`;
    expect(await store.get('alice', crafted)).toBeUndefined();
    expect(await store.requestCancel('alice', crafted)).toBeUndefined();
    expect(await store.readEvents(crafted, 0)).toEqual([]);
    const events: unknown[] = [];
    for await (const event of store.watch(crafted, 0, new AbortController().signal)) events.push(event);
    expect(events).toEqual([]);
  });

  it('ends its watchers when the store closes', async () => {
    const a = replica('close:');
    const created = await a.store.create({ owner: 'alice', replicaId: 'A', leaseMs: 30_000 });
    if (created.kind !== 'created') throw new Error(created.kind);
    const c = replica('close:');
    const seqs: number[] = [];
    const watching = (async () => {
      for await (const event of c.store.watch(created.job.id, 0, new AbortController().signal)) seqs.push(event.seq);
    })();
    await vi.waitFor(() => expect(seqs).toEqual([1]), { timeout: 5_000 });
    await c.store.close();
    await watching;
    expect(seqs).toEqual([1]);
  });
});
