/**
 * Fault suite, REST bodies and shutdown (issue 10, items 4 and 9): bodies held at once stay within the
 * in-flight budget (413 envelope, retryable), and a draining instance answers — /readyz 503, new calls
 * SHUTTING_DOWN on both edges, calls cut by the grace period an envelope instead of a reset.
 */
import { Status } from 'nice-grpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { richError, startGrpcApp, testSpec, type TestGrpcApp } from '../helpers/grpc-app.js';
import { completed, image, scriptedUpstream, wait } from '../helpers/scripted-upstream.js';
import { openSocket, outcomeOf, parseRawAnswer } from './raw-socket.js';

const hanging = () =>
  scriptedUpstream(async function* (call, signal) {
    await wait(call.request.prompt.includes('hold') ? 600_000 : 50, signal);
    yield image(0);
    yield completed(1);
  });

const post = (origin: string, body: unknown) =>
  fetch(`${origin}/v1/images/generations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the in-flight body budget on REST', () => {
  let gw: TestGrpcApp;
  beforeAll(async () => {
    gw = await startGrpcApp({ upstream: hanging(), env: { HTTP_BODY_LIMIT_BYTES: '8192', REQUEST_BODY_BUDGET_BYTES: '10000' } });
  });
  afterAll(() => gw.close());

  it('refuses a body that would take the bodies held past REQUEST_BODY_BUDGET_BYTES with a retryable 413, and takes it once room is free', async () => {
    // A body still arriving holds its declared length from the moment its headers are read.
    const slow = await openSocket(gw.httpUrl);
    const slowAnswer = outcomeOf(slow, 20_000);
    slow.write('POST /v1/images/generations HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: 6000\r\n\r\n{"model":');
    await new Promise((resolve) => setTimeout(resolve, 200));

    const body = { model: 'doubao-seedream-4-5', prompt: `a lighthouse ${'x'.repeat(5000)}` };
    const refused = await post(gw.httpUrl, body);
    expect(refused.status).toBe(413);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(await refused.json()).toEqual({
      error: { message: expect.stringContaining('REQUEST_BODY_BUDGET_BYTES'), type: 'invalid_request_error', param: null, code: 'payload_too_large' },
    });

    slow.destroy();
    await slowAnswer;
    await expect.poll(async () => (await post(gw.httpUrl, { ...body, prompt: 'a lighthouse' })).status).toBe(200);
  }, 30_000);

  it('counts a chunked body as it arrives and refuses it past the budget', async () => {
    const slow = await openSocket(gw.httpUrl);
    const slowAnswer = outcomeOf(slow, 20_000);
    slow.write('POST /v1/images/generations HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: 6000\r\n\r\n{');
    await new Promise((resolve) => setTimeout(resolve, 200));
    // 5 × 1000 bytes: under the 8192-byte body limit, over what the 10000-byte budget has left.
    const socket = await openSocket(gw.httpUrl);
    const answer = outcomeOf(socket, 15_000);
    socket.write('POST /v1/images/generations HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let i = 0; i < 5 && socket.writable; i++) socket.write(`3e8\r\n${' '.repeat(1000)}\r\n`);
    const result = await answer;
    expect(parseRawAnswer(result.text)).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large', message: expect.stringContaining('REQUEST_BODY_BUDGET_BYTES') } } });
    slow.destroy();
    await slowAnswer;
  });

  it('still refuses a single body over HTTP_BODY_LIMIT_BYTES as before', async () => {
    const res = await post(gw.httpUrl, { model: 'doubao-seedream-4-5', prompt: 'x'.repeat(9000) });
    expect(res.status).toBe(413);
  });
});

describe('the drain window and the end of the grace period', () => {
  let gw: TestGrpcApp;
  beforeAll(async () => {
    gw = await startGrpcApp({ upstream: hanging(), env: { SHUTDOWN_DRAIN_WINDOW_MS: '1500', SHUTDOWN_GRACE_MS: '500' } });
  });
  afterAll(() => gw.close());

  it('answers /readyz 503 and new calls SHUTTING_DOWN while draining, then ends an unstarted stream with a 503 envelope', async () => {
    // A stream whose first event never comes (no heartbeats): nothing was written when shutdown cuts it.
    const unstarted = post(gw.httpUrl, { model: 'doubao-seedream-4-5', prompt: 'hold', stream: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopping = gw.app.stop();

    const ready = await fetch(`${gw.httpUrl}/readyz`);
    expect(ready.status).toBe(503);
    expect((await fetch(`${gw.httpUrl}/healthz`)).status).toBe(200);
    const refused = await post(gw.httpUrl, { model: 'doubao-seedream-4-5', prompt: 'a lighthouse' });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: 'shutting_down', type: 'server_error' } });
    const grpcRefused = await richError(() => gw.client.generateImages({ spec: testSpec() }, { metadata: gw.auth() }));
    expect(grpcRefused.code).toBe(Status.UNAVAILABLE);

    const cut = await unstarted;
    expect(cut.status).toBe(503);
    expect(await cut.json()).toMatchObject({ error: { code: 'shutting_down' } });
    await stopping;
  }, 30_000);
});
