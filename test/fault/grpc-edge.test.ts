/**
 * Fault suite, gRPC edge (issue 10, items 4–6 and 8): undecodable messages, unreadable or enormous
 * `grpc-timeout` values, a message that never completes, and request messages past the in-flight
 * body budget. Each gets the caller's status, never INTERNAL, and nothing is held forever.
 */
import { Status } from 'nice-grpc';
import { RetryInfo } from 'nice-grpc-error-details';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerateImagesRequest } from '../../gen/seedream/v1/image_service.js';
import { richError, startGrpcApp, testSpec, type TestGrpcApp } from '../helpers/grpc-app.js';
import { completed, image, scriptedUpstream, wait } from '../helpers/scripted-upstream.js';
import { connect as connectHttp2, type ClientHttp2Session } from 'node:http2';
import { grpcFrame, rawGrpcCall } from './raw-grpc.js';
import { openSocket, outcomeOf } from './raw-socket.js';

const GENERATE = '/seedream.v1.ImageService/GenerateImages';
const valid = grpcFrame(GenerateImagesRequest.encode({ spec: testSpec(), requestId: '' }).finish());

// Prompts containing "hold" wait until the call ends; others answer one image after 100 ms.
const upstream = scriptedUpstream(async function* (call, signal) {
  await wait(call.request.prompt.includes('hold') ? 600_000 : 100, signal);
  yield image(0);
  yield completed(1);
});
let gw: TestGrpcApp;

beforeAll(async () => {
  gw = await startGrpcApp({
    upstream,
    env: {
      MAX_CALL_DURATION_MS: '3000',
      GRPC_MESSAGE_TIMEOUT_MS: '1500',
      HTTP_BODY_LIMIT_BYTES: '8192',
      REQUEST_BODY_BUDGET_BYTES: '12000',
      RETRY_MAX_ATTEMPTS: '1',
    },
  });
});
afterAll(() => gw.close());

describe('undecodable input is the caller\'s INVALID_ARGUMENT', () => {
  it('answers INVALID_ARGUMENT naming the message type for bytes that are not protobuf', async () => {
    const outcome = await rawGrpcCall(gw.address, GENERATE, { body: grpcFrame(Buffer.from([0x0f, 0xff, 0xff, 0xff, 0xff, 0xff])) });
    expect(outcome.code).toBe(Status.INVALID_ARGUMENT);
    expect(outcome.message).toMatch(/^the request message is not a valid seedream\.v1\.GenerateImagesRequest: /);
  });

  it('never answers INTERNAL for 300 fuzzed messages', async () => {
    let state = 42;
    const random = () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) >>> 8) & 0xff;
    const codes = new Set<number | undefined>();
    for (let i = 0; i < 300; i += 30) {
      const batch = Array.from({ length: 30 }, () => {
        const bytes = Buffer.from(Array.from({ length: 1 + (random() % 64) }, random));
        return rawGrpcCall(gw.address, GENERATE, { body: grpcFrame(bytes) });
      });
      for (const outcome of await Promise.all(batch)) codes.add(outcome.code);
    }
    expect([...codes]).toEqual([Status.INVALID_ARGUMENT]);
  }, 60_000);

  it('answers INVALID_ARGUMENT for grpc-timeout: abc', async () => {
    const outcome = await rawGrpcCall(gw.address, GENERATE, { headers: { 'grpc-timeout': 'abc' }, body: valid });
    expect(outcome.code).toBe(Status.INVALID_ARGUMENT);
    expect(outcome.message).toContain('grpc-timeout "abc" is not a gRPC timeout');
  });
});

describe('deadlines and incomplete messages are bounded', () => {
  it('serves a call whose deadline is more than 2^31 ms away instead of expiring it at once', async () => {
    const outcome = await rawGrpcCall(gw.address, GENERATE, { headers: { 'grpc-timeout': '99999999H' }, body: valid });
    expect(outcome.code).toBe(Status.OK);
  });

  it('clamps a far deadline to MAX_CALL_DURATION_MS', async () => {
    const held = grpcFrame(GenerateImagesRequest.encode({ spec: testSpec({ prompt: 'hold on' }), requestId: '' }).finish());
    const outcome = await rawGrpcCall(gw.address, GENERATE, { headers: { 'grpc-timeout': '99999999H' }, body: held });
    expect(outcome.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(outcome.ms).toBeGreaterThanOrEqual(2500);
    expect(outcome.ms).toBeLessThan(10_000);
  });

  it('ends a call whose message never completes after GRPC_MESSAGE_TIMEOUT_MS', async () => {
    const partial = Buffer.concat([Buffer.from([0, 0, 0, 0x03, 0xe8]), Buffer.alloc(10)]); // declares 1000 bytes, sends 10
    const outcome = await rawGrpcCall(gw.address, GENERATE, { body: partial, end: false });
    expect(outcome.code).toBe(Status.DEADLINE_EXCEEDED);
    expect(outcome.message).toContain('GRPC_MESSAGE_TIMEOUT_MS');
    expect(outcome.ms).toBeLessThan(10_000);
  });
});

describe('request messages share the in-flight body budget', () => {
  it('refuses a message past REQUEST_BODY_BUDGET_BYTES with a retryable RESOURCE_EXHAUSTED, and takes it once room is free', async () => {
    const big = (prompt: string) => ({ spec: testSpec({ prompt: `${prompt} ${'x'.repeat(6000)}` }) });
    const holding = new AbortController();
    const first = gw.client.generateImages(big('hold'), { metadata: gw.auth(), signal: holding.signal }).catch(() => undefined);
    await expect.poll(() => upstream.calls.some((call) => call.request.prompt.startsWith('hold') && call.endedAt === undefined)).toBe(true);

    const refused = await richError(() => gw.client.generateImages(big('second'), { metadata: gw.auth() }));
    expect(refused.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(refused.details).toContain('REQUEST_BODY_BUDGET_BYTES');
    expect(refused.extra.some((detail) => detail.$type === RetryInfo.$type)).toBe(true);

    holding.abort();
    await first;
    await expect.poll(async () => (await gw.client.generateImages(big('third'), { metadata: gw.auth() }).then(() => 'ok', () => 'refused'))).toBe('ok');
  }, 30_000);
});

describe('connections are capped', () => {
  it('closes connections beyond GRPC_MAX_CONNECTIONS at once, and serves again once they are gone', async () => {
    const capped = await startGrpcApp({ upstream, env: { GRPC_MAX_CONNECTIONS: '2' } });
    try {
      const held: ClientHttp2Session[] = [];
      for (let i = 0; i < 2; i++) {
        const session = connectHttp2(`http://${capped.address}`);
        session.on('error', () => undefined);
        await new Promise((resolve) => session.ping(resolve));
        held.push(session);
      }
      // The test client's own channel has not connected yet (no call made), so these two are all.
      const extra = await openSocket(`http://${capped.address}`);
      expect((await outcomeOf(extra, 5000)).closed).toBe(true);
      for (const session of held) session.destroy();
      await expect
        .poll(() => capped.client.generateImages({ spec: testSpec() }, { metadata: capped.auth() }).then(() => 'ok', () => 'failed'), { timeout: 10_000 })
        .toBe('ok');
    } finally {
      await capped.close();
    }
  }, 30_000);
});

describe('the receive window', () => {
  async function announcedWindows(address: string): Promise<{ stream: number; connection: number; streams: number }> {
    const session = connectHttp2(`http://${address}`);
    session.on('error', () => undefined);
    try {
      await new Promise((resolve) => session.once('remoteSettings', resolve));
      // The connection's window arrives as a WINDOW_UPDATE right after the SETTINGS; a ping orders it.
      await new Promise((resolve) => session.ping(resolve));
      return {
        stream: session.remoteSettings.initialWindowSize ?? 0,
        connection: session.state.remoteWindowSize ?? 0,
        streams: session.remoteSettings.maxConcurrentStreams ?? 0,
      };
    } finally {
      session.destroy();
    }
  }

  it('grants clients a 16 MiB window by default, so uploads are not held to 64 KiB per round trip', async () => {
    expect(await announcedWindows(gw.address)).toEqual({ stream: 16 * 1024 * 1024, connection: 16 * 1024 * 1024, streams: 100 });
  });

  it('grants the window GRPC_RECEIVE_WINDOW_BYTES sets, next to the other settings', async () => {
    const narrow = await startGrpcApp({ upstream, env: { GRPC_RECEIVE_WINDOW_BYTES: '65535', GRPC_MAX_CONCURRENT_STREAMS: '7' } });
    try {
      expect(await announcedWindows(narrow.address)).toEqual({ stream: 65_535, connection: 65_535, streams: 7 });
      const { response } = await narrow.client.generateImages({ spec: testSpec() }, { metadata: narrow.auth() }).then((response) => ({ response }));
      expect(response.images).toHaveLength(1);
    } finally {
      await narrow.close();
    }
  }, 30_000);
});
