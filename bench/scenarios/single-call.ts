/**
 * Scenario 1b, one call at a time (c=1) — the convention of independent gateway benchmarks: the latency
 * a gateway adds to a single call, p50 and p99, over the same call made straight to the upstream (JSON
 * paths against direct JSON, streams against direct SSE). Same URL-mode request and gateways as
 * scenario 1; at c=1 the load generator, the gateway and the simulator rarely compete for a core, so
 * the difference is the hop's own latency.
 */
import type { BenchContext } from '../lib/context.js';
import type { PathResult, ThroughputResult } from './throughput.js';
import { runUrlGateways } from './url-mode.js';

export function runSingleCall(ctx: BenchContext): Promise<ThroughputResult> {
  return runUrlGateways(ctx, 'c=1', 1);
}

/** Added latency (ms) of a path over its direct baseline in the same run, at p50 and p99. */
export function addedLatency(result: ThroughputResult, phase: PathResult): { p50: number; p99: number } | null {
  const base = result.phases.find((p) => p.server === 'direct' && p.path === phase.baseline);
  if (base === undefined || phase.server === 'direct') return null;
  return { p50: phase.latencyMs.p50 - base.latencyMs.p50, p99: phase.latencyMs.p99 - base.latencyMs.p99 };
}
