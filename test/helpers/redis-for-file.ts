/**
 * The redis-server of one test file, for tables that run every case against both engines: started
 * before the file's tests when Redis tests run here (test/helpers/redis-server.ts decides), with clients
 * that are disconnected, and the server stopped, after them.
 *
 * ```ts
 * const redis = redisForFile();
 * it.skipIf(!redis.available)('…', async () => { createRedisLimitStore(redis.client(), 'prefix') });
 * ```
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { redisTestGate, startRedisServer, type TestRedisServer } from './redis-server.js';

export interface RedisForFile {
  /** Whether Redis tests run here. */
  readonly available: boolean;
  /** `redis://127.0.0.1:<port>`; only inside tests, once the server runs. */
  url(): string;
  /** A new client of the file's server. */
  client(): Redis;
}

export function redisForFile(): RedisForFile {
  const available = redisTestGate().run;
  let server: TestRedisServer | undefined;
  const clients: Redis[] = [];
  beforeAll(async () => {
    if (available) server = await startRedisServer();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server?.stop();
  });
  const url = () => {
    if (server === undefined) throw new Error('the redis-server of this file is not running (Redis tests are skipped here)');
    return server.url;
  };
  return {
    available,
    url,
    client() {
      const client = new Redis(url());
      clients.push(client);
      return client;
    },
  };
}
