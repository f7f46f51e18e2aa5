/**
 * The built entry point as operators run it: `node dist/src/main.js` in a child process.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChannel, createClient } from 'nice-grpc';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { ImageServiceDefinition, type ImageServiceClient } from '../../gen/seedream/v1/image_service.js';
import { spawnEntry, type SpawnedEntry } from '../helpers/built-entry.js';
import { collectStream, testSpec } from '../helpers/grpc-app.js';

const baseEnv = {
  HOST: '127.0.0.1',
  GRPC_PORT: '0',
  HTTP_PORT: '0',
  SIMULATOR_LATENCY_MS: '20',
  HEARTBEAT_INTERVAL_MS: '0',
  SHUTDOWN_DRAIN_WINDOW_MS: '0',
  DATA_DIR: mkdtempSync(join(tmpdir(), 'seedream-startup-')),
};

let running: SpawnedEntry | undefined;
afterEach(async () => {
  if (running !== undefined && running.pid !== undefined) {
    running.kill('SIGKILL');
    await running.exited;
  }
  running = undefined;
});

async function startGateway(env: Record<string, string> = {}) {
  const gateway = spawnEntry('dist/src/main.js', { ...baseEnv, ...env });
  running = gateway;
  const line = await gateway.waitForJson((l) => typeof l.addresses === 'object');
  const addresses = line.addresses as Record<string, string>;
  const channel = createChannel(`127.0.0.1:${(addresses.grpc ?? '').split(':').pop()}`);
  const client: ImageServiceClient = createClient(ImageServiceDefinition, channel);
  const httpUrl = `http://127.0.0.1:${(addresses.http ?? '').split(':').pop()}`;
  return { gateway, channel, client, httpUrl };
}

describe('the built gateway process', () => {
  it('starts on the embedded simulator, serves StreamImages, and exits 0 on SIGTERM', async () => {
    const { gateway, channel, client } = await startGateway();
    try {
      expect(gateway.stdout()).toContain('IMAGES ARE SIMULATED');
      expect(gateway.stdout()).toContain('OPEN MODE');
      const messages = await collectStream(client.streamImages({ spec: testSpec() }));
      expect(messages.map((m) => m.event?.$case)).toEqual(['image', 'completed']);
    } finally {
      channel.close();
    }
    gateway.kill('SIGTERM');
    expect(await gateway.exited).toEqual({ code: 0, signal: null });
    expect(gateway.stdout()).toContain('"msg":"stopped"');
  });

  it('serves the OpenAI SDK unchanged on the HTTP port (only baseURL and apiKey set), and health probes', async () => {
    const { gateway, channel, httpUrl } = await startGateway();
    channel.close();
    const openai = new OpenAI({ baseURL: `${httpUrl}/v1`, apiKey: 'any-key-open-mode' });
    const result = await openai.images.generate({ model: 'doubao-seedream-4-5', prompt: 'a lighthouse at dusk' });
    // Hosted by default: the image is on the gateway's own HTTP port, not the simulator's.
    expect(result.data?.[0]?.url?.startsWith(`${httpUrl}/v1/assets/`)).toBe(true);
    const image = await fetch(result.data?.[0]?.url ?? '');
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    const models = await openai.models.list();
    expect(models.data.map((m) => m.id)).toContain('doubao-seedream-4-5-251128');
    expect((await fetch(`${httpUrl}/readyz`)).status).toBe(200);
    gateway.kill('SIGTERM');
    expect((await gateway.exited).code).toBe(0);
  });

  it('drains an in-flight stream on SIGTERM before exiting 0', async () => {
    const { gateway, channel, client } = await startGateway({ SIMULATOR_LATENCY_MS: '600' });
    try {
      const inFlight = collectStream(client.streamImages({ spec: testSpec() }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      gateway.kill('SIGTERM');
      const messages = await inFlight;
      expect(messages.at(-1)?.event?.$case).toBe('completed');
    } finally {
      channel.close();
    }
    expect((await gateway.exited).code).toBe(0);
  });

  it('refuses to start open against a real upstream, naming the settings to change', async () => {
    const gateway = spawnEntry('dist/src/main.js', { ...baseEnv, ARK_API_KEY: 'sk-real-upstream-key-123456' });
    running = gateway;
    const { code } = await gateway.exited;
    expect(code).toBe(1);
    expect(gateway.stderr()).toMatch(/GATEWAY_API_KEYS/);
    expect(gateway.stderr()).toMatch(/GATEWAY_ALLOW_OPEN/);
    expect(gateway.stderr() + gateway.stdout()).not.toContain('sk-real-upstream-key-123456');
  });

  it('reports every configuration problem and exits 1', async () => {
    const gateway = spawnEntry('dist/src/main.js', { ...baseEnv, GRPC_PORT: 'abc', MAX_N: '0' });
    running = gateway;
    expect((await gateway.exited).code).toBe(1);
    expect(gateway.stderr()).toContain('GRPC_PORT');
    expect(gateway.stderr()).toContain('MAX_N');
  });
});
