import { Metadata, Status } from 'nice-grpc';
import { ErrorInfo } from 'nice-grpc-error-details';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannel, createClient } from 'nice-grpc';
import { HealthDefinition, HealthCheckResponse_ServingStatus } from 'nice-grpc-server-health/lib/proto/grpc/health/v1/health.js';
import { collectStream, richError, startGrpcApp, testSpec, TEST_KEY, type TestGrpcApp } from '../helpers/grpc-app.js';
import { completed, image, scriptedUpstream } from '../helpers/scripted-upstream.js';

describe('gRPC caller authentication', () => {
  let gw: TestGrpcApp;
  const upstream = scriptedUpstream(async function* () {
    yield image(0);
    yield completed(1);
  });
  beforeAll(async () => {
    gw = await startGrpcApp({ upstream, withKey: true });
  });
  afterAll(() => gw.close());

  it('accepts a configured key on every ImageService method', async () => {
    const metadata = gw.auth();
    expect((await gw.client.listModels({}, { metadata })).models.length).toBeGreaterThan(0);
    expect((await gw.client.generateImages({ spec: testSpec() }, { metadata })).images).toHaveLength(1);
    const events = await collectStream(gw.client.streamImages({ spec: testSpec() }, { metadata }));
    expect(events.at(-1)?.event?.$case).toBe('completed');
  });

  it.each([
    ['no authorization metadata', undefined],
    ['a wrong key', 'Bearer sk-not-a-configured-key'],
    ['the right key without the Bearer scheme', TEST_KEY],
    ['another scheme', `Basic ${TEST_KEY}`],
    ['two keys at once', `Bearer ${TEST_KEY}, Bearer ${TEST_KEY}`],
  ])('refuses %s with UNAUTHENTICATED that does not say which part failed', async (_name, header) => {
    const calls = upstream.calls.length;
    const metadata = header === undefined ? Metadata() : Metadata({ authorization: header });
    const error = await richError(() => gw.client.generateImages({ spec: testSpec() }, { metadata }));
    expect(error.code).toBe(Status.UNAUTHENTICATED);
    expect(error.details).toBe('missing or invalid API key');
    expect(error.extra.find((d): d is ErrorInfo => d.$type === ErrorInfo.$type)?.reason).toBe('UNAUTHENTICATED');
    expect(upstream.calls.length).toBe(calls);
  });

  it('refuses ListModels and StreamImages without a key too', async () => {
    expect((await richError(() => gw.client.listModels({}))).code).toBe(Status.UNAUTHENTICATED);
    expect((await richError(() => collectStream(gw.client.streamImages({ spec: testSpec() })))).code).toBe(Status.UNAUTHENTICATED);
  });

  it('serves health checks without a key', async () => {
    const channel = createChannel(gw.address);
    try {
      const health = createClient(HealthDefinition, channel);
      expect((await health.check({ service: '' })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      expect((await health.check({ service: 'seedream.v1.ImageService' })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
    } finally {
      channel.close();
    }
  });
});

describe('open mode', () => {
  it('accepts callers without a key when no keys are configured on the simulator', async () => {
    const gw = await startGrpcApp();
    try {
      expect((await gw.client.listModels({})).models.length).toBeGreaterThan(0);
      expect(gw.logs.some((l) => typeof l.msg === 'string' && l.msg.startsWith('OPEN MODE'))).toBe(true);
      expect(gw.logs.some((l) => typeof l.msg === 'string' && l.msg.startsWith('IMAGES ARE SIMULATED'))).toBe(true);
    } finally {
      await gw.close();
    }
  });
});
