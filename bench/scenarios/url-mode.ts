/**
 * Scenario 1, URL mode at zero simulator latency: pure per-request overhead. The simulator answers
 * without rendering, so whatever the gateway adds is what DESIGN §8 budgets (≤ 0.1 ms CPU per request,
 * tracing on). A second gateway with OTEL_SDK_DISABLED shows what tracing costs, and the floor
 * (bench/floor/: the same transports with no gateway logic) what the libraries alone cost.
 */
import type { BenchContext } from '../lib/context.js';
import { urlWorkload } from '../lib/workloads.js';
import { runThroughput, type ThroughputResult } from './throughput.js';

export function runUrlMode(ctx: BenchContext): Promise<ThroughputResult> {
  return runThroughput(ctx, {
    scenario: 'url',
    workload: urlWorkload,
    concurrency: ctx.options.urlConcurrency,
    directPaths: ['direct-json', 'direct-sse'],
    gateways: [
      { name: 'gateway (url, traced)', traced: true, paths: ['rest-json', 'rest-sse', 'grpc-unary', 'grpc-stream'] },
      { name: 'gateway (url, untraced)', traced: false, paths: ['rest-json', 'grpc-unary'] },
      { name: 'floor (url)', traced: false, floor: true, paths: ['rest-json', 'grpc-unary'] },
    ],
  });
}
