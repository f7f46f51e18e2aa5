/**
 * The HTTP server span of every REST request except health probes (DESIGN §6): continues an incoming
 * `traceparent`, is named `{method} {route}` (conventions: low-cardinality route template), ends when
 * the raw response closes — SSE replies bypass fastify's onResponse hook, `close` covers both them and
 * client disconnects — and records `http.server.request.duration`. Routes read `request.traceContext`
 * and hand it to the core explicitly.
 */
import { SpanKind, SpanStatusCode, trace, type Attributes, type Context } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { ATTR } from '../telemetry/attributes.js';
import type { GatewayTelemetry } from '../telemetry/gateway-telemetry.js';
import { createAttributeInterner } from '../telemetry/interned-attributes.js';
import { extractTraceContext } from '../telemetry/trace-context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The server span's context (null for untraced requests such as health probes). */
    traceContext: Context | null;
  }
}

const untraced: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

/** Adds the tracing hook; register it before any other onRequest hook so refused requests are traced. */
export function registerTracing(app: FastifyInstance, telemetry: GatewayTelemetry, now: () => number = performance.now.bind(performance)): void {
  const { tracer, metrics } = telemetry;
  const metricAttributes = createAttributeInterner();
  app.decorateRequest('traceContext', null);
  app.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?', 1)[0] ?? '';
    if (untraced.has(path)) return done();
    const started = now();
    const route = request.routeOptions.url;
    const method = request.method;
    const base = (): Attributes => ({ [ATTR.httpRequestMethod]: method, [ATTR.urlScheme]: 'http', ...(route !== undefined && { [ATTR.httpRoute]: route }) });
    const parent = extractTraceContext((key) => {
      const value = request.headers[key];
      return Array.isArray(value) ? value[0] : value;
    });
    const attributes = base();
    attributes[ATTR.urlPath] = path;
    const span = tracer.startSpan(route === undefined ? method : `${method} ${route}`, { kind: SpanKind.SERVER, attributes }, parent);
    request.traceContext = trace.setSpan(parent, span);
    reply.raw.once('close', () => {
      const status = reply.raw.statusCode;
      // Server spans: only 5xx are the server's errors (4xx are the caller's), per the HTTP conventions.
      const errorType = status >= 500 ? String(status) : !reply.raw.writableFinished ? 'client_disconnected' : undefined;
      // The span has the method, scheme and route from its start: it gets the outcome only.
      span.setAttribute(ATTR.httpResponseStatusCode, status);
      if (errorType !== undefined) span.setAttribute(ATTR.errorType, errorType);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      const metricSet = metricAttributes(`${method}\u0000${route}\u0000${status}\u0000${errorType}`, () => ({
        ...base(),
        [ATTR.httpResponseStatusCode]: status,
        ...(errorType !== undefined && { [ATTR.errorType]: errorType }),
      }));
      metrics.httpServerDuration.record((now() - started) / 1000, metricSet);
    });
    done();
  });
}
