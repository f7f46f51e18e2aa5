/**
 * Issue 10, item 10, against the simulator: a set whose first upstream event is an internal error on
 * image 0 (and no image after it) delivered nothing to anyone, so the gateway retries it — on both
 * edges — instead of failing after one attempt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectStream, startGrpcApp, testSpec, type TestGrpcApp } from '../helpers/grpc-app.js';
import { sdkClient, seedream } from '../rest/helpers/sdk.js';

let gw: TestGrpcApp;
beforeAll(async () => {
  gw = await startGrpcApp({ env: { RETRY_BASE_DELAY_MS: '10', RETRY_MAX_DELAY_MS: '20' } });
});
afterAll(() => gw.close());

describe('an internal error on image 0 before anything was delivered', () => {
  it('is retried on the gRPC stream, which then delivers the image', async () => {
    gw.app.simulator?.faults.enqueue({ kind: 'internal-error', imageIndex: 0, count: 1 });
    const messages = await collectStream(gw.client.streamImages({ spec: testSpec() }));
    expect(messages.map((m) => m.event?.$case)).toEqual(['image', 'completed']);
    expect(gw.app.simulator?.faults.pending()).toEqual([]);
  });

  it('is retried on REST, which then delivers the image', async () => {
    gw.app.simulator?.faults.enqueue({ kind: 'internal-error', imageIndex: 0, count: 1 });
    const result = await sdkClient(gw.httpUrl).images.generate(seedream({ model: 'doubao-seedream-4-5', prompt: 'a lighthouse' }));
    expect(result.data).toHaveLength(1);
  });

  it('fails as UPSTREAM_UNAVAILABLE once every attempt failed the same way', async () => {
    gw.app.simulator?.faults.enqueue({ kind: 'internal-error', imageIndex: 0, count: 3 });
    await expect(gw.client.generateImages({ spec: testSpec() })).rejects.toMatchObject({ details: 'the upstream failed to generate any image' });
    expect(gw.app.simulator?.faults.pending()).toEqual([]);
  });
});
