import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config.js';
import { createUpstream } from '../../src/upstream/create-upstream.js';
import { collectOk } from './helpers/collect.js';
import { jsonAnswer, startFakeArkServer, type FakeArkServer } from './helpers/fake-ark-server.js';
import { callOptions, simpleRequest } from './helpers/requests.js';

const http: Config['upstreamHttp'] = {
  timeoutMs: 10_000,
  connectTimeoutMs: 2000,
  maxConnections: 2,
  deadlineMarginMs: 100,
  preferStreaming: true,
  maxResponseBytes: 1024 * 1024,
  maxSseFrameBytes: 1024 * 1024,
};
let server: FakeArkServer;
const ok = () => jsonAnswer(200, { model: 'm', created: 1, data: [{ url: 'https://i/1' }], usage: { generated_images: 1, output_tokens: 1 } });

beforeAll(async () => {
  server = await startFakeArkServer();
});
afterAll(async () => {
  await server.close();
});

describe('createUpstream', () => {
  it('simulator: the Ark client at ${simUrl}/api/v3, provider simulator', async () => {
    const upstream = createUpstream({ kind: 'simulator', region: 'international' }, http, { simulatorUrl: `${server.origin}/` });
    expect(upstream.provider).toBe('simulator');
    server.enqueue(ok());
    await collectOk(upstream.generate(simpleRequest('seedream_4_5'), callOptions()));
    expect(server.requests.at(-1)?.path).toBe('/api/v3/images/generations');
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer simulator');
    await upstream.close();
  });

  it('simulator without its URL is a wiring error', () => {
    expect(() => createUpstream({ kind: 'simulator', region: 'cn' }, http)).toThrow(/simulatorUrl/);
  });

  it.each([
    ['cn', 'volcengine'],
    ['international', 'byteplus'],
  ] as const)('ark in region %s → provider %s, endpoint ids applied', async (region, provider) => {
    const upstream = createUpstream(
      { kind: 'ark', baseUrl: `${server.origin}/api/v3`, apiKey: 'k', region, endpointIds: { seedream_4_5: 'ep-1' } },
      http,
    );
    expect(upstream.provider).toBe(provider);
    expect(upstream.server).toEqual({ address: '127.0.0.1', port: server.port });
    server.enqueue(ok());
    await collectOk(upstream.generate(simpleRequest('seedream_4_5'), callOptions()));
    expect((server.requests.at(-1)?.json as { model: string }).model).toBe('ep-1');
    await upstream.close();
  });

  it('openai-compatible → the relay client at ${baseUrl}/images/generations', async () => {
    const upstream = createUpstream({ kind: 'openai-compatible', baseUrl: `${server.origin}/v1`, apiKey: 'k', region: 'cn' }, http);
    expect(upstream.provider).toBe('openai_compatible');
    server.enqueue(ok());
    await collectOk(upstream.generate(simpleRequest('seedream_4_5'), callOptions()));
    expect(server.requests.at(-1)?.path).toBe('/v1/images/generations');
    await upstream.close();
  });

  it('reports port 443 for an https base URL without a port', async () => {
    const upstream = createUpstream(
      { kind: 'ark', baseUrl: 'https://ark.cn-beijing.volces.com/api/v3', apiKey: 'k', region: 'cn', endpointIds: {} },
      http,
    );
    expect(upstream.server).toEqual({ address: 'ark.cn-beijing.volces.com', port: 443 });
    await upstream.close();
  });
});
