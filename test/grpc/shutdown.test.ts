import { ClientError, createChannel, createClient, Status } from 'nice-grpc';
import { HealthCheckResponse_ServingStatus, HealthDefinition } from 'nice-grpc-server-health/lib/proto/grpc/health/v1/health.js';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import { collectStream, startGrpcApp, testSpec } from '../helpers/grpc-app.js';
import { completed, image, scriptedUpstream, wait } from '../helpers/scripted-upstream.js';

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const slowRender = (ms: number) =>
  scriptedUpstream(async function* (_call, signal) {
    await wait(ms, signal);
    yield image(0);
    yield completed(1);
  });

describe('graceful shutdown', () => {
  it('flips health to NOT_SERVING for watchers and checks as soon as shutdown begins', async () => {
    const gw = await startGrpcApp({ upstream: slowRender(0) });
    const channel = createChannel(gw.address);
    try {
      const health = createClient(HealthDefinition, channel);
      expect((await health.check({ service: '' })).status).toBe(HealthCheckResponse_ServingStatus.SERVING);
      const watch = health.watch({ service: 'seedream.v1.ImageService' })[Symbol.asyncIterator]();
      expect((await watch.next()).value).toEqual({ status: HealthCheckResponse_ServingStatus.SERVING });

      const stopped = gw.app.stop();
      expect(gw.app.grpc.health.status('')).toBe('unhealthy');
      expect(gw.app.grpc.health.status('seedream.v1.ImageService')).toBe('unhealthy');
      expect((await watch.next()).value).toEqual({ status: HealthCheckResponse_ServingStatus.NOT_SERVING });
      // The watch is then ended by the server, so it does not hold the drain for the whole grace period.
      expect((await watch.next()).done).toBe(true);
      await stopped;
    } finally {
      channel.close();
      await gw.close();
    }
  });

  it('lets an in-flight stream finish within the grace period, while refusing new connections', async () => {
    const upstream = slowRender(300);
    const gw = await startGrpcApp({ upstream, env: { SHUTDOWN_GRACE_MS: '5000' } });
    try {
      const inFlight = collectStream(gw.client.streamImages({ spec: testSpec() }));
      await until(() => upstream.calls.length === 1);
      const stopStarted = Date.now();
      const stopped = gw.app.stop().then(() => Date.now());

      // A new client cannot start a call any more.
      const late = createChannel(gw.address);
      try {
        const lateClient = createClient(HealthDefinition, late);
        await expect(lateClient.check({ service: '' }, { signal: AbortSignal.timeout(2000) })).rejects.toBeInstanceOf(ClientError);
      } finally {
        late.close();
      }

      const messages = await inFlight;
      expect(messages.map((m) => m.event?.$case)).toEqual(['image', 'completed']);
      const stoppedAt = await stopped;
      expect(stoppedAt - stopStarted).toBeLessThan(2000);
    } finally {
      await gw.close();
    }
  });

  it('ends calls still running when the grace period ends with UNAVAILABLE (SHUTTING_DOWN), aborting their upstream requests', async () => {
    const upstream = slowRender(10_000);
    const gw = await startGrpcApp({ upstream, env: { SHUTDOWN_GRACE_MS: '200' } });
    try {
      const inFlight = collectStream(gw.client.streamImages({ spec: testSpec() })).then(
        () => undefined,
        (error: unknown) => error,
      );
      await until(() => upstream.calls.length === 1);
      const started = Date.now();
      await gw.app.stop();
      expect(Date.now() - started).toBeLessThan(1500);
      const error = await inFlight;
      expect(error).toBeInstanceOf(ClientError);
      expect((error as ClientError).code).toBe(Status.UNAVAILABLE);
      expect((error as ClientError).details).toContain('shut down before the call finished');
      await until(() => upstream.calls[0]?.endedAt !== undefined);
      expect((upstream.calls[0]?.abortReason as GatewayError).reason).toBe('SHUTTING_DOWN');
      expect(gw.logs.some((l) => l.msg === 'in-flight gRPC calls outlived the shutdown grace period; cancelling them')).toBe(true);
    } finally {
      await gw.close();
    }
  });
});
