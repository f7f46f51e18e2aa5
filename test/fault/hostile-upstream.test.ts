/**
 * Fault suite, upstream side (issue 10, items 1–3 and 10): answers a broken or hostile upstream could
 * send — huge, deeply nested, not JSON, repeating an image index, dripping, endless. Each costs its
 * call the documented status on both edges (gRPC and REST through the OpenAI SDK), and the process
 * keeps answering health with bounded RSS meanwhile.
 */
import { Status } from 'nice-grpc';
import { ErrorInfo } from 'nice-grpc-error-details';
import { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArkUpstream } from '../../src/upstream/ark/ark-upstream.js';
import { richError, startGrpcApp, testSpec, type TestGrpcApp } from '../helpers/grpc-app.js';
import { sdkClient, seedream } from '../rest/helpers/sdk.js';
import { sseAnswer, sseFrame, startFakeArkServer, type FakeArkServer, type ScriptedAnswer } from '../upstream/helpers/fake-ark-server.js';
import { HEALTH_BOUND_MS, RSS_GROWTH_BOUND_BYTES, watchProcess } from './process-watch.js';

const MB = 1024 * 1024;
let fake: FakeArkServer;
let gw: TestGrpcApp;

beforeAll(async () => {
  fake = await startFakeArkServer();
  const upstream = createArkUpstream({ baseUrl: `${fake.origin}/api/v3`, apiKey: 'sk-fake-upstream', region: 'cn', connectTimeoutMs: 2000, maxConnections: 32 });
  // Every call ends within 8 s: the REST default deadline (MAX_CALL_DURATION_MS) bounds a dripping upstream.
  gw = await startGrpcApp({ upstream, env: { RETRY_MAX_ATTEMPTS: '1', MAX_CALL_DURATION_MS: '8000', DEADLINE_MARGIN_MS: '100' } });
}, 30_000);
afterAll(async () => {
  await gw?.close();
  await fake?.close();
});

const json = (body: string | Buffer, type = 'application/json'): ScriptedAnswer => ({ status: 200, headers: { 'content-type': type }, body: [body] });
const frame = (index: number) =>
  sseFrame({ type: 'image_generation.partial_succeeded', model: 'doubao-seedream-4-5-251128', created: 1, image_index: index, url: `https://img.test/${index}.jpeg`, size: '2048x2048' });
const completedFrame = sseFrame({ type: 'image_generation.completed', model: 'doubao-seedream-4-5-251128', created: 1, usage: { generated_images: 2, output_tokens: 1, total_tokens: 1 } });

interface Expected {
  readonly grpc: Status;
  readonly reason: string;
  readonly rest: number;
  readonly code: string;
}
const badResponse: Expected = { grpc: Status.INTERNAL, reason: 'UPSTREAM_BAD_RESPONSE', rest: 500, code: 'upstream_bad_response' };
const deadline: Expected = { grpc: Status.DEADLINE_EXCEEDED, reason: 'DEADLINE_EXCEEDED', rest: 504, code: 'deadline_exceeded' };

async function restFailure(): Promise<APIError> {
  try {
    await sdkClient(gw.httpUrl).images.generate(seedream({ model: 'doubao-seedream-4-5', prompt: 'a lighthouse' }));
  } catch (error) {
    if (error instanceof APIError) return error;
    throw error;
  }
  throw new Error('expected the REST call to fail');
}

describe('a hostile upstream answer costs its call, never the process', () => {
  it.each<[string, () => ScriptedAnswer, Expected]>([
    ['24 MB of `{` as application/json', () => json(Buffer.alloc(24 * MB, '{')), badResponse],
    ['an SSE frame of `data: ` and 24 MB of `{`', () => sseAnswer([`data: ${'{'.repeat(24 * MB)}\n\n`]), badResponse],
    ['24 MB of valid, deeply nested arrays', () => json(`{"data":${'['.repeat(12 * MB)}${']'.repeat(12 * MB)}}`), badResponse],
    ['60 MB of HTML', () => json(Buffer.alloc(60 * MB, 'x'), 'text/html'), badResponse],
    ['60 MB of non-JSON labelled application/json', () => json(Buffer.alloc(60 * MB, 'x')), badResponse],
    ['an endless SSE line (no newline, past the frame bound)', () => sseAnswer([...Array.from({ length: 50 }, () => Buffer.alloc(MB, 'a')), { hang: true }]), badResponse],
    ['image_index 0 twice', () => sseAnswer([frame(0), frame(0), completedFrame, 'data: [DONE]\n\n']), badResponse],
    ['a body that drips one byte every 300 ms', () => sseAnswer(Array.from({ length: 200 }, (_, i) => [': ', { delayMs: 300 }][i % 2] as string | { delayMs: number })), deadline],
  ])('%s', async (_label, answer, expected) => {
    fake.enqueue(answer());
    const watch = watchProcess(gw.httpUrl);
    const [grpcError, restError] = await Promise.all([richError(() => gw.client.generateImages({ spec: testSpec() }, { metadata: gw.auth() })), restFailure()]);
    const process = await watch.stop();
    expect(grpcError.code).toBe(expected.grpc);
    expect(grpcError.extra.find((d): d is ErrorInfo => d.$type === ErrorInfo.$type)?.reason).toBe(expected.reason);
    expect(restError.status).toBe(expected.rest);
    expect(restError.code).toBe(expected.code);
    expect(process.probes).toBeGreaterThan(0);
    expect(process.slowestHealthMs).toBeLessThan(HEALTH_BOUND_MS);
    expect(process.peakRssBytes - process.baselineRssBytes).toBeLessThan(RSS_GROWTH_BOUND_BYTES);
  }, 60_000);

  it('keeps health answering while four 60 MB JSON answers are parsed at once', async () => {
    // A gateway with the default call duration: on a loaded machine the four may take longer than 8 s.
    const roomy = await startGrpcApp({
      upstream: createArkUpstream({ baseUrl: `${fake.origin}/api/v3`, apiKey: 'sk-fake-upstream', region: 'cn', connectTimeoutMs: 2000, maxConnections: 8 }),
      env: { RETRY_MAX_ATTEMPTS: '1' },
    });
    fake.enqueue(json(`{"n":${'1'.repeat(60 * MB)}}`));
    const watch = watchProcess(roomy.httpUrl);
    const errors = await Promise.all(Array.from({ length: 4 }, () => richError(() => roomy.client.generateImages({ spec: testSpec() }, { metadata: roomy.auth() }))));
    const process = await watch.stop();
    await roomy.close();
    expect(errors.map((error) => error.code)).toEqual(Array(4).fill(Status.INTERNAL));
    expect(process.slowestHealthMs).toBeLessThan(HEALTH_BOUND_MS);
    expect(process.peakRssBytes - process.baselineRssBytes).toBeLessThan(RSS_GROWTH_BOUND_BYTES);
  }, 60_000);

  it('delivers a repeated image once on the streaming paths too, then ends with the error', async () => {
    fake.enqueue(sseAnswer([frame(0), frame(0), completedFrame, 'data: [DONE]\n\n']));
    const messages: unknown[] = [];
    const grpcError = await richError(async () => {
      for await (const message of gw.client.streamImages({ spec: testSpec() }, { metadata: gw.auth() })) messages.push(message);
    });
    expect(grpcError.code).toBe(Status.INTERNAL);
    expect(messages).toHaveLength(1);

    const events: string[] = [];
    const stream = await sdkClient(gw.httpUrl).images.generate({ model: 'doubao-seedream-4-5', prompt: 'a lighthouse', stream: true });
    const restError = await (async () => {
      try {
        for await (const event of stream) events.push(event.type);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(events).toEqual(['image_generation.partial_succeeded']);
    expect(restError).toBeInstanceOf(APIError);
  }, 30_000);
});
