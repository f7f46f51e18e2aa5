/**
 * Starts the real telemetry setup with in-memory exporters, for tests that assert spans and metrics.
 * One per test file (vitest runs each file in its own process).
 */
import { AggregationTemporality, MetricReader, type DataPoint, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { loadConfig } from '../../src/config.js';
import { startTelemetry } from '../../src/telemetry/sdk.js';

class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface TestTelemetry {
  spans(): ReadableSpan[];
  reset(): void;
  /** Data points of a metric by name, with their attributes. */
  points(name: string): Promise<DataPoint<unknown>[]>;
}

export function startTestTelemetry(env: Record<string, string> = {}): TestTelemetry {
  const exporter = new InMemorySpanExporter();
  const reader = new CollectingReader();
  startTelemetry(loadConfig(env).telemetry, { spanProcessors: [new SimpleSpanProcessor(exporter)], metricReaders: [reader] });
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    async points(name) {
      const { resourceMetrics }: { resourceMetrics: ResourceMetrics } = await reader.collect();
      return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as DataPoint<unknown>[]);
    },
  };
}

/** Parent → children names, as an indented outline (a trimmed span tree for assertions). */
export function spanTree(spans: readonly ReadableSpan[]): string[] {
  const byParent = new Map<string | undefined, ReadableSpan[]>();
  const ids = new Set(spans.map((s) => s.spanContext().spanId));
  for (const span of spans) {
    const parent = span.parentSpanContext?.spanId;
    const key = parent !== undefined && ids.has(parent) ? parent : undefined;
    byParent.set(key, [...(byParent.get(key) ?? []), span]);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of (byParent.get(parent) ?? []).sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1])) {
      lines.push(`${'  '.repeat(depth)}${span.name}`);
      walk(span.spanContext().spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}
