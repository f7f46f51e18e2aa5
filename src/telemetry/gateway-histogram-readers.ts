/**
 * How the gateway's own histograms (gateway-histogram.ts) reach the SDK's metric readers: the registry
 * of histograms by scope and name, and the wrap of each reader's metric producer that adds their data
 * points to the SDK's scope entry at collection time.
 */
import type { Histogram, Meter, MetricOptions } from '@opentelemetry/api';
import { millisToHrTime } from '@opentelemetry/core';
import {
  AggregationType,
  InstrumentType,
  type CollectionResult,
  type MetricProducer,
  type MetricReader,
  type ScopeMetrics,
} from '@opentelemetry/sdk-metrics';
import { GatewayHistogram, type HrTime } from './gateway-histogram.js';

interface Registered {
  readonly scope: string;
  readonly histogram: GatewayHistogram;
}

const registered = new Map<string, Registered>();
let readersHooked: readonly MetricReader[] | undefined;

/**
 * Lets the gateway's histograms reach `readers`: called by startTelemetry before the SDK binds them.
 * The fast path is used only when every reader keeps the SDK's default histogram aggregation (explicit
 * buckets from the instrument's advice); otherwise instruments stay the SDK's own.
 */
export function collectGatewayHistograms(readers: readonly MetricReader[]): void {
  if (readers.length === 0 || readersHooked !== undefined) return;
  if (!readers.every((reader) => reader.selectAggregation(InstrumentType.HISTOGRAM).type === AggregationType.DEFAULT)) return;
  readersHooked = readers;
  for (const reader of readers) {
    const bind = reader.setMetricProducer.bind(reader);
    reader.setMetricProducer = (producer: MetricProducer) => bind(withGatewayHistograms(producer, reader));
  }
}

/**
 * A histogram named `name` of `meter`'s scope `scope` with explicit bucket boundaries: the gateway's own
 * when the readers are hooked and the meter is the global one for `scope` (`isGlobalMeter`), else the
 * meter's. Two creations of one name share one histogram, as the SDK's instruments do.
 */
export function createGatewayHistogram(meter: Meter, isGlobalMeter: boolean, scope: string, name: string, options: MetricOptions & { advice: { explicitBucketBoundaries: number[] } }): Histogram {
  if (readersHooked === undefined || !isGlobalMeter) return meter.createHistogram(name, options);
  const id = `${scope}\u0000${name}`;
  let entry = registered.get(id);
  if (entry === undefined) {
    const histogram = new GatewayHistogram(name, options, [...options.advice.explicitBucketBoundaries].sort((a, b) => a - b));
    for (const reader of readersHooked) histogram.addReader(reader);
    registered.set(id, (entry = { scope, histogram }));
  }
  return entry.histogram;
}

function withGatewayHistograms(sdk: MetricProducer, reader: MetricReader): MetricProducer {
  return {
    async collect(options): Promise<CollectionResult> {
      const result = await sdk.collect(options);
      if (registered.size === 0) return result;
      const scopeMetrics: ScopeMetrics[] = result.resourceMetrics.scopeMetrics;
      const endTime = anyEndTime(scopeMetrics) ?? millisToHrTime(Date.now());
      for (const { scope, histogram } of registered.values()) {
        const metric = histogram.collect(reader, endTime);
        if (metric === undefined) continue;
        let entry = scopeMetrics.find((s) => s.scope.name === scope && (s.scope.version ?? '') === '' && s.scope.schemaUrl === undefined);
        if (entry === undefined) scopeMetrics.push((entry = { scope: { name: scope, version: '', schemaUrl: undefined }, metrics: [] }));
        entry.metrics.push(metric);
      }
      return result;
    },
  };
}

/** The SDK's collection time, read from one of its data points (all share it), so ours match. */
function anyEndTime(scopeMetrics: readonly ScopeMetrics[]): HrTime | undefined {
  for (const scope of scopeMetrics) for (const metric of scope.metrics) if (metric.dataPoints[0] !== undefined) return metric.dataPoints[0].endTime as HrTime;
  return undefined;
}
