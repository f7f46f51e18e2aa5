import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { clearFaults, queueFaults, simulatorChannel, writeConfigFile } from '../helpers/config-file.js';
import { startGrpcApp, testSpec, type TestGrpcApp } from '../helpers/grpc-app.js';
import { startSimulator, type TestSimulator } from '../helpers/simulator.js';

let failing: TestSimulator;
let healthy: TestSimulator;
beforeAll(async () => {
  failing = await startSimulator();
  healthy = await startSimulator();
});
afterAll(async () => {
  await failing.close();
  await healthy.close();
});

let gw: TestGrpcApp | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
  failing.simulator.requests.clear();
  healthy.simulator.requests.clear();
  await clearFaults(failing);
});

const generate = () => (gw as TestGrpcApp).client.generateImages({ spec: testSpec() }, { metadata: (gw as TestGrpcApp).auth() });

describe('failover between channels', () => {
  it('serves every call through the healthy channel while the preferred one fails, and the breaker opens and recovers', async () => {
    const file = writeConfigFile({
      channels: [simulatorChannel('primary', failing, { priority: 10 }), simulatorChannel('backup', healthy, { priority: 0 })],
      routing: { breakerFailures: 2, breakerCooldownMs: 1500 },
    });
    gw = await startGrpcApp({ withKey: true, env: { GATEWAY_CONFIG_FILE: file, SIM_KEY: failing.apiKey, RETRY_BASE_DELAY_MS: '5000' } });
    await queueFaults(failing, { kind: 'status', status: 503, count: 1000 });

    for (let i = 0; i < 6; i += 1) expect((await generate()).images).toHaveLength(1);
    // Two consecutive failures opened the primary's breaker: later calls went straight to the backup,
    // and failing over did not wait for the (5 s) backoff.
    expect(failing.simulator.requests.entries().map((r) => r.status)).toEqual([503, 503]);
    expect(healthy.simulator.requests.entries()).toHaveLength(6);
    expect(gw.logs.some((l) => l.breaker === 'open' && l.channelKey === 'primary#1')).toBe(true);

    // The primary recovers: after the cool-down one probe goes there, succeeds, and it serves again.
    await clearFaults(failing);
    await new Promise((r) => setTimeout(r, 1600));
    expect((await generate()).images).toHaveLength(1);
    expect((await generate()).images).toHaveLength(1);
    expect(failing.simulator.requests.entries().map((r) => r.status)).toEqual([503, 503, 200, 200]);
    expect(gw.logs.some((l) => l.breaker === 'closed' && l.channelKey === 'primary#1')).toBe(true);
  });

  it('takes a key the upstream refuses out of rotation, reports it without the key, and serves with the others', async () => {
    const file = writeConfigFile({
      channels: [{ ...simulatorChannel('only', healthy), keys: [{ env: 'GOOD_KEY' }, { env: 'BAD_KEY' }] }],
    });
    gw = await startGrpcApp({ withKey: true, env: { GATEWAY_CONFIG_FILE: file, GOOD_KEY: healthy.apiKey, BAD_KEY: 'sk-revoked-key-123' } });
    for (let i = 0; i < 6; i += 1) expect((await generate()).images).toHaveLength(1);
    const statuses = healthy.simulator.requests.entries().map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(6);
    const report = gw.logs.find((l) => l.channelKey === 'only#2' && l.reason === 'UPSTREAM_AUTH_FAILED');
    expect(report?.msg).toMatch(/out of rotation/);
    expect(JSON.stringify(gw.logs)).not.toContain('sk-revoked-key-123');
  });

  it('fails over to another channel instead of passing on an upstream 429', async () => {
    const file = writeConfigFile({
      channels: [simulatorChannel('primary', failing, { priority: 10 }), simulatorChannel('backup', healthy)],
    });
    gw = await startGrpcApp({ withKey: true, env: { GATEWAY_CONFIG_FILE: file, SIM_KEY: failing.apiKey } });
    await queueFaults(failing, { kind: 'status', status: 429, retryAfterSeconds: 60 });
    expect((await generate()).images).toHaveLength(1);
    expect(failing.simulator.requests.entries().map((r) => r.status)).toEqual([429]);
    expect(healthy.simulator.requests.entries()).toHaveLength(1);
  });

  it('lists only the models some channel serves, and refuses the others before any upstream call', async () => {
    const file = writeConfigFile({ channels: [simulatorChannel('only', healthy, { models: ['doubao-seedream-4-5', { model: 'seedream-4-0', upstreamId: 'ep-20250101-abc' }] })] });
    gw = await startGrpcApp({ withKey: true, env: { GATEWAY_CONFIG_FILE: file, SIM_KEY: healthy.apiKey } });
    const { models } = await gw.client.listModels({}, { metadata: gw.auth() });
    expect(models.map((m) => m.displayName)).toEqual(expect.arrayContaining([expect.stringMatching(/4\.5/), expect.stringMatching(/4\.0/)]));
    expect(models).toHaveLength(2);
    const refused = await gw.client
      .generateImages({ spec: testSpec({ model: { $case: 'seedream30', value: { modelId: '', size: undefined, seed: undefined, guidanceScale: undefined } } as never }) }, { metadata: gw.auth() })
      .catch((e: unknown) => e as Error);
    expect(String(refused)).toMatch(/not served by any channel/);
    expect(healthy.simulator.requests.entries()).toHaveLength(0);
  });
});
