/**
 * The `JobStore` contract: every behaviour DESIGN §10 asks of the job store, run against both engines
 * (in process and a real redis-server) so they cannot drift apart.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import type { JobStore } from '../../src/jobs/job-store.js';
import type { CreateJobResult, JobEvent, JobRecord } from '../../src/jobs/job-types.js';
import { memoryEngine, redisEngine, type OpenedStore } from './job-store-engines.js';

const day = 24 * 60 * 60 * 1000;
const lease = 30_000;
const usage = { generatedImages: 2, failedImages: 0, outputTokens: 32_768, webSearches: 0 };

async function collect(iterable: AsyncIterable<JobEvent>): Promise<JobEvent[]> {
  const events: JobEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

/** The job of a create that must not have been a conflict. */
function jobOf(result: CreateJobResult): JobRecord {
  if (result.kind === 'conflict') throw new Error(`unexpected conflict on ${result.key}`);
  return result.job;
}

async function runningJob(store: JobStore, owner = 'alice', replicaId = 'replica-a') {
  const created = await store.create({ owner, replicaId, leaseMs: lease, model: 'doubao-seedream-4-5' });
  const { id } = jobOf(created);
  expect(await store.start(id, replicaId)).toBe(true);
  return id;
}

describe.each([memoryEngine(), redisEngine()])('JobStore contract ($name)', (engine) => {
  let opened: OpenedStore;
  let store: JobStore;
  const open = async (retentionMs = day) => {
    opened = await engine.open(retentionMs);
    store = opened.store;
    return opened;
  };

  beforeAll(async () => {
    if (engine.run) await engine.setup();
  });
  afterEach(() => engine.closeOpened());
  afterAll(() => engine.teardown());

  describe.runIf(engine.run)('records', () => {
    it('creates a queued job only its owner can see', async () => {
      await open();
      const result = await store.create({ owner: 'alice', replicaId: 'a', leaseMs: lease, model: 'm', webhookUrl: 'https://hooks.example/x' });
      expect(result.kind).toBe('created');
      const job = jobOf(result);
      expect(job).toMatchObject({ owner: 'alice', state: 'queued', model: 'm', webhookUrl: 'https://hooks.example/x', lastSeq: 1, cancelRequested: false });
      expect(job.id).toMatch(/^[0-9a-z]{25}$/);
      expect(await store.get('alice', job.id)).toEqual(job);
      expect(await store.get('bob', job.id)).toBeUndefined();
      expect(await store.get('alice', '0000000000000000000000000')).toBeUndefined();
      // The gateway's own bookkeeping (a swept job's webhook) reads it without its owner.
      expect(await store.peek(job.id)).toEqual(job);
      expect(await store.peek('not-a-job-id')).toBeUndefined();
    });

    it('runs a job to success: state events, replica events in order, usage on the record', async () => {
      await open();
      const id = await runningJob(store);
      expect(await store.appendEvent(id, 'replica-a', 'image', { index: 0, url: 'https://img/0' })).toBe(3);
      expect(await store.appendEvent(id, 'replica-a', 'completed', { usage })).toBe(4);
      expect(await store.finish(id, 'replica-a', { state: 'succeeded', usage })).toBe(true);
      const job = await store.get('alice', id);
      expect(job).toMatchObject({ state: 'succeeded', usage, lastSeq: 5 });
      expect(job?.finishedAt).toBeGreaterThanOrEqual(job?.startedAt ?? Infinity);
      const events = await store.readEvents(id, 0);
      expect(events.map((e) => [e.seq, e.type, e.data])).toEqual([
        [1, 'state', { state: 'queued' }],
        [2, 'state', { state: 'running' }],
        [3, 'image', { index: 0, url: 'https://img/0' }],
        [4, 'completed', { usage }],
        [5, 'state', { state: 'succeeded' }],
      ]);
      expect((await store.readEvents(id, 3, 1)).map((e) => e.seq)).toEqual([4]);
      // Nothing is written after the end.
      expect(await store.appendEvent(id, 'replica-a', 'image', { index: 1 })).toBeUndefined();
      expect(await store.finish(id, 'replica-a', { state: 'failed', error: { reason: 'INTERNAL', message: 'x' } })).toBe(false);
      expect((await store.get('alice', id))?.state).toBe('succeeded');
    });

    it('records a failure with its error', async () => {
      await open();
      const id = await runningJob(store);
      const error = { reason: 'CONTENT_REJECTED' as const, message: 'every image was moderated' };
      expect(await store.finish(id, 'replica-a', { state: 'failed', error })).toBe(true);
      expect(await store.get('alice', id)).toMatchObject({ state: 'failed', error });
      expect((await store.readEvents(id, 0)).at(-1)?.data).toEqual({ state: 'failed', error });
    });

    it('lets only the lease holder start, write and finish a job', async () => {
      await open();
      const job = jobOf(await store.create({ owner: 'alice', replicaId: 'replica-a', leaseMs: lease }));
      const other = opened.peer();
      expect(await other.start(job.id, 'replica-b')).toBe(false);
      expect(await store.start(job.id, 'replica-a')).toBe(true);
      expect(await store.start(job.id, 'replica-a')).toBe(false);
      expect(await other.appendEvent(job.id, 'replica-b', 'image', {})).toBeUndefined();
      expect(await other.finish(job.id, 'replica-b', { state: 'succeeded', usage })).toBe(false);
      expect(await other.renewLease(job.id, 'replica-b', lease)).toBe('lost');
      expect(await store.renewLease(job.id, 'replica-a', lease)).toBe('held');
    });

    it('keeps webhook attempts on the job, in order', async () => {
      await open();
      const id = await runningJob(store);
      const attempts = [
        { attempt: 1, messageId: 'msg_1', at: 1, durationMs: 12, status: 500 },
        { attempt: 2, messageId: 'msg_1', at: 2, durationMs: 3, error: 'connect ECONNREFUSED' },
      ];
      for (const attempt of attempts) await store.recordWebhookAttempt(id, attempt);
      expect((await store.get('alice', id))?.webhookAttempts).toEqual(attempts);
    });
  });

  describe.runIf(engine.run)('idempotency keys', () => {
    it('returns the same job for the same key and request, a conflict for a different request', async () => {
      await open();
      const idempotency = { key: 'order-42', fingerprint: 'sha256:aaa' };
      const first = await store.create({ owner: 'alice', replicaId: 'a', leaseMs: lease, idempotency });
      const again = await opened.peer().create({ owner: 'alice', replicaId: 'b', leaseMs: lease, idempotency });
      expect(again).toEqual({ kind: 'existing', job: jobOf(first) });
      expect(jobOf(first).idempotencyKey).toBe('order-42');
      const changed = await store.create({ owner: 'alice', replicaId: 'a', leaseMs: lease, idempotency: { key: 'order-42', fingerprint: 'sha256:bbb' } });
      expect(changed).toEqual({ kind: 'conflict', key: 'order-42', jobId: jobOf(first).id });
    });

    it('scopes keys per caller', async () => {
      await open();
      const idempotency = { key: 'same:key', fingerprint: 'sha256:aaa' };
      const alice = await store.create({ owner: 'alice', replicaId: 'a', leaseMs: lease, idempotency });
      const bob = await store.create({ owner: 'bob', replicaId: 'a', leaseMs: lease, idempotency: { ...idempotency, fingerprint: 'sha256:other' } });
      expect(bob.kind).toBe('created');
      expect(jobOf(bob).id).not.toBe(jobOf(alice).id);
    });

    it('answers a retry after the job finished with the stored result', async () => {
      await open();
      const idempotency = { key: 'k', fingerprint: 'sha256:aaa' };
      const job = jobOf(await store.create({ owner: 'alice', replicaId: 'a', leaseMs: lease, idempotency }));
      await store.start(job.id, 'a');
      await store.finish(job.id, 'a', { state: 'succeeded', usage });
      const retry = await store.create({ owner: 'alice', replicaId: 'b', leaseMs: lease, idempotency });
      expect(retry.kind).toBe('existing');
      expect(jobOf(retry)).toMatchObject({ id: job.id, state: 'succeeded', usage });
    });

    it('releases the key of a finished job on request, so the key creates a new job; never an open job\'s', async () => {
      await open();
      const idempotency = { key: 'refused', fingerprint: 'sha256:aaa' };
      const job = jobOf(await store.create({ owner: 'alice', replicaId: 'a', leaseMs: lease, idempotency }));
      await store.releaseKey(job.id); // still queued: kept
      expect((await store.create({ owner: 'alice', replicaId: 'b', leaseMs: lease, idempotency })).kind).toBe('existing');
      await store.start(job.id, 'a');
      await store.finish(job.id, 'a', { state: 'failed', error: { reason: 'CONCURRENCY_LIMITED', message: 'busy' } });
      await opened.peer().releaseKey(job.id);
      const retry = await store.create({ owner: 'alice', replicaId: 'b', leaseMs: lease, idempotency });
      expect(retry.kind).toBe('created');
      expect(jobOf(retry).id).not.toBe(job.id);
      // The old job no longer owns the key: releasing it again leaves the new job's key alone.
      await store.releaseKey(job.id);
      expect(await store.create({ owner: 'alice', replicaId: 'c', leaseMs: lease, idempotency })).toMatchObject({ kind: 'existing', job: { id: jobOf(retry).id } });
      expect((await store.get('alice', job.id))?.state).toBe('failed');
    });

    it('creates exactly one job when replicas race on one key', async () => {
      await open();
      const replicas = Array.from({ length: 8 }, () => opened.peer());
      const idempotency = { key: 'race', fingerprint: 'sha256:aaa' };
      const results = await Promise.all(
        replicas.map((replica, i) => replica.create({ owner: 'alice', replicaId: `r${i}`, leaseMs: lease, idempotency })),
      );
      expect(results.filter((r) => r.kind === 'created')).toHaveLength(1);
      expect(new Set(results.map((r) => jobOf(r).id)).size).toBe(1);
      expect((await store.list('alice', {})).jobs).toHaveLength(1);
    });
  });

  describe.runIf(engine.run)('cancel', () => {
    it('cancels a queued job at once', async () => {
      await open();
      const job = jobOf(await store.create({ owner: 'alice', replicaId: 'a', leaseMs: lease }));
      expect(await store.requestCancel('bob', job.id)).toBeUndefined();
      expect(await store.requestCancel('alice', job.id)).toMatchObject({ state: 'cancelled' });
      expect(await store.start(job.id, 'a')).toBe(false);
      expect(await store.renewLease(job.id, 'a', lease)).toBe('lost');
    });

    it('asks the replica running a job to stop, through its lease', async () => {
      await open();
      const id = await runningJob(store);
      expect(await opened.peer().requestCancel('alice', id)).toMatchObject({ state: 'running', cancelRequested: true });
      expect(await store.renewLease(id, 'replica-a', lease)).toBe('cancel-requested');
      expect(await store.finish(id, 'replica-a', { state: 'cancelled' })).toBe(true);
      expect((await store.readEvents(id, 0)).at(-1)?.data).toEqual({ state: 'cancelled' });
    });
  });

  describe.runIf(engine.run)('leases', () => {
    it('marks a job interrupted when its lease expires, once, and never hands it to another replica', async () => {
      await open();
      const lost = jobOf(await store.create({ owner: 'alice', replicaId: 'dead', leaseMs: 300 }));
      await store.start(lost.id, 'dead');
      const queuedLost = jobOf(await store.create({ owner: 'alice', replicaId: 'dead', leaseMs: 300 }));
      const alive = await runningJob(store, 'alice', 'alive');
      await sleep(700);
      expect(await store.renewLease(alive, 'alive', lease)).toBe('held');
      const interrupted = await opened.peer().interruptExpiredLeases();
      expect([...interrupted].sort()).toEqual([lost.id, queuedLost.id].sort());
      expect(await store.get('alice', lost.id)).toMatchObject({ state: 'interrupted', error: { reason: 'INTERNAL' } });
      expect((await store.readEvents(lost.id, 0)).at(-1)?.data).toMatchObject({ state: 'interrupted' });
      expect(await store.interruptExpiredLeases()).toEqual([]);
      // The replica that comes back (a long GC pause) can no longer write: at most once upstream.
      expect(await store.renewLease(lost.id, 'dead', lease)).toBe('lost');
      expect(await store.appendEvent(lost.id, 'dead', 'image', {})).toBeUndefined();
      expect(await store.finish(lost.id, 'dead', { state: 'succeeded', usage })).toBe(false);
      expect(await store.start(queuedLost.id, 'dead')).toBe(false);
      expect((await store.get('alice', alive))?.state).toBe('running');
    });
  });

  describe.runIf(engine.run)('watch', () => {
    it('follows events another replica appends, and ends with the terminal state', async () => {
      await open();
      const id = await runningJob(store);
      const watcher = collect(opened.peer().watch(id, 0, new AbortController().signal));
      await sleep(100);
      await store.appendEvent(id, 'replica-a', 'image', { index: 0 });
      await sleep(100);
      await store.appendEvent(id, 'replica-a', 'image', { index: 1 });
      await store.finish(id, 'replica-a', { state: 'succeeded', usage });
      expect((await watcher).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    });

    it('resumes after a sequence number', async () => {
      await open();
      const id = await runningJob(store);
      await store.appendEvent(id, 'replica-a', 'image', { index: 0 });
      await store.finish(id, 'replica-a', { state: 'succeeded', usage });
      const events = await collect(store.watch(id, 3, new AbortController().signal));
      expect(events.map((e) => [e.seq, e.type])).toEqual([[4, 'state']]);
    });

    it('stops when the watcher aborts, and at once for an unknown job', async () => {
      await open();
      const id = await runningJob(store);
      const abort = new AbortController();
      const watcher = collect(opened.peer().watch(id, 0, abort.signal));
      await sleep(100);
      abort.abort();
      expect((await watcher).map((e) => e.seq)).toEqual([1, 2]);
      expect(await collect(store.watch('0000000000000000000000000', 0, new AbortController().signal))).toEqual([]);
    });
  });

  describe.runIf(engine.run)('listing', () => {
    it("pages through a caller's own jobs, newest first", async () => {
      await open();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push(jobOf(await store.create({ owner: 'alice', replicaId: 'a', leaseMs: lease })).id);
        await store.create({ owner: 'bob', replicaId: 'a', leaseMs: lease });
        await sleep(2); // distinct creation milliseconds, so newest-first is well defined
      }
      const seen: string[] = [];
      let pageToken = '';
      const sizes: number[] = [];
      do {
        const page = await store.list('alice', { pageSize: 2, pageToken });
        sizes.push(page.jobs.length);
        seen.push(...page.jobs.map((job) => job.id));
        pageToken = page.nextPageToken;
      } while (pageToken !== '');
      expect(sizes).toEqual([2, 2, 1]);
      expect(seen).toEqual([...ids].reverse());
      expect((await store.list('bob', { pageSize: 0 })).jobs).toHaveLength(5);
    });

    it('refuses a page token issued to another caller or made up, naming page_token', async () => {
      await open();
      for (let i = 0; i < 3; i++) await store.create({ owner: 'bob', replicaId: 'a', leaseMs: lease });
      const { nextPageToken } = await store.list('bob', { pageSize: 1 });
      expect(nextPageToken).not.toBe('');
      for (const pageToken of [nextPageToken, 'not-a-token', Buffer.from('{"v":1}').toString('base64url')]) {
        const error = await store.list('alice', { pageToken }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(GatewayError);
        expect(error).toMatchObject({ reason: 'INVALID_ARGUMENT', field: 'page_token' });
      }
      await expect(store.list('bob', { pageSize: -1 })).rejects.toMatchObject({ field: 'page_size' });
    });
  });

  describe.runIf(engine.run)('retention', () => {
    it('forgets finished jobs, their events and idempotency keys after the retention', async () => {
      await open(2_000);
      const idempotency = { key: 'k', fingerprint: 'sha256:aaa' };
      const job = jobOf(await store.create({ owner: 'alice', replicaId: 'a', leaseMs: lease, idempotency }));
      await store.start(job.id, 'a');
      await store.finish(job.id, 'a', { state: 'succeeded', usage });
      expect((await store.get('alice', job.id))?.state).toBe('succeeded');
      await sleep(2_600);
      expect(await store.get('alice', job.id)).toBeUndefined();
      expect(await store.readEvents(job.id, 0)).toEqual([]);
      expect((await store.list('alice', {})).jobs).toEqual([]);
      const again = await store.create({ owner: 'alice', replicaId: 'a', leaseMs: lease, idempotency });
      expect(again.kind).toBe('created');
      expect(jobOf(again).id).not.toBe(job.id);
    });
  });
});
