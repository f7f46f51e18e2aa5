/**
 * The built gateway as `npm start` runs it (`node --import dist/src/telemetry/register.js
 * dist/src/main.js`) exports its traces and metrics to the OTLP endpoint of the standard environment
 * variables — here a receiver on loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnEntry, type SpawnedEntry } from '../helpers/built-entry.js';

interface Received {
  readonly path: string;
  readonly contentType: string;
  readonly body: Buffer;
}

let receiver: Server | undefined;
let gateway: SpawnedEntry | undefined;
afterEach(async () => {
  gateway?.kill('SIGKILL'); // no-op once it exited
  await gateway?.exited;
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  gateway = undefined;
  receiver = undefined;
});

async function startReceiver(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ path: request.url ?? '', contentType: request.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      response.writeHead(200, { 'content-type': request.headers['content-type'] ?? 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`, received };
}

function startGateway(env: Record<string, string>): SpawnedEntry {
  gateway = spawnEntry(
    'dist/src/main.js',
    { HOST: '127.0.0.1', GRPC_PORT: '0', HTTP_PORT: '0', SIMULATOR_LATENCY_MS: '0', SHUTDOWN_DRAIN_WINDOW_MS: '0', OTEL_SERVICE_NAME: 'seedream-gateway-under-test', ...env },
    [],
    ['--import', './dist/src/telemetry/register.js'],
  );
  return gateway;
}

async function runCall(protocol: 'http/json' | 'http/protobuf', endpoint: string): Promise<void> {
  const gateway = startGateway({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_METRIC_EXPORT_INTERVAL: '200' });
  const line = await gateway.waitForJson((l) => typeof l.addresses === 'object');
  const http = (line.addresses as Record<string, string>).http ?? '';
  const response = await fetch(`http://127.0.0.1:${http.split(':').pop()}/v1/images/generations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'doubao-seedream-4-5', prompt: 'an exported trace' }),
  });
  expect(response.status).toBe(200);
  // Shutdown flushes the batch span processor and the last metrics.
  gateway.kill('SIGTERM');
  expect((await gateway.exited).code).toBe(0);
}

describe('OTLP export from the built process', () => {
  it('exports complete traces and metrics as OTLP/HTTP JSON, with the service name', async () => {
    const { url, received } = await startReceiver();
    await runCall('http/json', url);
    const traces = received.filter((r) => r.path === '/v1/traces').map((r) => JSON.parse(r.body.toString()) as { resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { name: string; traceId: string }[] }[] }[] });
    const spans = traces.flatMap((t) => t.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
    expect(spans.map((s) => s.name).sort()).toEqual(['POST', 'POST /v1/images/generations', 'image_generation doubao-seedream-4-5-251128']);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    const resource = traces[0]?.resourceSpans[0]?.resource.attributes ?? [];
    expect(resource).toEqual(expect.arrayContaining([{ key: 'service.name', value: { stringValue: 'seedream-gateway-under-test' } }]));
    const metrics = received.filter((r) => r.path === '/v1/metrics').map((r) => r.body.toString()).join('');
    for (const name of ['http.server.request.duration', 'gen_ai.client.operation.duration', 'gen_ai.client.image.count', 'http.client.request.duration', 'seedream.gateway.estimated_cost']) {
      expect(metrics).toContain(name);
    }
    // The gateway's histograms (aggregated in the gateway, gateway-histogram.ts) sit in the one scope
    // entry of their meter, next to its counters, as cumulative explicit-bucket histograms.
    type Exported = { resourceMetrics: { scopeMetrics: { scope: { name: string }; metrics: { name: string; unit: string; histogram?: { aggregationTemporality: number; dataPoints: { count: string | number; explicitBounds: number[]; bucketCounts: (string | number)[]; attributes: { key: string }[] }[] } }[] }[] }[] };
    const last = received.filter((r) => r.path === '/v1/metrics').map((r) => JSON.parse(r.body.toString()) as Exported).at(-1);
    const scopes = last?.resourceMetrics.flatMap((rm) => rm.scopeMetrics) ?? [];
    expect(scopes.filter((s) => s.scope.name === 'seedream-gateway')).toHaveLength(1);
    const metric = scopes.flatMap((s) => s.metrics).find((m) => m.name === 'http.server.request.duration');
    expect(metric?.unit).toBe('s');
    expect(metric?.histogram?.aggregationTemporality).toBe(2); // CUMULATIVE
    const point = metric?.histogram?.dataPoints[0];
    expect(Number(point?.count)).toBe(1);
    expect(point?.explicitBounds.at(-1)).toBe(655.36);
    expect(point?.bucketCounts.map(Number).reduce((a, b) => a + b, 0)).toBe(1);
    expect(point?.attributes.map((a) => a.key).sort()).toEqual(['http.request.method', 'http.response.status_code', 'http.route', 'url.scheme']);
  });

  it('exports OTLP/HTTP protobuf by default', async () => {
    const { url, received } = await startReceiver();
    await runCall('http/protobuf', url);
    const traces = received.filter((r) => r.path === '/v1/traces');
    expect(traces.length).toBeGreaterThan(0);
    expect(traces[0]?.contentType).toBe('application/x-protobuf');
    // Protobuf keeps strings as they are: the span names are in the payload.
    const payload = Buffer.concat(traces.map((t) => t.body)).toString('latin1');
    expect(payload).toContain('image_generation doubao-seedream-4-5-251128');
    expect(payload).toContain('seedream-gateway-under-test');
  });

  it('serves a Prometheus scrape endpoint when PROMETHEUS_PORT is set', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const running = startGateway({ PROMETHEUS_PORT: String(port) });
    const line = await running.waitForJson((l) => typeof l.addresses === 'object');
    const http = (line.addresses as Record<string, string>).http ?? '';
    await fetch(`http://127.0.0.1:${http.split(':').pop()}/v1/images/generations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'doubao-seedream-4-5', prompt: 'a scraped metric' }),
    });
    const scrape = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(scrape).toMatch(/gen_ai_client_operation_duration_bucket\{.*gen_ai_request_model="doubao-seedream-4-5-251128"/);
    expect(scrape).toContain('le="655.36"');
    expect(scrape).toMatch(/http_server_request_duration_count\{[^}]*http_response_status_code="200"/);
  });
});
