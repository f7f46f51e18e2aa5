/**
 * Starts and stops the OpenTelemetry SDK from the gateway's config. Everything is explicit: a tracer
 * provider always exists (so logs carry trace ids even when nothing is exported), spans and metrics are
 * exported over OTLP/HTTP only when an endpoint is configured, Prometheus only when its port is set, and
 * no instrumentation patches modules — the gateway's own spans cover the edges, the core and every
 * upstream attempt, with current semantic conventions (conventions D.3 explains why not the
 * auto-instrumentations).
 */
import { ROOT_CONTEXT, type ContextManager } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPMetricExporter as OtlpJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as OtlpProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { PeriodicExportingMetricReader, type MetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { TelemetryConfig } from '../config.js';
import { collectGatewayHistograms } from './gateway-histogram-readers.js';
import { GATEWAY_VERSION } from './version.js';

export interface TelemetryHandle {
  /** Flushes pending spans and metrics and stops exporting. Idempotent. */
  shutdown(): Promise<void>;
}

export interface StartTelemetryOptions {
  /** Replace the configured span processors (tests use an in-memory exporter). */
  readonly spanProcessors?: SpanProcessor[];
  /** Replace the configured metric readers (tests use an in-memory reader). */
  readonly metricReaders?: MetricReader[];
}

let running: TelemetryHandle | undefined;

/** A context manager that tracks nothing: `active()` is always the root context. */
const explicitContextOnly: ContextManager = {
  active: () => ROOT_CONTEXT,
  with: (_context, fn, thisArg, ...args) => fn.call(thisArg, ...args),
  bind: (_context, target) => target,
  enable() {
    return this;
  },
  disable() {
    return this;
  },
};

/** The telemetry started in this process (by the `--import` bootstrap or by startTelemetry), if any. */
export function runningTelemetry(): TelemetryHandle | undefined {
  return running;
}

/** Starts the SDK once per process; later calls return the running handle. */
export function startTelemetry(config: TelemetryConfig, options: StartTelemetryOptions = {}): TelemetryHandle {
  if (running !== undefined) return running;
  if (config.disabled) {
    running = { shutdown: async () => undefined };
    return running;
  }
  const readers = options.metricReaders ?? metricReaders(config);
  // Before the SDK binds the readers: the gateway's histograms reach them through their producers.
  collectGatewayHistograms(readers);
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': config.serviceName, 'service.version': GATEWAY_VERSION }),
    autoDetectResources: false,
    // A no-op processor keeps a real tracer provider (trace ids for logs) when nothing is exported.
    spanProcessors: options.spanProcessors ?? traceProcessors(config),
    metricReaders: readers,
    // Logs go to stdout through pino; the SDK's log pipeline stays off (it would default to OTLP).
    logRecordProcessors: [],
    instrumentations: [],
    // No async context tracking: the gateway passes trace contexts explicitly (its async generators
    // resume in other contexts anyway), and AsyncLocalStorage's promise hooks would tax every promise of
    // every call (measured: bench/README.md).
    contextManager: explicitContextOnly,
    textMapPropagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  });
  sdk.start();
  let stopped: Promise<void> | undefined;
  running = {
    shutdown: () => {
      stopped ??= sdk.shutdown().catch(() => undefined);
      return stopped;
    },
  };
  return running;
}

function traceProcessors(config: TelemetryConfig): SpanProcessor[] {
  if (config.tracesEndpoint === undefined) return [new NoopSpanProcessor()];
  const options = { url: config.tracesEndpoint, headers: { ...config.headers } };
  const exporter = config.protocol === 'http/json' ? new OtlpJsonTraceExporter(options) : new OtlpProtoTraceExporter(options);
  return [new BatchSpanProcessor(exporter)];
}

function metricReaders(config: TelemetryConfig): MetricReader[] {
  const readers: MetricReader[] = [];
  if (config.metricsEndpoint !== undefined) {
    const options = { url: config.metricsEndpoint, headers: { ...config.headers } };
    const exporter = config.protocol === 'http/json' ? new OtlpJsonMetricExporter(options) : new OtlpProtoMetricExporter(options);
    readers.push(new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: config.metricExportIntervalMs }));
  }
  if (config.prometheusPort !== undefined) readers.push(new PrometheusExporter({ port: config.prometheusPort }));
  return readers;
}
