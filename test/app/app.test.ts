import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp, isOpenMode, StartupError } from '../../src/app.js';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { loadConfig } from '../../src/config.js';
import { completed, image, scriptedUpstream } from '../helpers/scripted-upstream.js';

const key = `ops=${hashApiKey('sk-some-caller-key')}`;
/** Hosted images (on by default) go to a temporary directory, not ./data. */
const DATA_DIR = mkdtempSync(join(tmpdir(), 'seedream-app-test-'));

describe('open mode (DESIGN §4)', () => {
  it.each([
    ['no keys, simulator', {}, true],
    ['keys, simulator', { GATEWAY_API_KEYS: key }, false],
    ['keys, ark', { GATEWAY_API_KEYS: key, ARK_API_KEY: 'sk-ark' }, false],
    ['no keys, ark, allowed open', { ARK_API_KEY: 'sk-ark', GATEWAY_ALLOW_OPEN: 'true' }, true],
    ['no keys, relay, allowed open', { UPSTREAM_KIND: 'openai-compatible', OPENAI_COMPATIBLE_BASE_URL: 'https://relay.example/v1', OPENAI_COMPATIBLE_API_KEY: 'k', GATEWAY_ALLOW_OPEN: '1' }, true],
  ])('%s → open: %s', (_name, env, open) => {
    expect(isOpenMode(loadConfig(env))).toBe(open);
  });

  it.each([
    ['ark', { ARK_API_KEY: 'sk-ark-secret-000000' }],
    ['openai-compatible', { UPSTREAM_KIND: 'openai-compatible', OPENAI_COMPATIBLE_BASE_URL: 'https://relay.example/v1', OPENAI_COMPATIBLE_API_KEY: 'sk-relay-secret-0000' }],
  ])('refuses to start without keys against a real %s upstream', async (_kind, env) => {
    const config = loadConfig(env);
    await expect(createApp(config)).rejects.toBeInstanceOf(StartupError);
    await expect(createApp(config)).rejects.toThrow(/GATEWAY_API_KEYS.*GATEWAY_ALLOW_OPEN/s);
    await expect(createApp(config)).rejects.not.toThrow(/secret/);
  });
});

describe('createApp', () => {
  it('starts every server on port 0, reports the addresses, and stops idempotently', async () => {
    const upstream = scriptedUpstream(async function* () {
      yield image(0);
      yield completed(1);
    });
    let closed = 0;
    const app = await createApp(loadConfig({ DATA_DIR, HOST: '127.0.0.1', GRPC_PORT: '0', HTTP_PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_DRAIN_WINDOW_MS: '0' }), {
      upstream: { ...upstream, close: async () => void (closed += 1) },
    });
    expect(app.simulator).toBeUndefined();
    const addresses = await app.start();
    expect(addresses.grpc).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(Number(addresses.grpc?.split(':')[1])).toBeGreaterThan(0);
    expect(app.lifecycle.serving).toBe(true);
    await Promise.all([app.stop(), app.stop()]);
    await app.stop();
    expect(app.lifecycle.serving).toBe(false);
    expect(closed).toBe(1);
  });

  it('starts the embedded simulator on loopback when no upstream key is configured, and closes it', async () => {
    const app = await createApp(loadConfig({ DATA_DIR, HOST: '127.0.0.1', GRPC_PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_DRAIN_WINDOW_MS: '0', SIMULATOR_PORT: '1' }));
    try {
      expect(app.simulator?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(app.upstream.provider).toBe('simulator');
    } finally {
      await app.stop();
    }
    await expect(fetch(`${app.simulator?.url}/images/x.jpeg`)).rejects.toThrow();
  });

  it('fails clearly without the reflection descriptor set, and closes the simulator it started', async () => {
    const config = loadConfig({ DATA_DIR, HOST: '127.0.0.1', GRPC_PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_DRAIN_WINDOW_MS: '0' });
    await expect(createApp(config, { descriptorSetPath: '/nonexistent/seedream.binpb' })).rejects.toThrow(/npm run build/);
  });
});

describe('shutdown of the HTTP side', () => {
  it('marks /readyz not ready, lets a REST stream run for the grace period, then cuts it and cancels its upstream call', async () => {
    const { wait } = await import('../helpers/scripted-upstream.js');
    const upstream = scriptedUpstream(async function* (_call, signal) {
      await wait(10_000, signal);
      yield image(0);
      yield completed(1);
    });
    const app = await createApp(
      loadConfig({ DATA_DIR, HOST: '127.0.0.1', GRPC_PORT: '0', HTTP_PORT: '0', LOG_LEVEL: 'silent', SHUTDOWN_DRAIN_WINDOW_MS: '0', SHUTDOWN_GRACE_MS: '300', HEARTBEAT_INTERVAL_MS: '50' }),
      { upstream },
    );
    const { http } = await app.start();
    const base = `http://127.0.0.1:${(http ?? '').split(':').pop()}`;
    const stream = await fetch(`${base}/v1/images/generations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'doubao-seedream-4-5', prompt: 'slow', stream: true }),
    });
    expect(stream.status).toBe(200); // the first heartbeat opened the stream
    const reader = stream.body!.getReader();
    await reader.read();
    const started = Date.now();
    const stopping = app.stop();
    expect(app.lifecycle.serving).toBe(false);
    await stopping;
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(Date.now() - started).toBeLessThan(3000);
    // Past the grace the call ends with SHUTTING_DOWN: an SSE error event, not a bare reset.
    await expect.poll(() => upstream.calls[0]?.abortReason, { timeout: 2000 }).toMatchObject({ reason: 'SHUTTING_DOWN' });
    let rest = '';
    for (let chunk = await reader.read(); chunk.done !== true; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(rest).toContain('event: error');
    expect(rest).toContain('"code":"shutting_down"');
  });
});
