import { Status } from 'nice-grpc';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { simulatorChannel, writeConfigFile } from '../helpers/config-file.js';
import { richError, startGrpcApp, testSpec, type TestGrpcApp } from '../helpers/grpc-app.js';
import { startSimulator, type TestSimulator } from '../helpers/simulator.js';

let small: TestSimulator;
let large: TestSimulator;
beforeAll(async () => {
  small = await startSimulator();
  large = await startSimulator();
});
afterAll(async () => {
  await small.close();
  await large.close();
});

let gw: TestGrpcApp | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
  small.simulator.requests.clear();
  large.simulator.requests.clear();
});

const setSpec = (maxImages: number) => testSpec({ model: { $case: 'seedream45', value: { modelId: '', size: undefined, imageSet: { maxImages } } } });

describe("a channel's images-per-minute budget", () => {
  it('reserves n × max images before calling, and moves on to a channel with room instead of collecting 429s', async () => {
    const file = writeConfigFile({
      channels: [simulatorChannel('small', small, { priority: 10, imagesPerMinute: 4 }), simulatorChannel('large', large)],
      routing: { rateWindowMs: 60_000, maxQueueWaitMs: 0 },
    });
    gw = await startGrpcApp({ withKey: true, env: { GATEWAY_CONFIG_FILE: file, SIM_KEY: small.apiKey } });
    const g = gw;
    // A set of up to 3 reserves 3 of the 4; the simulator makes all 3, so nothing is refunded.
    expect((await g.client.generateImages({ spec: setSpec(3) }, { metadata: g.auth() })).images).toHaveLength(3);
    // 1 left: a set of up to 2 does not fit, so it goes to the other channel.
    expect((await g.client.generateImages({ spec: setSpec(2) }, { metadata: g.auth() })).images).toHaveLength(2);
    expect((await g.client.generateImages({ spec: testSpec() }, { metadata: g.auth() })).images).toHaveLength(1);
    expect(small.simulator.requests.entries().map((r) => r.imagesDelivered)).toEqual([3, 1]);
    expect(large.simulator.requests.entries().map((r) => r.imagesDelivered)).toEqual([2]);
    expect(small.simulator.requests.entries().every((r) => r.status === 200)).toBe(true);
  });

  it('refunds images a request did not produce', async () => {
    const file = writeConfigFile({ channels: [simulatorChannel('small', small, { imagesPerMinute: 2 })], routing: { maxQueueWaitMs: 0 } });
    gw = await startGrpcApp({ withKey: true, env: { GATEWAY_CONFIG_FILE: file, SIM_KEY: small.apiKey } });
    const g = gw;
    small.simulator.faults.enqueue({ kind: 'internal-error', imageIndex: 1 });
    // Reserves 2, the upstream stops after 1: the other is given back.
    expect((await g.client.generateImages({ spec: setSpec(2) }, { metadata: g.auth() })).images).toHaveLength(1);
    expect((await g.client.generateImages({ spec: testSpec() }, { metadata: g.auth() })).images).toHaveLength(1);
  });

  it('waits up to the bound when no channel has room, then answers RATE_LIMITED with the time until room', async () => {
    const file = writeConfigFile({ channels: [simulatorChannel('small', small, { imagesPerMinute: 1 })], routing: { rateWindowMs: 60_000, maxQueueWaitMs: 300 } });
    gw = await startGrpcApp({ withKey: true, env: { GATEWAY_CONFIG_FILE: file, SIM_KEY: small.apiKey } });
    const g = gw;
    expect((await g.client.generateImages({ spec: testSpec() }, { metadata: g.auth() })).images).toHaveLength(1);
    const started = Date.now();
    const refused = await richError(() => g.client.generateImages({ spec: testSpec() }, { metadata: g.auth() }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(refused.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/images-per-minute/);
    const retry = refused.extra.find((d) => d.$type === 'google.rpc.RetryInfo') as { retryDelay?: { seconds: number } } | undefined;
    expect(retry?.retryDelay?.seconds).toBeGreaterThan(50);
    // Only the first call reached the upstream.
    expect(small.simulator.requests.entries()).toHaveLength(1);
  });
});
