/**
 * Scenario 2, base64 relay: sets of four 4K JPEGs inline (≈ 1.6 MB of base64 per answer) from the
 * simulator's cache (SIMULATOR_FIXED_SEED). The gateway's cost per MB shows how many times it touches
 * each payload (DESIGN §8: no decode/re-encode round trip, no second JSON pass over a base64 body).
 */
import type { BenchContext } from '../lib/context.js';
import { base64SetWorkload } from '../lib/workloads.js';
import { runThroughput, type ThroughputResult } from './throughput.js';

export function runBase64Relay(ctx: BenchContext): Promise<ThroughputResult> {
  return runThroughput(ctx, {
    scenario: 'b64',
    workload: base64SetWorkload(ctx.options.base64Images),
    concurrency: ctx.options.base64Concurrency,
    directPaths: ['direct-json', 'direct-sse'],
    gateways: [{ name: 'gateway (b64, traced)', traced: true, paths: ['rest-json', 'rest-sse', 'grpc-unary', 'grpc-stream'] }],
  });
}
