import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueFaults, simulatorChannel, writeConfigFile } from '../helpers/config-file.js';
import { startGrpcApp, testSpec, type TestGrpcApp } from '../helpers/grpc-app.js';
import { startSimulator, type TestSimulator } from '../helpers/simulator.js';
import { startTestTelemetry } from '../helpers/telemetry.js';

// Before the app, so its instruments bind to the in-memory providers.
const telemetry = startTestTelemetry();

let primary: TestSimulator;
let backup: TestSimulator;
let gw: TestGrpcApp;
beforeAll(async () => {
  primary = await startSimulator();
  backup = await startSimulator();
  const file = writeConfigFile({
    channels: [
      { ...simulatorChannel('primary', primary, { priority: 10 }), keys: [{ env: 'BAD_KEY' }, { env: 'SIM_KEY' }] },
      simulatorChannel('backup', backup),
    ],
  });
  gw = await startGrpcApp({ withKey: true, env: { GATEWAY_CONFIG_FILE: file, SIM_KEY: primary.apiKey, BAD_KEY: 'sk-wrong' } });
});
afterAll(async () => {
  await gw.close();
  await primary.close();
  await backup.close();
});

describe('channel telemetry', () => {
  it('names the channel of every attempt on its span, and counts attempts, refused keys and usage by channel', async () => {
    await queueFaults(primary, { kind: 'status', status: 503, count: 2 });
    telemetry.reset();
    expect((await gw.client.generateImages({ spec: testSpec() }, { metadata: gw.auth() })).images).toHaveLength(1);
    const attempts = telemetry.spans().filter((s) => s.name === 'POST' && s.attributes['seedream.upstream.attempt'] !== undefined);
    // The primary failed (503); the next attempt went to the other channel at once, not to the primary's other key.
    expect(attempts.map((s) => [s.attributes['seedream.channel'], s.attributes['http.response.status_code']])).toEqual([
      ['primary', 503],
      ['backup', 200],
    ]);

    // The wrong key of the primary is refused once, then never used again.
    for (let i = 0; i < 4; i += 1) await gw.client.generateImages({ spec: testSpec() }, { metadata: gw.auth() });
    const refused = await telemetry.points('seedream.channel.refused_keys');
    expect(refused.map((p) => [p.attributes['seedream.channel.key'], p.value])).toEqual([['primary#1', 1]]);
    const outcomes = (await telemetry.points('seedream.channel.attempts')).map((p) => `${String(p.attributes['seedream.channel'])}:${String(p.attributes['seedream.channel.outcome'])}=${String(p.value)}`);
    // Two 503s were queued: each of two calls failed over once; one call met the wrong key.
    expect(outcomes).toEqual(expect.arrayContaining(['primary:failed=2', 'primary:refused=1']));
    const ok = (await telemetry.points('seedream.channel.attempts')).filter((p) => p.attributes['seedream.channel.outcome'] === 'ok');
    expect(ok.reduce((sum, p) => sum + Number(p.value), 0)).toBe(5);
    const usage = await telemetry.points('seedream.usage.images');
    const delivered = usage.filter((p) => p.attributes['seedream.image.outcome'] === 'delivered').reduce((sum, p) => sum + Number(p.value), 0);
    expect(delivered).toBe(5);
  });
});
