/**
 * Starts a real `redis-server` (the Debian package) on a free loopback port for a test, with no
 * persistence, and stops it afterwards. Where it is not installed the Redis tests skip with a message;
 * CI installs it and sets REQUIRE_REDIS=1, so there they always run.
 *
 * ```ts
 * const redis = await startRedisServer();   // undefined when skipped
 * afterAll(() => redis?.stop());
 * new Redis(redis.url)
 * ```
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

const REDIS_BIN = process.env.REDIS_SERVER_BIN ?? 'redis-server';

/** Whether Redis tests run here: redis-server exists, or CI requires it (then a missing one fails). */
export const redisAvailable = spawnSync(REDIS_BIN, ['--version']).status === 0 || process.env.REQUIRE_REDIS === '1';
if (!redisAvailable) {
  console.warn('redis-server is not installed: the Redis engine tests are SKIPPED here (CI installs it and sets REQUIRE_REDIS=1).');
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** A new client; closed by stop(). */
  client(): Redis;
  stop(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(REDIS_BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `redis://127.0.0.1:${port}`;
  const clients: Redis[] = [];
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // Refused connects while the server starts are expected; they are retried below.
  probe.on('error', () => {});
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`redis-server did not start on port ${port}: ${String(error)}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  probe.disconnect();
  return {
    url,
    port,
    client() {
      const client = new Redis(url);
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.disconnect();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
