/**
 * Runs a test file on both job stores (DESIGN §10: "all of it passes on the in-process store and on
 * Redis"): `memory` always, `redis` with a real redis-server when it is installed (required in CI).
 *
 * ```ts
 * describe.each(jobStoreEnvs())('keyed calls on $name', ({ env }) => { … startGrpcApp({ env: env() }) … });
 * ```
 */
import { afterAll, beforeAll } from 'vitest';
import { redisTestGate, startRedisServer, type TestRedisServer } from './redis-server.js';

export interface JobStoreEnv {
  readonly name: 'memory' | 'redis';
  /** The environment selecting this store (call inside a test or hook: Redis starts in beforeAll). */
  env(): Record<string, string>;
}

export function jobStoreEnvs(): JobStoreEnv[] {
  const envs: JobStoreEnv[] = [{ name: 'memory', env: () => ({ JOB_STORE: 'memory' }) }];
  if (!redisTestGate().run) return envs;
  let server: TestRedisServer | undefined;
  beforeAll(async () => {
    server = await startRedisServer();
  });
  afterAll(() => server?.stop());
  envs.push({
    name: 'redis',
    env: () => {
      if (server === undefined) throw new Error('redis-server has not started');
      // A prefix per call, so apps of one file never see each other's keys.
      return { JOB_STORE: 'redis', REDIS_URL: server.url, REDIS_KEY_PREFIX: `t${Math.random().toString(36).slice(2, 8)}:` };
    },
  });
  return envs;
}
