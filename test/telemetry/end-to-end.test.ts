/**
 * Whole traces through the real app: REST and gRPC edges → core → upstream attempts → simulator, with
 * in-memory exporters (DESIGN §6, issue: OpenTelemetry end to end).
 */
import { SpanKind, TraceFlags } from '@opentelemetry/api';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createChannel, createClient, Metadata, type Channel } from 'nice-grpc';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ImageServiceDefinition, type ImageServiceClient } from '../../gen/seedream/v1/image_service.js';
import { ResponseFormat } from '../../gen/seedream/v1/generation_spec.js';
import { createApp, type App } from '../../src/app.js';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { loadConfig } from '../../src/config.js';
import { createArkUpstream } from '../../src/upstream/ark/ark-upstream.js';
import { spanContextToTraceBin } from '../../src/telemetry/trace-bin.js';
import { startSimulator, type TestSimulator } from '../helpers/simulator.js';
import { spanTree, startTestTelemetry } from '../helpers/telemetry.js';

const telemetry = startTestTelemetry();
const CALLER_KEY = 'sk-caller-secret-9f8e7d';
const PROMPT = 'a portrait of Mallory Unique-Prompt-Marker';
const logLines: string[] = [];

let sim: TestSimulator;
let app: App;
let http: string;
let channel: Channel;
let client: ImageServiceClient;

beforeAll(async () => {
  sim = await startSimulator({ latencyMs: 0 });
  const config = loadConfig({
    // Hosted images (on by default) go to a temporary directory, not ./data.
    DATA_DIR: mkdtempSync(join(tmpdir(), 'seedream-e2e-')),
    HOST: '127.0.0.1',
    GRPC_PORT: '0',
    HTTP_PORT: '0',
    GATEWAY_API_KEYS: `web=${hashApiKey(CALLER_KEY)}`,
    RETRY_BASE_DELAY_MS: '1',
    HEARTBEAT_INTERVAL_MS: '0',
    SHUTDOWN_DRAIN_WINDOW_MS: '0',
  });
  const upstream = createArkUpstream({ baseUrl: sim.arkBaseUrl, apiKey: sim.apiKey, region: 'cn', connectTimeoutMs: 2000, maxConnections: 8 });
  const logDestination = new Writable({ write: (chunk, _enc, done) => { logLines.push(String(chunk)); done(); } });
  app = await createApp(config, { upstream, logDestination });
  const addresses = await app.start();
  http = `http://127.0.0.1:${(addresses.http ?? '').split(':').pop()}`;
  channel = createChannel(`127.0.0.1:${(addresses.grpc ?? '').split(':').pop()}`);
  client = createClient(ImageServiceDefinition, channel);
});
afterAll(async () => {
  channel.close();
  await app.stop();
  await sim.close();
});
beforeEach(() => {
  telemetry.reset();
  sim.simulator.requests.clear();
  sim.simulator.faults.clear();
});

const restBody = (extra: object = {}) => JSON.stringify({ model: 'doubao-seedream-4-5', prompt: PROMPT, response_format: 'b64_json', ...extra });
const postRest = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${http}/v1/images/generations`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLER_KEY}`, ...headers }, body });
const grpcSpec = { prompt: PROMPT, referenceImages: [], responseFormat: ResponseFormat.RESPONSE_FORMAT_IMAGE_BYTES, n: 0, user: '', model: { $case: 'seedream45' as const, value: { modelId: '', size: undefined, imageSet: undefined } } };
const authMetadata = () => Metadata({ authorization: `Bearer ${CALLER_KEY}` });

/** Spans end asynchronously (response close events); wait until the expected number is there. */
async function settledSpans(count: number) {
  await expect.poll(() => telemetry.spans().length, { timeout: 3000 }).toBeGreaterThanOrEqual(count);
  return telemetry.spans();
}

describe('one trace per call, edge → core → upstream attempt', () => {
  it('a REST call: HTTP server span → image_generation → POST, and the simulator got that trace in traceparent', async () => {
    expect((await postRest(restBody())).status).toBe(200);
    const spans = await settledSpans(3);
    expect(spanTree(spans)).toEqual(['POST /v1/images/generations', '  image_generation doubao-seedream-4-5-251128', '    POST']);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    expect(server?.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/v1/images/generations', 'http.response.status_code': 200 });
    const attempt = spans.find((s) => s.name === 'POST' && s.kind === SpanKind.CLIENT);
    const traceparent = sim.simulator.requests.entries()[0]?.headers.traceparent;
    expect(traceparent).toBe(`00-${attempt?.spanContext().traceId}-${attempt?.spanContext().spanId}-01`);
  });

  it('a gRPC stream: rpc server span → image_generation → POST, one trace id up to the simulator', async () => {
    for await (const _ of client.streamImages({ spec: grpcSpec }, { metadata: authMetadata() })) void _;
    const spans = await settledSpans(3);
    expect(spanTree(spans)).toEqual(['seedream.v1.ImageService/StreamImages', '  image_generation doubao-seedream-4-5-251128', '    POST']);
    const server = spans.find((s) => s.kind === SpanKind.SERVER);
    expect(server?.attributes).toMatchObject({ 'rpc.system.name': 'grpc', 'rpc.method': 'seedream.v1.ImageService/StreamImages', 'rpc.status_code': 'OK' });
    const traceId = server?.spanContext().traceId;
    expect(sim.simulator.requests.entries()[0]?.headers.traceparent).toContain(`00-${traceId}-`);
  });

  it('a job (Prefer: respond-async) runs in the trace of the call that created it, even after that call ended', async () => {
    const accepted = await postRest(restBody({ response_format: 'url' }), { prefer: 'respond-async' });
    expect(accepted.status).toBe(202);
    const spans = await settledSpans(3);
    expect(spanTree(spans)).toEqual(['POST /v1/images/generations', '  image_generation doubao-seedream-4-5-251128', '    POST']);
    expect(spans.find((s) => s.kind === SpanKind.SERVER)?.attributes['http.response.status_code']).toBe(202);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
  });

  it('continues an incoming traceparent on REST and on gRPC', async () => {
    const parent = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
    await postRest(restBody(), { traceparent: `00-${parent.traceId}-${parent.spanId}-01` });
    const metadata = authMetadata();
    metadata.set('traceparent', `00-${parent.traceId}-${parent.spanId}-01`);
    await client.generateImages({ spec: grpcSpec }, { metadata });
    const spans = await settledSpans(6);
    const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(servers).toHaveLength(2);
    for (const server of servers) {
      expect(server.spanContext().traceId).toBe(parent.traceId);
      expect(server.parentSpanContext?.spanId).toBe(parent.spanId);
    }
    expect(sim.simulator.requests.entries().every((r) => r.headers.traceparent?.includes(parent.traceId))).toBe(true);
  });

  it('continues a binary grpc-trace-bin context when no traceparent is sent', async () => {
    const parent = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.SAMPLED };
    const metadata = authMetadata();
    metadata.set('grpc-trace-bin', spanContextToTraceBin(parent));
    await client.generateImages({ spec: grpcSpec }, { metadata });
    const server = (await settledSpans(3)).find((s) => s.kind === SpanKind.SERVER);
    expect(server?.spanContext().traceId).toBe(parent.traceId);
    expect(server?.parentSpanContext?.spanId).toBe(parent.spanId);
  });

  it('shows a retried upstream request as two attempt spans', async () => {
    sim.simulator.faults.enqueue({ kind: 'status', status: 500 });
    expect((await postRest(restBody())).status).toBe(200);
    const spans = await settledSpans(4);
    expect(spanTree(spans)).toEqual(['POST /v1/images/generations', '  image_generation doubao-seedream-4-5-251128', '    POST', '    POST']);
    const attempts = spans.filter((s) => s.name === 'POST' && s.kind === SpanKind.CLIENT).map((s) => s.attributes['http.response.status_code']);
    expect(attempts.sort()).toEqual([200, 500]);
  });

  it('keeps a caller error off the server error status and traces refused calls too', async () => {
    expect((await postRest(restBody({ size: '1K' }))).status).toBe(400);
    expect((await postRest(restBody(), { authorization: 'Bearer wrong' })).status).toBe(401);
    const spans = await settledSpans(2);
    const servers = spans.filter((s) => s.kind === SpanKind.SERVER);
    expect(servers.map((s) => s.attributes['http.response.status_code']).sort()).toEqual([400, 401]);
    expect(servers.every((s) => s.status.code === 0)).toBe(true);
  });
});

describe('what telemetry never records', () => {
  it('no span attribute or log line holds the prompt, a key or base64 image data', async () => {
    logLines.length = 0;
    await postRest(restBody());
    await client.generateImages({ spec: grpcSpec }, { metadata: authMetadata() });
    const spans = await settledSpans(6);
    const recorded = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events }))) + logLines.join('');
    expect(recorded).not.toContain('Mallory');
    expect(recorded).not.toContain(CALLER_KEY);
    expect(recorded).not.toContain(sim.apiKey);
    expect(recorded).not.toMatch(/[A-Za-z0-9+/]{200,}/);
    // The call log lines carry the trace ids of their server spans.
    const calls = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'call' || l.msg === 'rest call');
    expect(calls).toHaveLength(2);
    const traceIds = new Set(spans.filter((s) => s.kind === SpanKind.SERVER).map((s) => s.spanContext().traceId));
    for (const line of calls) {
      expect(traceIds.has(String(line.trace_id))).toBe(true);
      expect(line.keyName).toBe('web');
    }
  });
});

describe('server metrics', () => {
  it('records rpc.server.call.duration and http.server.request.duration with their documented attributes', async () => {
    await postRest(restBody());
    await client.listModels({}, { metadata: authMetadata() });
    await settledSpans(4);
    const http = await telemetry.points('http.server.request.duration');
    expect(http.some((p) => p.attributes['http.route'] === '/v1/images/generations' && p.attributes['http.response.status_code'] === 200 && p.attributes['http.request.method'] === 'POST')).toBe(true);
    const rpc = await telemetry.points('rpc.server.call.duration');
    expect(rpc.some((p) => p.attributes['rpc.method'] === 'seedream.v1.ImageService/ListModels' && p.attributes['rpc.status_code'] === 'OK' && p.attributes['rpc.system.name'] === 'grpc')).toBe(true);
  });
});
