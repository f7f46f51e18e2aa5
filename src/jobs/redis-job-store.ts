/**
 * The distributed `JobStore` on Redis (`ioredis`): job hashes, per-job event streams and idempotency
 * keys with TTLs, shared by every replica (DESIGN §7, §10). Each transition is one Lua script
 * (redis-job-scripts.ts); reads are plain commands. Key layout and TTLs: docs/jobs-design.md.
 */
import type { Redis } from 'ioredis';
import { stateEventData } from './job-events.js';
import type { JobStore, JobStoreOptions } from './job-store.js';
import { isJobId } from './job-id.js';
import { newJobRecord } from './new-job-record.js';
import { interruptedJobError, type JobRecord } from './job-types.js';
import { afterIdFromPageToken, effectivePageSize, pageTokenFor } from './page-token.js';
import { hashFieldsOfNewJob, hashFieldsOfOutcome, jobEventFromStreamEntry, jobFromHash } from './redis-job-record.js';
import {
  appendEventScript,
  createJobScript,
  finishJobScript,
  interruptExpiredScript,
  recordWebhookAttemptScript,
  releaseKeyScript,
  renewLeaseScript,
  requestCancelScript,
  startJobScript,
} from './redis-job-scripts.js';
import { watchRedisJob } from './redis-job-watch.js';
import { redisJobKeys } from './redis-keys.js';
import { createStreamFollower } from './redis-stream-follower.js';

export interface RedisJobStoreOptions extends JobStoreOptions {
  /** A connected client; the store duplicates it once for blocking reads and closes only that one. */
  readonly redis: Redis;
  /** Prepended to every key, so several gateways can share one Redis. */
  readonly keyPrefix?: string;
  /** Jobs interrupted per sweep call at most (bounds the time one script holds Redis). */
  readonly sweepBatch?: number;
}

export function createRedisJobStore(options: RedisJobStoreOptions): JobStore {
  const { redis, retentionMs } = options;
  const keys = redisJobKeys(options.keyPrefix ?? 'seedream:');
  const json = (value: unknown) => JSON.stringify(value);
  const follower = createStreamFollower(redis);

  async function read(id: string): Promise<JobRecord | undefined> {
    // Ids come from callers' URLs: anything that is not one of ours could name another key.
    if (!isJobId(id)) return undefined;
    const [hash, attempts] = await Promise.all([redis.hgetall(keys.job(id)), redis.lrange(keys.webhooks(id), 0, -1)]);
    return jobFromHash(hash, attempts);
  }

  return {
    engine: 'redis',

    async create(input) {
      const at = Date.now();
      const record = newJobRecord(input, at);
      const scriptKeys = [keys.job(record.id), keys.owner(input.owner), keys.leases];
      if (input.idempotency !== undefined) scriptKeys.push(keys.idempotency(input.owner, input.idempotency.key));
      const [kind, jobId] = (await createJobScript.run(redis, scriptKeys, [
        record.id,
        keys.jobPrefix,
        input.idempotency?.fingerprint ?? '',
        input.replicaId,
        input.leaseMs,
        retentionMs,
        at,
        json(stateEventData('queued')),
        ...hashFieldsOfNewJob(record),
      ])) as [string, string];
      if (kind === 'conflict' && input.idempotency !== undefined) {
        return { kind: 'conflict', key: input.idempotency.key, jobId };
      }
      const job = await read(jobId);
      // The job can only be missing if it expired between the script and this read.
      if (job === undefined) throw new Error(`job ${jobId} expired while it was being created`);
      return { kind: kind === 'existing' ? 'existing' : 'created', job };
    },

    peek: read,

    async get(owner, id) {
      const job = await read(id);
      return job?.owner === owner ? job : undefined;
    },

    async list(owner, page) {
      const size = effectivePageSize(page.pageSize);
      const ownerKey = keys.owner(owner);
      const collected: JobRecord[] = [];
      let after = afterIdFromPageToken(owner, page.pageToken);
      // One more than a page tells whether another page exists. Ids of jobs that expired stay in the
      // index until a listing finds them: skipped, dropped, and the gap filled from further down.
      for (;;) {
        const need = size + 1 - collected.length;
        const ids = await redis.zrevrangebylex(ownerKey, after === undefined ? '+' : `(${after}`, '-', 'LIMIT', 0, need);
        const found = await Promise.all(ids.map((id) => read(id)));
        const gone = ids.filter((_, i) => found[i] === undefined);
        if (gone.length > 0) await redis.zrem(ownerKey, ...gone);
        for (const job of found) if (job !== undefined) collected.push(job);
        if (collected.length > size || ids.length < need) break;
        after = ids.at(-1);
      }
      const jobs = collected.slice(0, size);
      const last = jobs.at(-1);
      return { jobs, nextPageToken: collected.length > size && last !== undefined ? pageTokenFor(owner, last.id) : '' };
    },

    async start(id, replicaId) {
      const at = Date.now();
      return (await startJobScript.run(redis, [keys.job(id)], [replicaId, at, json(stateEventData('running'))])) === 1;
    },

    async renewLease(id, replicaId, leaseMs) {
      const status = await renewLeaseScript.run(redis, [keys.job(id), keys.leases], [id, replicaId, leaseMs]);
      return status as 'held' | 'cancel-requested' | 'lost';
    },

    async appendEvent(id, replicaId, type, data) {
      const seq = await appendEventScript.run(redis, [keys.job(id)], [replicaId, type, json(data), Date.now()]);
      return typeof seq === 'number' ? seq : undefined;
    },

    async finish(id, replicaId, outcome) {
      const error = 'error' in outcome ? outcome.error : undefined;
      const done = await finishJobScript.run(redis, [keys.job(id), keys.leases], [
        id,
        replicaId,
        outcome.state,
        json(stateEventData(outcome.state, error)),
        Date.now(),
        retentionMs,
        ...hashFieldsOfOutcome({ ...(outcome.usage !== undefined && { usage: outcome.usage }), ...(error && { error }) }),
      ]);
      return done === 1;
    },

    async requestCancel(owner, id) {
      if (!isJobId(id)) return undefined;
      const args = [id, owner, json(stateEventData('cancelled')), Date.now(), retentionMs];
      const found = await requestCancelScript.run(redis, [keys.job(id), keys.leases], args);
      return found === 1 ? read(id) : undefined;
    },

    async releaseKey(id) {
      if (isJobId(id)) await releaseKeyScript.run(redis, [keys.job(id)], [id]);
    },

    async recordWebhookAttempt(id, attempt) {
      await recordWebhookAttemptScript.run(redis, [keys.job(id), keys.webhooks(id)], [json(attempt)]);
    },

    async readEvents(id, afterSeq, limit = 1000) {
      if (!isJobId(id)) return [];
      const entries = await redis.xrange(keys.events(id), `0-${Math.max(0, afterSeq) + 1}`, '+', 'COUNT', limit);
      return entries.map(jobEventFromStreamEntry);
    },

    watch(id, afterSeq, signal) {
      if (!isJobId(id)) return (async function* () {})();
      return watchRedisJob(redis, follower, keys, id, afterSeq, signal);
    },

    async interruptExpiredLeases() {
      const ids = await interruptExpiredScript.run(redis, [keys.leases], [
        keys.jobPrefix,
        json(stateEventData('interrupted', interruptedJobError)),
        json(interruptedJobError),
        Date.now(),
        retentionMs,
        options.sweepBatch ?? 100,
      ]);
      return ids as string[];
    },

    async close() {
      // The client belongs to the caller; the follower's blocking connection is the store's own.
      follower.close();
    },
  };
}
