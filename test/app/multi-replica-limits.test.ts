/**
 * DESIGN §7/§12 done-when: three gateway processes (the built entry point) on one Redis, driven in
 * parallel. A caller limited to 60 images per window gets 60 ± 1 across all replicas; a channel limited
 * to N images per window never receives more than N in any window (the simulator's request log); the
 * ledger's totals equal the images the callers received. The window is shortened to a few seconds by
 * config (`routing.rateWindowMs`) — the same sliding-window semantics as the production minute.
 */
import { createChannel, createClientFactory, Metadata, type Channel } from 'nice-grpc';
import { errorDetailsClientMiddleware, RichClientError } from 'nice-grpc-error-details';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageServiceDefinition, type ImageServiceClient } from '../../gen/seedream/v1/image_service.js';
import { UsageServiceDefinition } from '../../gen/seedream/v1/usage_service.js';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { spawnEntry, type SpawnedEntry } from '../helpers/built-entry.js';
import { simulatorChannel, writeConfigFile } from '../helpers/config-file.js';
import { testSpec } from '../helpers/grpc-app.js';
import { redisTestGate, startRedisServer, type TestRedisServer } from '../helpers/redis-server.js';

const redisAvailable = redisTestGate().run;
import { startSimulator, type TestSimulator } from '../helpers/simulator.js';

const WINDOW_MS = 6000;
const CALLER_LIMIT = 60;
const CHANNEL_LIMIT = 25;
const ALICE = 'sk-alice-replicas-000001';
const BOB = 'sk-bob-replicas-0000002';
const OPS = 'sk-ops-replicas-0000003';

let redis: TestRedisServer | undefined;
let limited: TestSimulator;
let spare: TestSimulator;
const gateways: SpawnedEntry[] = [];
const channels: Channel[] = [];
const clients: ImageServiceClient[] = [];

beforeAll(async () => {
  if (!redisAvailable) return;
  redis = await startRedisServer();
  limited = await startSimulator({ requestLogLimit: 100_000, latencyMs: 5 });
  spare = await startSimulator({ requestLogLimit: 100_000, latencyMs: 5 });
  const file = writeConfigFile({
    channels: [simulatorChannel('limited', limited, { priority: 10, imagesPerMinute: CHANNEL_LIMIT }), simulatorChannel('spare', spare)],
    callers: [
      { name: 'alice', sha256: hashApiKey(ALICE), imagesPerMinute: CALLER_LIMIT },
      { name: 'bob', sha256: hashApiKey(BOB) },
      { name: 'ops', sha256: hashApiKey(OPS), role: 'admin' },
    ],
    routing: { rateWindowMs: WINDOW_MS, maxQueueWaitMs: 0 },
    store: { kind: 'redis', url: redis.url, keyPrefix: 'replicas' },
  });
  const env = { GATEWAY_CONFIG_FILE: file, SIM_KEY: limited.apiKey, HOST: '127.0.0.1', GRPC_PORT: '0', HTTP_PORT: '0', OTEL_SDK_DISABLED: 'true', HEARTBEAT_INTERVAL_MS: '0' };
  for (let i = 0; i < 3; i += 1) gateways.push(spawnEntry('dist/src/main.js', env));
  for (const gateway of gateways) {
    const line = await gateway.waitForJson((l) => l.addresses !== undefined, 60_000);
    const channel = createChannel((line.addresses as { grpc: string }).grpc);
    channels.push(channel);
    clients.push(createClientFactory().use(errorDetailsClientMiddleware).create(ImageServiceDefinition, channel));
  }
}, 120_000);

afterAll(async () => {
  for (const channel of channels) channel.close();
  for (const gateway of gateways) gateway.kill('SIGTERM');
  await Promise.all(gateways.map((g) => g.exited));
  await limited?.close();
  await spare?.close();
  await redis?.stop();
});

/** Calls from `workers` loops spread over every replica until `until`; counts images and refusals. */
async function drive(key: string, workers: number, until: number): Promise<{ images: number; refused: number; other: string[] }> {
  const result = { images: 0, refused: 0, other: [] as string[] };
  const metadata = Metadata({ authorization: `Bearer ${key}` });
  let next = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (Date.now() < until) {
        const client = clients[next++ % clients.length] as ImageServiceClient;
        try {
          // Awaited first: `x += await …` would read x before the await and lose concurrent updates.
          const { images } = await client.generateImages({ spec: testSpec() }, { metadata });
          result.images += images.length;
        } catch (error) {
          if (error instanceof RichClientError && /images per minute/.test(error.details)) {
            result.refused += 1;
            await new Promise((r) => setTimeout(r, 20));
          } else result.other.push(String(error));
        }
      }
    }),
  );
  return result;
}

describe('limits and the ledger across three replicas on one Redis', () => {
  it.skipIf(!redisAvailable)('holds a caller limit and a channel limit across replicas, and the ledger adds up', async () => {
    const start = Date.now();
    // Alice drives for most of one window (no entry of hers expires in that time); Bob keeps the
    // limited channel saturated across two window boundaries.
    const [alice, bob] = await Promise.all([drive(ALICE, 6, start + WINDOW_MS * 0.75), drive(BOB, 6, start + WINDOW_MS * 2.2)]);
    expect(alice.other).toEqual([]);
    expect(bob.other).toEqual([]);
    expect(alice.refused).toBeGreaterThan(0);
    expect(Math.abs(alice.images - CALLER_LIMIT)).toBeLessThanOrEqual(1);

    // The limited channel got no more than its budget in any window of its own log. The window checked
    // is shortened by 1 s: the time between a reservation (Redis clock) and the request's arrival varies
    // on a loaded machine.
    const log = limited.simulator.requests.entries().filter((r) => r.status === 200);
    expect(log.length).toBeGreaterThan(CHANNEL_LIMIT); // it served across more than one window
    let busiest = 0;
    for (const entry of log) {
      const inWindow = log.filter((r) => r.receivedAt >= entry.receivedAt && r.receivedAt < entry.receivedAt + WINDOW_MS - 1000);
      busiest = Math.max(busiest, inWindow.reduce((sum, r) => sum + r.imagesDelivered, 0));
    }
    expect(busiest).toBeLessThanOrEqual(CHANNEL_LIMIT);
    expect(busiest).toBeGreaterThanOrEqual(CHANNEL_LIMIT - 2);
    // The overflow went to the spare channel, never as 429s from the limited one.
    expect(limited.simulator.requests.entries().every((r) => r.status === 200)).toBe(true);

    // The ledger, read through any replica, equals what the callers received.
    const usage = createClientFactory().use(errorDetailsClientMiddleware).create(UsageServiceDefinition, channels[2] as Channel);
    const { rows } = await usage.getUsage({}, { metadata: Metadata({ authorization: `Bearer ${OPS}` }) });
    const delivered = (caller: string) => rows.filter((r) => r.caller === caller).reduce((sum, r) => sum + r.imagesDelivered, 0);
    expect(delivered('alice')).toBe(alice.images);
    expect(delivered('bob')).toBe(bob.images);
    const byChannel = (channel: string) => rows.filter((r) => r.channel === channel).reduce((sum, r) => sum + r.imagesDelivered, 0);
    expect(byChannel('limited')).toBe(log.reduce((sum, r) => sum + r.imagesDelivered, 0));
  }, 120_000);
});
