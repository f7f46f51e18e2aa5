import { Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors.js';
import { rawStreamImages, startGrpcApp, testSpec, type TestGrpcApp } from '../helpers/grpc-app.js';
import { completed, image, scriptedUpstream, wait, type ScriptedUpstream } from '../helpers/scripted-upstream.js';

/** Resolves once `condition` holds, polling (the server side runs on the same event loop). */
async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('deadlines and cancellation reach the upstream request', () => {
  let gw: TestGrpcApp;
  let upstream: ScriptedUpstream;
  beforeAll(async () => {
    // A slow render: 2 s before the image, unless aborted first (long enough that the timing bounds
    // below prove an abort even on a busy CI machine).
    upstream = scriptedUpstream(async function* (_call, signal) {
      await wait(2000, signal);
      yield image(0);
      yield completed(1);
    });
    gw = await startGrpcApp({ upstream, env: { DEADLINE_MARGIN_MS: '50', RETRY_MAX_ATTEMPTS: '1' } });
  });
  afterAll(() => gw.close());

  it('answers DEADLINE_EXCEEDED when the deadline passes, and aborts the upstream request', async () => {
    const before = upstream.calls.length;
    const started = Date.now();
    const outcome = await rawStreamImages(gw.address, { spec: testSpec(), requestId: '' }, { deadline: started + 200 });
    expect(outcome.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(outcome.messages).toHaveLength(0);
    const call = upstream.calls[before];
    // The core got the deadline: the attempt was bounded by it (minus the margin), not by the 10-minute cap.
    expect(call?.options.timeoutMs).toBeLessThanOrEqual(200);
    await until(() => call?.endedAt !== undefined);
    expect(call?.abortReason).toBeInstanceOf(GatewayError);
    expect((call?.abortReason as GatewayError).reason).toBe('DEADLINE_EXCEEDED');
    // Well before the 2 s render: the deadline, not the upstream, ended it.
    expect((call?.endedAt ?? Infinity) - started).toBeLessThan(1500);
    await until(() => gw.app.generator.active === 0);
  });

  it('aborts the upstream request at once when the client cancels', async () => {
    const before = upstream.calls.length;
    const controller = new AbortController();
    const iterator = gw.client.streamImages({ spec: testSpec() }, { signal: controller.signal })[Symbol.asyncIterator]();
    const first = iterator.next();
    await until(() => upstream.calls.length > before);
    const cancelledAt = Date.now();
    controller.abort();
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    const call = upstream.calls[before];
    await until(() => call?.endedAt !== undefined);
    expect((call?.abortReason as GatewayError).reason).toBe('CANCELLED');
    // At once, long before the 2 s render would have ended.
    expect((call?.endedAt ?? Infinity) - cancelledAt).toBeLessThan(1000);
    await until(() => gw.app.generator.active === 0);
  });

  it('ignores a deadline a client forges in the reserved metadata entry', async () => {
    const outcome = await rawStreamImages(gw.address, { spec: testSpec(), requestId: '' }, {
      metadata: { 'x-seedream-gateway-deadline-ms': String(Date.now() + 50) },
    });
    expect(outcome.code).toBe(Status.OK);
    expect(outcome.messages.at(-1)?.event?.$case).toBe('completed');
  });

  it('completes normally when the deadline leaves enough time', async () => {
    const outcome = await rawStreamImages(gw.address, { spec: testSpec(), requestId: '' }, { deadline: Date.now() + 5000 });
    expect(outcome.code).toBe(Status.OK);
    expect(outcome.messages.map((m) => m.event?.$case)).toEqual(['image', 'completed']);
  });
});
