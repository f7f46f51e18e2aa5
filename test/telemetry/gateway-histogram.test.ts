/**
 * The gateway's own histograms (src/telemetry/gateway-histogram.ts) against the SDK's: the same records
 * through both, collected by a cumulative and a delta reader each, must give the same metrics — name,
 * unit, description, temporality, data points per attribute set with count, sum, min, max and bucket
 * counts (boundaries inclusive) — and the SDK's start times (cumulative: the set's first record; delta:
 * the reader's previous collection for a set it reported then).
 */
import { type Attributes } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type HistogramMetricData, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DURATION_BUCKETS_SECONDS, METRIC } from '../../src/telemetry/attributes.js';
import { createGatewayMetrics, type GatewayMetrics } from '../../src/telemetry/metrics.js';
import { startTelemetry } from '../../src/telemetry/sdk.js';

class Reader extends MetricReader {
  constructor(temporality: AggregationTemporality) {
    super({ aggregationTemporalitySelector: () => temporality });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const ours = { cumulative: new Reader(AggregationTemporality.CUMULATIVE), delta: new Reader(AggregationTemporality.DELTA) };
const sdk = { cumulative: new Reader(AggregationTemporality.CUMULATIVE), delta: new Reader(AggregationTemporality.DELTA) };
const handle = startTelemetry(loadConfig({}).telemetry, { spanProcessors: [], metricReaders: [ours.cumulative, ours.delta] });
const reference = new MeterProvider({ readers: [sdk.cumulative, sdk.delta] });
const gateway = createGatewayMetrics();
// An explicit meter keeps the SDK's own instruments: the reference.
const plain = createGatewayMetrics(reference.getMeter('seedream-gateway'));
afterAll(async () => {
  await handle.shutdown();
  await reference.shutdown();
});

function histogram(resource: ResourceMetrics, name: string): HistogramMetricData | undefined {
  const scopes = resource.scopeMetrics.filter((s) => s.metrics.some((m) => m.descriptor.name === name));
  expect(scopes.length).toBeLessThanOrEqual(1);
  if (scopes[0] !== undefined) expect(scopes[0].scope).toMatchObject({ name: 'seedream-gateway', version: '' });
  return scopes[0]?.metrics.find((m) => m.descriptor.name === name) as HistogramMetricData | undefined;
}

/** What must be equal: everything but the clock readings. */
function comparable(metric: HistogramMetricData | undefined) {
  if (metric === undefined) return undefined;
  return {
    descriptor: metric.descriptor,
    temporality: metric.aggregationTemporality,
    type: metric.dataPointType,
    points: metric.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value })),
  };
}

function both(record: (metrics: GatewayMetrics) => void): void {
  record(gateway);
  record(plain);
}

async function expectSame(name: string): Promise<{ ours: Record<'cumulative' | 'delta', HistogramMetricData | undefined>; sdk: Record<'cumulative' | 'delta', HistogramMetricData | undefined> }> {
  const got = { ours: { cumulative: undefined, delta: undefined }, sdk: { cumulative: undefined, delta: undefined } } as Awaited<ReturnType<typeof expectSame>>;
  for (const kind of ['cumulative', 'delta'] as const) {
    got.ours[kind] = histogram((await ours[kind].collect()).resourceMetrics, name);
    got.sdk[kind] = histogram((await sdk[kind].collect()).resourceMetrics, name);
    expect(comparable(got.ours[kind]), `${name} ${kind}`).toEqual(comparable(got.sdk[kind]));
  }
  return got;
}

describe('gateway histograms', () => {
  it('are the gateway’s own when the readers are hooked, and the SDK’s for an explicit meter', () => {
    expect(gateway.httpServerDuration.constructor.name).toBe('GatewayHistogram');
    expect(plain.httpServerDuration.constructor.name).not.toBe('GatewayHistogram');
    // Two creations of one name share one histogram, as the SDK's instruments do.
    expect(createGatewayMetrics().httpServerDuration).toBe(gateway.httpServerDuration);
  });

  it('export what the SDK exports: buckets (upper bounds inclusive), sum, min, max, attribute sets, both temporalities', async () => {
    const frozen = Object.freeze({ 'http.request.method': 'POST', 'http.response.status_code': 200 });
    both((m) => {
      for (const boundary of DURATION_BUCKETS_SECONDS) {
        m.httpServerDuration.record(boundary, frozen);
        m.httpServerDuration.record(boundary + 1e-9, frozen);
      }
      m.httpServerDuration.record(0, frozen);
      m.httpServerDuration.record(10_000, frozen); // past the last boundary
      m.httpServerDuration.record(-1, frozen); // dropped, as the SDK does
      // One set in two key orders; a number and a string of the same text are different sets.
      m.httpServerDuration.record(0.3, { 'http.request.method': 'GET', 'http.response.status_code': 404 });
      m.httpServerDuration.record(0.7, { 'http.response.status_code': 404, 'http.request.method': 'GET' });
      m.httpServerDuration.record(0.2, { 'http.request.method': 'GET', 'http.response.status_code': '404' });
      m.httpServerDuration.record(Number.NaN, { 'error.type': 'nan' }); // opens a set, counts nothing
      m.httpServerDuration.record(0.01);
    });
    await expectSame(METRIC.httpServerDuration);
  });

  it('keep the SDK’s start times and totals across collections', async () => {
    const a: Attributes = { 'rpc.method': 'a' };
    both((m) => m.rpcServerDuration.record(0.1, a));
    const first = await expectSame(METRIC.rpcServerDuration);
    await new Promise((resolve) => setTimeout(resolve, 5));
    both((m) => {
      m.rpcServerDuration.record(0.5, a);
      m.rpcServerDuration.record(2, { 'rpc.method': 'b' });
    });
    const second = await expectSame(METRIC.rpcServerDuration);
    // Nothing new: cumulative repeats its totals, delta reports nothing.
    const third = await expectSame(METRIC.rpcServerDuration);
    expect(third.ours.delta).toBeUndefined();
    expect(third.ours.cumulative?.dataPoints.map((p) => p.value.count)).toEqual([2, 1]);

    const start = (metric: HistogramMetricData | undefined, method: string) => metric?.dataPoints.find((p) => p.attributes['rpc.method'] === method)?.startTime;
    const end = (metric: HistogramMetricData | undefined) => metric?.dataPoints[0]?.endTime;
    // Cumulative: a set's points keep the start of its first record.
    for (const side of ['ours', 'sdk'] as const) {
      expect(start(second[side].cumulative, 'a')).toEqual(start(first[side].cumulative, 'a'));
      expect(start(third[side].cumulative, 'a')).toEqual(start(first[side].cumulative, 'a'));
    }
    // Delta: a set reported at the previous collection starts there; a new set starts at its first record.
    expect(start(second.ours.delta, 'a')).toEqual(end(first.ours.delta));
    expect(start(second.sdk.delta, 'a')).toEqual(end(first.sdk.delta));
    const newSetStart = start(second.ours.delta, 'b')!;
    expect(newSetStart[0] * 1e3 + newSetStart[1] / 1e6).toBeGreaterThan(end(first.ours.delta)![0] * 1e3 + end(first.ours.delta)![1] / 1e6);
  });

  it('take the collection time of the SDK’s own points as their end time', async () => {
    both((m) => {
      m.operationDuration.record(1.5, { 'gen_ai.operation.name': 'image_generation' });
      m.imageCount.add(1, { 'gen_ai.request.model': 'm', 'seedream.image.outcome': 'generated' });
    });
    const { resourceMetrics } = await ours.cumulative.collect();
    const ends = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).flatMap((m) => m.dataPoints.map((p) => JSON.stringify(p.endTime)));
    expect(new Set(ends).size).toBe(1);
  });
});
