/**
 * Scenario 1, URL mode at zero simulator latency: pure per-request overhead. The simulator answers
 * without rendering, so whatever the gateway adds is what DESIGN §8 budgets (≤ 2× the floor's CPU per
 * request, shipped defaults). The shipped gateway (tracing on, IMAGE_HOSTING=local) comes first; then
 * the same with hosting off (what hosting adds), with tracing off too (what tracing adds), and the floor
 * (bench/floor/: the same transports with no gateway logic) — what the libraries alone cost — plain and
 * hosting every image like the shipped gateway (the download, hash, write and rename hosting needs).
 */
import type { BenchContext } from '../lib/context.js';
import { shippedHosting } from '../lib/shipped-defaults.js';
import { urlWorkload } from '../lib/workloads.js';
import { runThroughput, type GatewayPlan, type ThroughputResult } from './throughput.js';

const ALL_PATHS = ['rest-json', 'rest-sse', 'grpc-unary', 'grpc-stream'] as const;

/** The gateways of scenarios 1 and 1b: shipped, hosting off, tracing off, floor. */
function urlGateways(label: string, hostingEnv: Readonly<Record<string, string>>): GatewayPlan[] {
  return [
    { name: `gateway (${label}, shipped: traced, hosting local)`, traced: true, paths: ALL_PATHS, env: hostingEnv, shipped: true, hosted: true },
    { name: `gateway (${label}, traced, hosting off)`, traced: true, paths: ALL_PATHS },
    { name: `gateway (${label}, untraced, hosting off)`, traced: false, paths: ['rest-json', 'grpc-unary'] },
    { name: `floor (${label})`, traced: false, floor: true, paths: ['rest-json', 'grpc-unary'] },
    // The floor that also hosts every image (bench/floor/image-host.ts): the shipped rows' comparison.
    { name: `floor (${label}, hosting local)`, traced: false, floor: true, paths: ['rest-json', 'grpc-unary'], env: hostingEnv, hosted: true },
  ];
}

/** The URL-mode request through the direct baselines and the gateways above, `concurrency` workers. */
export async function runUrlGateways(ctx: BenchContext, scenario: string, concurrency: number): Promise<ThroughputResult> {
  const hosting = shippedHosting(ctx.simulator.url);
  try {
    return await runThroughput(ctx, {
      scenario,
      workload: urlWorkload,
      concurrency,
      directPaths: ['direct-json', 'direct-sse'],
      gateways: urlGateways(scenario, hosting.env),
    });
  } finally {
    hosting.dispose();
  }
}

export function runUrlMode(ctx: BenchContext): Promise<ThroughputResult> {
  return runUrlGateways(ctx, 'url', ctx.options.urlConcurrency);
}
