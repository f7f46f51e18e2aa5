/**
 * A tiny OTLP/HTTP receiver inside the harness: accepts trace and metric exports on 127.0.0.1, discards
 * them, and counts requests, bytes and spans — proof that the gateway really exported while it was
 * measured "with tracing on".
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countSpans, type SpanCounts } from './otlp-spans.js';

/** What the sink has received so far. */
export interface OtlpTotals {
  readonly traceExports: number;
  readonly metricExports: number;
  readonly bytes: number;
  readonly spans: number;
  readonly spansByName: Readonly<Record<string, number>>;
}

export interface OtlpSink {
  /** `http://127.0.0.1:<port>`: the value of OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  totals(): OtlpTotals;
  /** Resolves once no trace export arrived for `quietMs` (or after `maxMs`): the span batch is flushed. */
  settle(quietMs: number, maxMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startOtlpSink(): Promise<OtlpSink> {
  let traceExports = 0;
  let metricExports = 0;
  let bytes = 0;
  let lastTraceExportAt = performance.now();
  const spans: SpanCounts = new Map();

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const contentType = request.headers['content-type'] ?? 'application/x-protobuf';
      bytes += body.length;
      if (request.url === '/v1/traces') {
        lastTraceExportAt = performance.now();
        traceExports += 1;
        countSpans(body, contentType, spans);
      } else if (request.url === '/v1/metrics') {
        metricExports += 1;
      }
      // An empty Export*ServiceResponse is a complete success (OTLP/HTTP spec, "Full Success").
      response.writeHead(200, { 'content-type': contentType.includes('json') ? 'application/json' : 'application/x-protobuf' });
      response.end(contentType.includes('json') ? '{}' : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    totals: () => {
      let total = 0;
      for (const count of spans.values()) total += count;
      return { traceExports, metricExports, bytes, spans: total, spansByName: Object.fromEntries(spans) };
    },
    async settle(quietMs, maxMs) {
      // Quiet since the later of the last export and this call: a batch may still be scheduled.
      const since = performance.now();
      const until = since + maxMs;
      while (performance.now() < until && performance.now() - Math.max(lastTraceExportAt, since) < quietMs) await sleep(100);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
