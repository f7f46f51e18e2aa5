/**
 * DESIGN §10 across replicas: three built gateway processes on one redis-server and one S3 server
 * (s3rver), one upstream simulator. A keyed retry on replica B attaches to the generation replica A
 * runs (the simulator's request log shows one upstream request); a watcher on replica C sees every
 * event; `kill -9` of A marks its job `interrupted` once the lease runs out, and nothing re-runs it.
 */
import { createChannel, createClientFactory, Metadata, type Channel } from 'nice-grpc';
import { errorDetailsClientMiddleware } from 'nice-grpc-error-details';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageJob_State } from '../../gen/seedream/v1/image_jobs.js';
import { ImageServiceDefinition, type ImageServiceClient } from '../../gen/seedream/v1/image_service.js';
import { startS3Server, type TestS3Server } from '../../bench/lib/s3-server.js';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { spawnEntry, type SpawnedEntry } from '../helpers/built-entry.js';
import { collectStream, testSpec } from '../helpers/grpc-app.js';
import { redisTestGate, startRedisServer, type TestRedisServer } from '../helpers/redis-server.js';
import { startSimulator, type TestSimulator } from '../helpers/simulator.js';

const redisAvailable = redisTestGate().run;
const KEY = 'sk-replica-jobs-caller-01';
const LEASE_MS = 3000;

interface Replica {
  readonly process: SpawnedEntry;
  readonly http: string;
  readonly channel: Channel;
  readonly client: ImageServiceClient;
}

let redis: TestRedisServer;
let s3: TestS3Server;
let sim: TestSimulator;
const replicas: Replica[] = [];
const metadata = () => Metadata({ authorization: `Bearer ${KEY}` });
const generations = () => sim.simulator.requests.entries().filter((entry) => entry.path.endsWith('/images/generations'));
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedisServer();
  s3 = await startS3Server();
  sim = await startSimulator({ latencyMs: 2500 });
  const env = {
    ...s3.env,
    UPSTREAM_KIND: 'ark',
    ARK_API_KEY: sim.apiKey,
    ARK_BASE_URL: sim.arkBaseUrl,
    IMAGE_FETCH_ALLOWED_HOSTS: new URL(sim.url).host,
    GATEWAY_API_KEYS: `caller=${hashApiKey(KEY)}`,
    JOB_STORE: 'redis',
    REDIS_URL: redis.url,
    JOB_LEASE_MS: String(LEASE_MS),
    JOB_SWEEP_INTERVAL_MS: '500',
    HOST: '127.0.0.1',
    GRPC_PORT: '0',
    HTTP_PORT: '0',
    OTEL_SDK_DISABLED: 'true',
    HEARTBEAT_INTERVAL_MS: '0',
    SHUTDOWN_DRAIN_WINDOW_MS: '0',
  };
  const processes = [0, 1, 2].map(() => spawnEntry('dist/src/main.js', env));
  for (const process of processes) {
    const line = await process.waitForJson((l) => l.addresses !== undefined, 60_000);
    const addresses = line.addresses as { grpc: string; http: string };
    const channel = createChannel(addresses.grpc);
    replicas.push({ process, http: `http://${addresses.http}`, channel, client: createClientFactory().use(errorDetailsClientMiddleware).create(ImageServiceDefinition, channel) });
  }
}, 120_000);

afterAll(async () => {
  for (const replica of replicas) {
    replica.channel.close();
    replica.process.kill('SIGTERM');
  }
  await Promise.all(replicas.map((r) => r.process.exited));
  await sim?.close();
  await s3?.close();
  await redis?.stop();
});

describe('jobs across three replicas on one Redis and one S3', () => {
  it.skipIf(!redisAvailable)('a keyed retry on B attaches to the generation on A; a watcher on C sees every event', async () => {
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    sim.simulator.requests.clear();
    const requestId = `replicas-${Date.now()}`;
    const spec = testSpec({ prompt: 'three replicas' });
    const onA = collectStream(a.client.streamImages({ spec, requestId }, { metadata: metadata() }));
    await pause(500);
    const { jobs } = await c.client.listImageJobs({ pageSize: 1, pageToken: '' }, { metadata: metadata() });
    expect(jobs[0]?.requestId).toBe(requestId);
    const watched = collectStream(c.client.watchImageJob({ name: jobs[0]?.name ?? '', afterSequence: 0 }, { metadata: metadata() }));
    const onB = await b.client.generateImages({ spec, requestId }, { metadata: metadata() });

    const streamed = await onA;
    const urlOf = (content: { $case: string; value: unknown } | undefined) => (content?.$case === 'url' ? (content.value as string) : '');
    const imageA = streamed.find((e) => e.event?.$case === 'image');
    expect(imageA?.event?.$case === 'image' && urlOf(imageA.event.value.content)).toBe(urlOf(onB.images[0]?.content));
    expect(urlOf(onB.images[0]?.content).startsWith(s3.endpoint)).toBe(true);
    const events = await watched;
    expect(events.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(events.map((e) => e.event?.$case)).toEqual(['stateChange', 'stateChange', 'image', 'completed', 'stateChange']);
    expect(generations()).toHaveLength(1);
  });

  it.skipIf(!redisAvailable)('kill -9 of A: its job becomes interrupted after the lease, and nothing runs it again', async () => {
    const [a, b] = replicas as [Replica, Replica];
    sim.simulator.requests.clear();
    sim.simulator.faults.enqueue({ kind: 'delay-headers', ms: 60_000 });
    const key = `killed-${Date.now()}`;
    const accepted = await fetch(`${a.http}/v1/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', prefer: 'respond-async', 'idempotency-key': key },
      body: JSON.stringify({ model: 'doubao-seedream-4-5-251128', prompt: 'killed', response_format: 'url' }),
    });
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    for (let i = 0; i < 100 && generations().length === 0; i++) await pause(50);
    a.process.kill('SIGKILL');
    await a.process.exited;
    const killedAt = Date.now();

    let state = ImageJob_State.STATE_RUNNING;
    while (state === ImageJob_State.STATE_RUNNING && Date.now() - killedAt < 30_000) {
      await pause(200);
      state = (await b.client.getImageJob({ name: `jobs/${id}` }, { metadata: metadata() })).job?.state ?? state;
    }
    expect(state).toBe(ImageJob_State.STATE_INTERRUPTED);
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(LEASE_MS - 1000);

    // A keyed retry gets the interruption, not a new generation.
    const retried = await fetch(`${b.http}/v1/images/generations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ model: 'doubao-seedream-4-5-251128', prompt: 'killed', response_format: 'url' }),
    });
    expect(retried.status).toBe(503);
    expect(retried.headers.get('x-should-retry')).toBe('false');
    await pause(1000);
    expect(generations()).toHaveLength(1);
  });
});
