/**
 * Scenario 3, memory under slow concurrent streams (DESIGN §8: a waiting request must cost kilobytes).
 * A fresh gateway, warmed up, is sampled idle; then N gRPC StreamImages and N REST `stream: true` calls
 * are opened against an upstream that holds every answer back (simulator fault `delay-headers`, the
 * gateway's view of a long render), and the gateway's RSS is sampled once every call has reached the
 * simulator: ΔRSS ÷ N is the cost of a waiting request. Every reading comes after a full GC forced
 * through the gateway's inspector (loopback), so garbage does not count, and the live JS heap is read
 * too. Then all are cancelled: the fds of both processes must return to idle (cancellation reaches the
 * upstream), and the live heap after the second round must not have grown past the first (no leak).
 */
import type { BenchContext } from '../lib/context.js';
import { stopGateway } from '../lib/context.js';
import type { GatewayProcess } from '../lib/gateway-process.js';
import { connectInspector, type InspectorClient } from '../lib/inspector-client.js';
import { sleep, steadyReading, type MemoryReading } from '../lib/memory-readings.js';
import { sampleProcess } from '../lib/proc.js';
import { warmUpStreams } from './stream-warmup.js';
import { describe, runStreamRound, UPSTREAM_DELAY_MS, type RoundReadings } from './stream-round.js';

export interface SlowStreamsResult {
  readonly streamsPerTransport: number;
  readonly upstreamDelayMs: number;
  readonly gatewayIdle: MemoryReading;
  readonly simulatorIdleFds: number;
  readonly rounds: readonly RoundReadings[];
  /** Round 1, after a full GC: ΔRSS ÷ streams, KiB. */
  readonly kbPerWaitingGrpcStream: number;
  readonly kbPerWaitingRestStream: number | null;
  /** Round 1, after a full GC: Δ live JS heap ÷ streams, KiB (the part of the RSS the gateway's objects hold). */
  readonly heapKbPerWaitingGrpcStream: number | null;
  readonly heapKbPerWaitingRestStream: number | null;
  /** After the last round: gateway fds minus idle (0 = every connection and upstream request closed). */
  readonly fdsLeftAfter: number;
  readonly simulatorFdsLeftAfter: number;
  /** After the last round: gateway RSS minus idle, KiB (V8 and malloc keep freed memory for a while). */
  readonly rssRetainedKb: number;
  /** Live heap after the first round minus idle, KiB: what first use leaves in place (pools, caches). */
  readonly heapRetainedAfterFirstRoundKb: number | null;
  /** Live heap after the last round minus after the first, per request of a round, KiB: ≈ 0 unless
   *  every cancelled call leaves objects behind (a leak grows round after round; first use does not). */
  readonly heapGrowthPerRequestKb: number | null;
  readonly skipped: string | null;
}

const ROUNDS = 2;

export async function runSlowStreams(ctx: BenchContext): Promise<SlowStreamsResult> {
  const n = ctx.options.slowStreams;
  const limit = String(2 * n + 64);
  // The defaults (256 generations, 64 per key, 128 upstream connections) would refuse or queue most calls.
  const gateway = await ctx.gateway({
    name: 'gateway (slow streams, traced)',
    traced: true,
    inspect: true,
    env: { MAX_CONCURRENT_GENERATIONS: limit, MAX_CONCURRENT_GENERATIONS_PER_KEY: limit, UPSTREAM_MAX_CONNECTIONS: limit },
  });
  const inspector = gateway.inspectorUrl === undefined ? undefined : await connectInspector(gateway.inspectorUrl);
  try {
    return await measure(ctx, gateway, inspector, n);
  } finally {
    inspector?.close();
    await stopGateway(gateway);
  }
}

async function measure(ctx: BenchContext, gateway: GatewayProcess, inspector: InspectorClient | undefined, n: number): Promise<SlowStreamsResult> {
  await warmUpStreams(gateway);
  await sleep(1000);
  const gatewayIdle = await steadyReading(gateway.child.pid, inspector);
  const simulatorIdleFds = sampleProcess(ctx.simulator.child.pid).fds;
  process.stdout.write(`  idle gateway: ${describe(gatewayIdle)}\n`);
  const skipped = gateway.httpOrigin === undefined ? 'the gateway logged no `http` address: its REST adapter is not running' : null;
  if (skipped !== null) process.stdout.write(`  REST streams: NOT RUN — ${skipped}\n`);

  const rounds: RoundReadings[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    rounds.push(await runStreamRound(ctx, gateway, inspector, n, { gateway: gatewayIdle.fds, simulator: simulatorIdleFds }, round));
  }
  const [first, last] = [rounds[0], rounds[rounds.length - 1]];
  if (first === undefined || last === undefined) throw new Error('no stream round ran');
  const perRound = first.allWaiting === null ? n : 2 * n;
  return {
    streamsPerTransport: n,
    upstreamDelayMs: UPSTREAM_DELAY_MS,
    gatewayIdle,
    simulatorIdleFds,
    rounds,
    kbPerWaitingGrpcStream: (first.grpcWaiting.rssKb - gatewayIdle.rssKb) / n,
    kbPerWaitingRestStream: first.allWaiting === null ? null : (first.allWaiting.rssKb - first.grpcWaiting.rssKb) / n,
    heapKbPerWaitingGrpcStream: delta(first.grpcWaiting.heapUsedKb, gatewayIdle.heapUsedKb, n),
    heapKbPerWaitingRestStream: first.allWaiting === null ? null : delta(first.allWaiting.heapUsedKb, first.grpcWaiting.heapUsedKb, n),
    fdsLeftAfter: last.after.fds - gatewayIdle.fds,
    simulatorFdsLeftAfter: last.simulatorAfterFds - simulatorIdleFds,
    rssRetainedKb: last.after.rssKb - gatewayIdle.rssKb,
    heapRetainedAfterFirstRoundKb: delta(first.after.heapUsedKb, gatewayIdle.heapUsedKb, 1),
    heapGrowthPerRequestKb: delta(last.after.heapUsedKb, first.after.heapUsedKb, perRound * (rounds.length - 1)),
    skipped,
  };
}

/** (to − from) ÷ n, or null when a heap reading is missing. */
function delta(to: number | null, from: number | null, n: number): number | null {
  return to === null || from === null ? null : (to - from) / n;
}
