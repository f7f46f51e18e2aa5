/**
 * The overhead signal (README "Overhead signal"): every images call tells its caller the gateway's own
 * time — total minus the upstream wait; for streams, up to the first output — in a REST header
 * (`x-gateway-overhead-ms`, `server-timing`) or gRPC trailers, and records it on a histogram per path.
 * The simulator holds every answer for a fixed render time, so the upstream wait is known to be large.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createChannel, createClient, Metadata, type Channel } from 'nice-grpc';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResponseFormat } from '../../gen/seedream/v1/generation_spec.js';
import { ImageServiceDefinition, type ImageServiceClient } from '../../gen/seedream/v1/image_service.js';
import { createApp, type App } from '../../src/app.js';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { loadConfig } from '../../src/config.js';
import { CallOverhead } from '../../src/telemetry/call-overhead.js';
import { createArkUpstream } from '../../src/upstream/ark/ark-upstream.js';
import { startSimulator, type TestSimulator } from '../helpers/simulator.js';
import { startTestTelemetry } from '../helpers/telemetry.js';

const telemetry = startTestTelemetry();
const CALLER_KEY = 'sk-caller-overhead-4711';
/** The simulator's render time: the upstream wait of every call is at least this. */
const RENDER_MS = 400;

let sim: TestSimulator;
let app: App;
let openai: OpenAI;
let channel: Channel;
let grpc: ImageServiceClient;

beforeAll(async () => {
  sim = await startSimulator({ latencyMs: RENDER_MS });
  const config = loadConfig({
    DATA_DIR: mkdtempSync(join(tmpdir(), 'seedream-overhead-')),
    HOST: '127.0.0.1',
    GRPC_PORT: '0',
    HTTP_PORT: '0',
    GATEWAY_API_KEYS: `web=${hashApiKey(CALLER_KEY)}`,
    HEARTBEAT_INTERVAL_MS: '0',
    SHUTDOWN_DRAIN_WINDOW_MS: '0',
  });
  const upstream = createArkUpstream({ baseUrl: sim.arkBaseUrl, apiKey: sim.apiKey, region: 'cn', connectTimeoutMs: 2000, maxConnections: 8 });
  app = await createApp(config, { upstream, logDestination: new Writable({ write: (_chunk, _enc, done) => done() }) });
  const addresses = await app.start();
  openai = new OpenAI({ apiKey: CALLER_KEY, baseURL: `http://127.0.0.1:${(addresses.http ?? '').split(':').pop()}/v1`, maxRetries: 0 });
  channel = createChannel(`127.0.0.1:${(addresses.grpc ?? '').split(':').pop()}`);
  grpc = createClient(ImageServiceDefinition, channel);
});
afterAll(async () => {
  channel.close();
  await app.stop();
  await sim.close();
});

const request = { model: 'doubao-seedream-4-5', prompt: 'a lighthouse at dusk', response_format: 'b64_json' as const };
const grpcSpec = { prompt: 'a lighthouse at dusk', referenceImages: [], responseFormat: ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES, n: 0, user: '', model: { $case: 'seedream45' as const, value: { modelId: '', size: undefined, imageSet: undefined } } };
const auth = () => Metadata({ authorization: `Bearer ${CALLER_KEY}` });

/** A figure in ms as the gateway writes it: a non-negative decimal with three places. */
function ms(text: string | null | undefined): number {
  expect(text).toMatch(/^\d+\.\d{3}$/);
  return Number(text);
}

/** The overhead excludes the render: well below the call's elapsed time, which includes it. */
function expectGatewayTimeApart(gatewayMs: number, upstreamMs: number, elapsedMs: number): void {
  expect(upstreamMs).toBeGreaterThanOrEqual(RENDER_MS * 0.9);
  expect(gatewayMs + upstreamMs).toBeLessThanOrEqual(elapsedMs + 1);
  expect(gatewayMs).toBeLessThan(elapsedMs - RENDER_MS * 0.9);
}

describe('REST: x-gateway-overhead-ms and server-timing', () => {
  it('a JSON call carries the gateway time apart from the upstream wait', async () => {
    const started = performance.now();
    const { response } = await openai.images.generate(request).withResponse();
    const elapsed = performance.now() - started;
    const gateway = ms(response.headers.get('x-gateway-overhead-ms'));
    const timing = /^gateway;dur=(\d+\.\d{3}), upstream;dur=(\d+\.\d{3})$/.exec(response.headers.get('server-timing') ?? '');
    expect(timing?.[1]).toBe(response.headers.get('x-gateway-overhead-ms'));
    expectGatewayTimeApart(gateway, Number(timing?.[2]), elapsed);
  });

  it('a stream carries the figure up to its first event in its headers', async () => {
    const started = performance.now();
    const { data: stream, response } = await openai.images.generate({ ...request, stream: true }).withResponse();
    const headersAt = performance.now() - started;
    for await (const _ of stream) void _;
    const timing = /upstream;dur=(\d+\.\d{3})/.exec(response.headers.get('server-timing') ?? '');
    expectGatewayTimeApart(ms(response.headers.get('x-gateway-overhead-ms')), Number(timing?.[1]), headersAt);
  });

  it('an error answer carries it too', async () => {
    const error = await openai.images.generate({ ...request, size: '256x256' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    ms((error as InstanceType<typeof OpenAI.BadRequestError>).headers?.get('x-gateway-overhead-ms'));
  });
});

describe('gRPC: trailing metadata', () => {
  it('GenerateImages trails the gateway time and the upstream wait', async () => {
    let trailer: Metadata | undefined;
    const started = performance.now();
    await grpc.generateImages({ spec: grpcSpec }, { metadata: auth(), onTrailer: (t) => (trailer = t) });
    const elapsed = performance.now() - started;
    expectGatewayTimeApart(ms(trailer?.get('x-gateway-overhead-ms')), ms(trailer?.get('x-upstream-wait-ms')), elapsed);
  });

  it('a refused call trails it too', async () => {
    let trailer: Metadata | undefined;
    const error = await grpc.generateImages({ spec: { ...grpcSpec, prompt: '' } }, { metadata: auth(), onTrailer: (t) => (trailer = t) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(ms(trailer?.get('x-upstream-wait-ms'))).toBe(0);
    ms(trailer?.get('x-gateway-overhead-ms'));
  });

  it('StreamImages trails the figure up to its first message', async () => {
    let trailer: Metadata | undefined;
    const started = performance.now();
    let firstAt: number | undefined;
    for await (const _ of grpc.streamImages({ spec: grpcSpec }, { metadata: auth(), onTrailer: (t) => (trailer = t) })) {
      void _;
      firstAt ??= performance.now() - started;
    }
    expectGatewayTimeApart(ms(trailer?.get('x-gateway-overhead-ms')), ms(trailer?.get('x-upstream-wait-ms')), firstAt ?? Infinity);
  });
});

describe('the seedream.gateway.overhead.duration histogram', () => {
  it('has a point per path the calls above went through, in seconds', async () => {
    const points = await telemetry.points('seedream.gateway.overhead.duration');
    const paths = points.map((p) => String(p.attributes['seedream.gateway.path'])).sort();
    expect(paths).toEqual(['grpc-stream', 'grpc-unary', 'rest-json', 'rest-sse']);
    for (const point of points) {
      const value = point.value as { count: number; sum: number };
      expect(value.count).toBeGreaterThanOrEqual(1);
      expect(value.sum / value.count).toBeLessThan(RENDER_MS / 1000); // seconds, and without the render
    }
  });
});

describe('CallOverhead', () => {
  it('counts overlapping upstream waits once and keeps a frozen figure', () => {
    let t = 0;
    const clock = new CallOverhead(0, () => t);
    t = 2;
    clock.beginWait(); // request 1
    t = 5;
    clock.beginWait(); // request 2 overlaps
    t = 10;
    clock.endWait();
    t = 12;
    clock.endWait(); // waited 2 → 12
    t = 13;
    expect([clock.gatewayMs, clock.upstreamMs]).toEqual([3, 10]);
    clock.freeze();
    t = 50;
    expect([clock.gatewayMs, clock.upstreamMs]).toEqual([3, 10]);
  });

  it('counts a wait still running up to now, and ignores an end without a begin', () => {
    let t = 0;
    const clock = new CallOverhead(0, () => t);
    clock.endWait();
    t = 4;
    clock.beginWait();
    t = 9;
    expect([clock.gatewayMs, clock.upstreamMs]).toEqual([4, 5]);
  });
});
