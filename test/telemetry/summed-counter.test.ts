import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createSummedCounter } from '../../src/telemetry/summed-counter.js';

describe('createSummedCounter', () => {
  let provider: MeterProvider | undefined;
  afterEach(async () => provider?.shutdown());

  async function points(add: (counter: ReturnType<typeof createSummedCounter>) => void) {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    provider = new MeterProvider({ readers: [reader] });
    const counter = createSummedCounter(provider.getMeter('test'), 'test.count', { unit: '{thing}', description: 'things' });
    add(counter);
    const { resourceMetrics } = await reader.collect();
    const metric = resourceMetrics.scopeMetrics[0]?.metrics[0];
    return { metric, add: async (more: () => void) => (more(), (await reader.collect()).resourceMetrics.scopeMetrics[0]?.metrics[0]) , counter };
  }

  it('exports a monotonic cumulative sum per attribute set, whatever the key order', async () => {
    const { metric } = await points((counter) => {
      counter.add(2, { a: 'x', b: 'y' });
      counter.add(3, { b: 'y', a: 'x' });
      counter.add(1, { a: 'z', b: 'y' });
      counter.add(-5, { a: 'x', b: 'y' }); // ignored, as the SDK's Counter does
      counter.add(Number.NaN, { a: 'x', b: 'y' });
    });
    expect(metric?.descriptor).toMatchObject({ name: 'test.count', unit: '{thing}', description: 'things' });
    expect(metric?.dataPointType).toBe(DataPointType.SUM);
    expect(metric?.dataPointType === DataPointType.SUM && metric.isMonotonic).toBe(true);
    const values = Object.fromEntries((metric?.dataPoints ?? []).map((p) => [JSON.stringify(p.attributes), p.value]));
    expect(values).toEqual({ [JSON.stringify({ a: 'x', b: 'y' })]: 5, [JSON.stringify({ a: 'z', b: 'y' })]: 1 });
  });

  it('counts a frozen attribute set (found by identity) in the same cell as an equal fresh one', async () => {
    const frozen = Object.freeze({ a: 'x', b: 'y' });
    const { metric } = await points((counter) => {
      counter.add(1, frozen);
      counter.add(2, frozen);
      counter.add(4, { b: 'y', a: 'x' });
    });
    expect(metric?.dataPoints.map((p) => [p.attributes, p.value])).toEqual([[{ a: 'x', b: 'y' }, 7]]);
  });

  it('keeps totals across collections (cumulative)', async () => {
    const { add, counter } = await points((c) => c.add(1, { a: 'x' }));
    const later = await add(() => counter.add(4, { a: 'x' }));
    expect(later?.dataPoints.map((p) => p.value)).toEqual([5]);
  });
});
