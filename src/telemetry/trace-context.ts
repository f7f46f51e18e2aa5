/**
 * The caller's trace context from request headers or gRPC metadata: W3C `traceparent`/`tracestate`
 * through the global propagator, else the binary `grpc-trace-bin` some gRPC clients send (trace-bin.ts).
 * A call without either starts a new trace.
 */
import { propagation, ROOT_CONTEXT, trace, type Context, type TextMapGetter } from '@opentelemetry/api';
import { spanContextFromTraceBin } from './trace-bin.js';

/** Reads one header or metadata value; binary values (`-bin` keys) as bytes. */
export type CarrierGet = (key: string) => string | Uint8Array | undefined;

const getter: TextMapGetter<CarrierGet> = {
  keys: () => ['traceparent', 'tracestate', 'baggage'],
  get: (get, key) => {
    const value = get(key);
    return typeof value === 'string' ? value : undefined;
  },
};

/** The parent context of a server span for an incoming call. */
export function extractTraceContext(get: CarrierGet): Context {
  const extracted = propagation.extract(ROOT_CONTEXT, get, getter);
  if (trace.getSpanContext(extracted) !== undefined) return extracted;
  const bin = get('grpc-trace-bin');
  const spanContext = bin instanceof Uint8Array ? spanContextFromTraceBin(bin) : undefined;
  return spanContext === undefined ? extracted : trace.setSpanContext(extracted, spanContext);
}

/** `trace_id` / `span_id` of a context, for log lines (empty when there is no span). */
export function traceIdsOf(context: Context | undefined): { trace_id?: string; span_id?: string } {
  const spanContext = context === undefined ? undefined : trace.getSpanContext(context);
  return spanContext === undefined ? {} : { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
