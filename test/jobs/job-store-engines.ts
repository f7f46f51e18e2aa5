/**
 * The two `JobStore` engines as the contract suite sees them: `open` makes the store a replica uses,
 * `peer` another replica's view of the same jobs (the same map in process; a second Redis connection
 * with the same key prefix on Redis). Each `open` starts from an empty store.
 */
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { JobStore } from '../../src/jobs/job-store.js';
import { createMemoryJobStore } from '../../src/jobs/memory-job-store.js';
import { createRedisJobStore } from '../../src/jobs/redis-job-store.js';
import { redisTestGate, startRedisServer, type TestRedisServer } from '../helpers/redis-server.js';

export interface OpenedStore {
  readonly store: JobStore;
  /** Another replica's store on the same jobs. */
  peer(): JobStore;
  /** Raw Redis access for engine-specific assertions (Redis engine only). */
  readonly redis?: Redis;
  readonly keyPrefix?: string;
}

export interface JobStoreEngine {
  readonly name: 'memory' | 'redis';
  readonly run: boolean;
  setup(): Promise<void>;
  open(retentionMs: number): Promise<OpenedStore>;
  /** Closes everything opened since the last call. */
  closeOpened(): Promise<void>;
  teardown(): Promise<void>;
}

export function memoryEngine(): JobStoreEngine {
  const opened: JobStore[] = [];
  return {
    name: 'memory',
    run: true,
    async setup() {},
    async open(retentionMs) {
      const store = createMemoryJobStore({ retentionMs });
      opened.push(store);
      return { store, peer: () => store };
    },
    async closeOpened() {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    },
    async teardown() {},
  };
}

export function redisEngine(): JobStoreEngine {
  let server: TestRedisServer | undefined;
  const clients: Redis[] = [];
  const stores: JobStore[] = [];
  const track = (store: JobStore) => {
    stores.push(store);
    return store;
  };
  const connect = () => {
    if (server === undefined) throw new Error('redis engine not set up');
    const client = new Redis(server.url, { lazyConnect: false });
    clients.push(client);
    return client;
  };
  return {
    name: 'redis',
    run: redisTestGate().run,
    async setup() {
      server = await startRedisServer();
    },
    async open(retentionMs) {
      // A fresh prefix per test: tests share one server but never each other's keys.
      const keyPrefix = `t${randomUUID().slice(0, 8)}:`;
      const redis = connect();
      const store = track(createRedisJobStore({ redis, retentionMs, keyPrefix }));
      return { store, peer: () => track(createRedisJobStore({ redis: connect(), retentionMs, keyPrefix })), redis, keyPrefix };
    },
    async closeOpened() {
      await Promise.all(stores.splice(0).map((store) => store.close()));
      await Promise.all(clients.splice(0).map((client) => client.quit()));
    },
    async teardown() {
      await server?.stop();
    },
  };
}
