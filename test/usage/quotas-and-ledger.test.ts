import { Status } from 'nice-grpc';
import { createChannel, createClientFactory, Metadata } from 'nice-grpc';
import { errorDetailsClientMiddleware } from 'nice-grpc-error-details';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UsageServiceDefinition } from '../../gen/seedream/v1/usage_service.js';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { queueFaults, simulatorChannel, writeConfigFile } from '../helpers/config-file.js';
import { richError, startGrpcApp, testSpec, type TestGrpcApp } from '../helpers/grpc-app.js';
import { redisForFile } from '../helpers/redis-for-file.js';

const redis = redisForFile();
const redisAvailable = redis.available;
import { startSimulator, type TestSimulator } from '../helpers/simulator.js';

const ALICE = 'sk-alice-0000000000000001';
const BOB = 'sk-bob-00000000000000002';
const ADMIN = 'sk-admin-000000000000003';

let sim: TestSimulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

let gw: TestGrpcApp | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
  sim.simulator.requests.clear();
});

let prefix = 0;
const stores: [string, () => unknown][] = [
  ['in process', () => ({ kind: 'memory' })],
  ['redis', () => ({ kind: 'redis', url: redis.url(), keyPrefix: `quota-test-${++prefix}` })],
];

async function start(store: unknown, alice: Record<string, unknown>): Promise<TestGrpcApp> {
  const file = writeConfigFile({
    channels: [simulatorChannel('sim', sim)],
    callers: [
      { name: 'alice', sha256: hashApiKey(ALICE), ...alice },
      { name: 'bob', sha256: hashApiKey(BOB) },
      { name: 'ops', sha256: hashApiKey(ADMIN), role: 'admin' },
    ],
    routing: { rateWindowMs: 3000 },
    store,
  });
  return startGrpcApp({ env: { GATEWAY_CONFIG_FILE: file, SIM_KEY: sim.apiKey, PRICE_CURRENCY: 'USD' } });
}

const as = (key: string) => Metadata({ authorization: `Bearer ${key}` });

describe.each(stores)('caller quotas and the usage ledger (%s)', (engine, store) => {
  const skip = engine === 'redis' && !redisAvailable;

  it.skipIf(skip)('refuses images beyond the per-minute limit with RetryInfo naming it, refunds moderated images, and frees as the window slides', async () => {
    gw = await start(store(), { imagesPerMinute: 3 });
    const g = gw;
    // One of the two images is moderated: only one counts.
    await queueFaults(sim, { kind: 'moderate', imageIndex: 0, count: 1 });
    const first = await g.client.generateImages({ spec: testSpec({ n: 2 }) }, { metadata: as(ALICE) });
    expect(first.images).toHaveLength(1);
    expect((await g.client.generateImages({ spec: testSpec({ n: 2 }) }, { metadata: as(ALICE) })).images).toHaveLength(2);
    const refused = await richError(() => g.client.generateImages({ spec: testSpec() }, { metadata: as(ALICE) }));
    expect(refused.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/images per minute/);
    const retry = refused.extra.find((d) => d.$type === 'google.rpc.RetryInfo') as { retryDelay?: { seconds: number } } | undefined;
    expect(retry?.retryDelay?.seconds).toBeLessThanOrEqual(3);
    // Other callers have their own limits; the refused call never reached the upstream.
    expect((await g.client.generateImages({ spec: testSpec() }, { metadata: as(BOB) })).images).toHaveLength(1);
    expect(sim.simulator.requests.entries()).toHaveLength(5);
    await new Promise((r) => setTimeout(r, 3100));
    expect((await g.client.generateImages({ spec: testSpec() }, { metadata: as(ALICE) })).images).toHaveLength(1);
  });

  it.skipIf(skip)('answers REST callers over budget with 429, Retry-After and the limit named', async () => {
    // Seedream 4.5 costs $0.04 an image: two fit in $0.10, a third does not.
    gw = await start(store(), { dailyBudget: 0.1 });
    const openai = new OpenAI({ apiKey: ALICE, baseURL: `${gw.httpUrl}/v1`, maxRetries: 0 });
    const generate = () => openai.images.generate({ model: 'doubao-seedream-4-5', prompt: 'a lighthouse', response_format: 'url' });
    expect((await generate()).data).toHaveLength(1);
    expect((await generate()).data).toHaveLength(1);
    const refused = await generate().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    const error = refused as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(429);
    expect(error.message).toMatch(/daily budget/);
    expect(Number(error.headers?.get('retry-after'))).toBeGreaterThan(0);
    expect(sim.simulator.requests.entries()).toHaveLength(2);
  });

  it.skipIf(skip)('counts requests per minute whatever they deliver, and caps a key\'s own concurrency', async () => {
    gw = await start(store(), { requestsPerMinute: 2, maxConcurrency: 1 });
    const g = gw;
    // A call that delivers nothing still counts as a request.
    await queueFaults(sim, { kind: 'moderate', imageIndex: 0, count: 1 });
    expect((await richError(() => g.client.generateImages({ spec: testSpec() }, { metadata: as(ALICE) }))).code).toBe(Status.FAILED_PRECONDITION);
    // Two at once: the key's own cap of 1 refuses one of them before it is counted.
    await queueFaults(sim, { kind: 'delay-headers', ms: 1000, count: 1 });
    const first = g.client.generateImages({ spec: testSpec() }, { metadata: as(ALICE) });
    // The second starts once the first holds its slot.
    while (g.app.generator.active === 0) await new Promise((r) => setTimeout(r, 10));
    const both = await Promise.allSettled([first, g.client.generateImages({ spec: testSpec() }, { metadata: as(ALICE) })]);
    expect(both[0].status).toBe('fulfilled');
    expect(both[1].status === 'rejected' && String(both[1].reason)).toMatch(/maximum of 1 generations/);
    const refused = await richError(() => g.client.generateImages({ spec: testSpec() }, { metadata: as(ALICE) }));
    expect(refused.details).toMatch(/requests per minute/);
  });

  it.skipIf(skip)('keeps a ledger per caller, model and channel that callers read for themselves and admins for anyone', async () => {
    gw = await start(store(), {});
    const g = gw;
    await queueFaults(sim, { kind: 'moderate', imageIndex: 0, count: 1 });
    await g.client.generateImages({ spec: testSpec({ n: 2 }) }, { metadata: as(ALICE) });
    await g.client.generateImages({ spec: testSpec() }, { metadata: as(ALICE) });
    await g.client.generateImages({ spec: testSpec() }, { metadata: as(BOB) });

    const usage = createClientFactory().use(errorDetailsClientMiddleware).create(UsageServiceDefinition, createChannel(g.address));
    const mine = await usage.getUsage({}, { metadata: as(ALICE) });
    expect(mine.currency).toBe('USD');
    expect(mine.rows).toEqual([
      expect.objectContaining({ caller: 'alice', model: 'seedream_4_5', channel: 'sim', requests: 2, imagesDelivered: 2, imagesFailed: 1, estimatedCostMicros: 80_000 }),
    ]);
    const all = await usage.getUsage({}, { metadata: as(ADMIN) });
    expect(all.rows.map((r) => [r.caller, r.imagesDelivered])).toEqual([['alice', 2], ['bob', 1]]);
    const refused = await richError(() => usage.getUsage({ caller: 'alice' }, { metadata: as(BOB) }));
    expect(refused.code).toBe(Status.INVALID_ARGUMENT);
    expect(refused.details).toMatch(/^caller: only keys with the admin role/);
    expect(refused.extra.find((d) => d.$type === 'google.rpc.BadRequest')).toMatchObject({ fieldViolations: [{ field: 'caller' }] });

    const rest = await fetch(`${g.httpUrl}/v1/usage?caller=bob`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const body = (await rest.json()) as { data: { caller: string; images_delivered: number; estimated_cost: number }[] };
    expect(body.data).toEqual([expect.objectContaining({ caller: 'bob', images_delivered: 1, estimated_cost: 0.04 })]);
    const badDay = await fetch(`${g.httpUrl}/v1/usage?from=yesterday`, { headers: { authorization: `Bearer ${ALICE}` } });
    expect(badDay.status).toBe(400);
    expect(((await badDay.json()) as { error: { param: string } }).error.param).toBe('from');
  });
});

describe('when the Redis store is down', () => {
  it('refuses calls with UNAVAILABLE and a retry delay, not an internal error', async () => {
    // A port nothing listens on: every Redis command fails after ioredis's retries.
    const probe = await import('node:net').then(({ createServer }) => new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const port = (server.address() as { port: number }).port;
        server.close(() => resolve(port));
      });
    }));
    gw = await start({ kind: 'redis', url: `redis://127.0.0.1:${probe}`, keyPrefix: 'down' }, { imagesPerMinute: 5 });
    const g = gw;
    const refused = await richError(() => g.client.generateImages({ spec: testSpec() }, { metadata: as(ALICE) }));
    expect(refused.code).toBe(Status.UNAVAILABLE);
    expect(refused.details).toMatch(/limit store is unavailable/);
    expect(sim.simulator.requests.entries()).toHaveLength(0);
  });
});
