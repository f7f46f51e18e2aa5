/**
 * Durable generations as configured (DESIGN §10): the job store (in process, or Redis shared by
 * replicas), this replica's id, the lease sweeper, the webhooks and the core entry for keyed calls and
 * jobs — and their shutdown, in order: running jobs end `interrupted`, then timers and connections.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { JobsConfig } from '../config-types.js';
import type { ImageGenerator } from '../service/image-generator.js';
import type { Logger } from '../telemetry/logger.js';
import type { ResolveAll } from '../webhooks/webhook-target.js';
import { createDurableGenerations, type DurableGenerations } from './durable-generations.js';
import type { JobStore } from './job-store.js';
import { createJobWebhooks } from './job-webhooks.js';
import { startLeaseSweeper } from './lease-sweeper.js';
import { createMemoryJobStore } from './memory-job-store.js';
import { createRedisJobStore } from './redis-job-store.js';

export interface JobSetup {
  readonly durable: DurableGenerations;
  readonly replicaId: string;
  close(): Promise<void>;
}

export interface JobSetupDeps {
  readonly generator: ImageGenerator;
  readonly logger: Logger;
  readonly maxCallDurationMs: number;
  readonly heartbeatIntervalMs: number;
  /** Injected for tests: how webhook hosts resolve. */
  readonly resolveAll?: ResolveAll;
}

export async function createJobSetup(config: JobsConfig, deps: JobSetupDeps): Promise<JobSetup> {
  const replicaId = randomBytes(8).toString('hex');
  let redis: Redis | undefined;
  let store: JobStore;
  if (config.store.kind === 'redis') {
    redis = new Redis(config.store.url, { lazyConnect: true, maxRetriesPerRequest: 3 });
    await redis.connect();
    store = createRedisJobStore({ redis, retentionMs: config.retentionMs, keyPrefix: config.store.keyPrefix });
    deps.logger.info({ jobStore: 'redis', replicaId }, 'jobs and idempotency keys are kept in Redis, shared by every replica');
  } else {
    store = createMemoryJobStore({ retentionMs: config.retentionMs });
    deps.logger.warn(
      { jobStore: 'memory', retentionMs: config.retentionMs },
      'jobs and idempotency keys are kept in this process: they live as long as the process (JOB_STORE=redis shares them across replicas and restarts)',
    );
  }
  const webhooks = createJobWebhooks(config.webhooks, store, deps.logger, deps.resolveAll ? { resolveAll: deps.resolveAll } : {});
  const sweeper = startLeaseSweeper(store, {
    intervalMs: config.sweepIntervalMs,
    onInterrupted(ids) {
      deps.logger.warn({ jobs: ids }, 'jobs whose replica stopped renewing their lease are interrupted (not re-run)');
      // Their replica is gone: the sweeping replica sends their webhooks.
      for (const id of ids) {
        store
          .peek(id)
          .then((job) => (job === undefined ? undefined : webhooks.sendFor(job.owner, id)))
          .catch((error: unknown) => deps.logger.warn({ err: error, job: id }, 'webhook of an interrupted job failed'));
      }
    },
    onError: (error) => deps.logger.warn({ err: error }, 'lease sweep failed; retrying on the next tick'),
  });
  const durable = createDurableGenerations({
    generator: deps.generator,
    store,
    replicaId,
    leaseMs: config.leaseMs,
    maxCallDurationMs: deps.maxCallDurationMs,
    heartbeatIntervalMs: deps.heartbeatIntervalMs,
    webhooks,
    logger: deps.logger,
  });
  let closing: Promise<void> | undefined;
  return {
    durable,
    replicaId,
    close() {
      closing ??= (async () => {
        webhooks.close();
        await durable.close();
        sweeper.stop();
        await store.close();
        await redis?.quit().catch(() => redis?.disconnect());
      })();
      return closing;
    },
  };
}
