/**
 * The gRPC server span of every ImageService call (DESIGN §6): continues the caller's trace
 * (`traceparent`, else `grpc-trace-bin`), names the span by the full method, ends it when the call ends
 * however it ends — including a client cancel, which the grpc-js auto-instrumentation misses
 * (conventions D.3) — and records `rpc.server.call.duration`. Handlers receive the span's context in
 * `traceContext` and hand it to the core explicitly.
 */
import { SpanKind, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import type { CallContext, ServerMiddleware, ServerMiddlewareCall } from 'nice-grpc-common';
import { ATTR } from '../telemetry/attributes.js';
import { CallOverhead } from '../telemetry/call-overhead.js';
import type { GatewayTelemetry } from '../telemetry/gateway-telemetry.js';
import { createAttributeInterner } from '../telemetry/interned-attributes.js';
import { extractTraceContext } from '../telemetry/trace-context.js';
import { isServerFault, statusNameOf } from './status-name.js';

/** What the tracing middleware adds to the call context. */
export interface TraceContextExt {
  /** The server span's context: parent of the core's generation span. */
  readonly traceContext: Context;
  /** The call's overhead clock, started with the call (src/telemetry/call-overhead.ts). */
  readonly callOverhead: CallOverhead;
}

export function createTracingMiddleware(telemetry: GatewayTelemetry, now: () => number = performance.now.bind(performance)): ServerMiddleware<TraceContextExt> {
  const { tracer, metrics } = telemetry;
  const metricAttributes = createAttributeInterner();
  return async function* tracingMiddleware<Request, Response>(
    call: ServerMiddlewareCall<Request, Response, TraceContextExt>,
    context: CallContext,
  ): AsyncGenerator<Response, Response | void, undefined> {
    const started = now();
    const method = call.method.path.replace(/^\//, '');
    const parent = extractTraceContext((key) => context.metadata.get(key));
    const base = { [ATTR.rpcSystemName]: 'grpc', [ATTR.rpcMethod]: method };
    const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: base }, parent);
    // A call that stops at a `yield` was abandoned by its client.
    let status = 'CANCELLED';
    try {
      const result = yield* call.next(call.request, { ...context, traceContext: trace.setSpan(parent, span), callOverhead: new CallOverhead(started, now) });
      status = 'OK';
      return result;
    } catch (error) {
      status = statusNameOf(error, context.signal.aborted);
      throw error;
    } finally {
      // The span has the system and method from its start: it gets the outcome only.
      span.setAttribute(ATTR.rpcStatusCode, status);
      if (status !== 'OK') span.setAttribute(ATTR.errorType, status);
      if (isServerFault(status)) span.setStatus({ code: SpanStatusCode.ERROR, message: status });
      span.end();
      const attributes = metricAttributes(`${method}\u0000${status}`, () => ({ ...base, [ATTR.rpcStatusCode]: status, ...(status !== 'OK' && { [ATTR.errorType]: status }) }));
      metrics.rpcServerDuration.record((now() - started) / 1000, attributes);
    }
  };
}
