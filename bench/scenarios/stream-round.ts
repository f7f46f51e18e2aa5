/**
 * One round of scenario 3: the simulator is told to hold its next answers back, N gRPC StreamImages and
 * then N REST `stream: true` calls are opened and sampled once all of them wait upstream, then every
 * call is cancelled and both processes' fds are awaited back at their idle counts.
 */
import { setMaxListeners } from 'node:events';
import type { Pool } from 'undici';
import type { BenchContext } from '../lib/context.js';
import { CALLER_KEY, type GatewayProcess } from '../lib/gateway-process.js';
import { connectGrpc, type GrpcConnection } from '../lib/grpc-calls.js';
import { createHttpPool } from '../lib/http-calls.js';
import type { InspectorClient } from '../lib/inspector-client.js';
import { settledFds, sleep, steadyReading, type MemoryReading } from '../lib/memory-readings.js';
import { sampleProcess } from '../lib/proc.js';
import { waitingGrpcStream, waitingRestStream } from '../lib/waiting-calls.js';
import { jsonBody, urlWorkload } from '../lib/workloads.js';

/** How long the simulator holds each answer; the calls are cancelled long before. */
export const UPSTREAM_DELAY_MS = 120_000;
/** Streams per gRPC connection (below GRPC_MAX_CONCURRENT_STREAMS = 100). */
const STREAMS_PER_CONNECTION = 50;

export interface RoundReadings {
  readonly grpcWaiting: MemoryReading;
  /** null when the gateway has no REST adapter. */
  readonly allWaiting: MemoryReading | null;
  readonly after: MemoryReading;
  readonly simulatorWaitingFds: number;
  readonly simulatorAfterFds: number;
}

export interface IdleFds {
  readonly gateway: number;
  readonly simulator: number;
}

export async function runStreamRound(
  ctx: BenchContext,
  gateway: GatewayProcess,
  inspector: InspectorClient | undefined,
  n: number,
  idle: IdleFds,
  round: number,
): Promise<RoundReadings> {
  const { simulator } = ctx;
  const log = (text: string) => process.stdout.write(`  round ${round}: ${text}\n`);
  const abort = new AbortController();
  setMaxListeners(0, abort.signal); // one signal cancels every stream
  const failures: unknown[] = [];
  const pending: Promise<void>[] = [];
  const track = (stream: Promise<void>) => pending.push(stream.catch((error: unknown) => void failures.push(error)));
  const connections: GrpcConnection[] = [];
  let pool: Pool | undefined;
  try {
    await simulator.enqueueFaults([{ kind: 'delay-headers', ms: UPSTREAM_DELAY_MS, count: n }]);
    for (let i = 0; i < n; i++) {
      if (i % STREAMS_PER_CONNECTION === 0) connections.push(connectGrpc(gateway.grpcAddress));
      const connection = connections[connections.length - 1];
      if (connection === undefined) throw new Error('no gRPC connection');
      track(waitingGrpcStream(connection.client, urlWorkload.grpc, CALLER_KEY, abort.signal));
    }
    await allReachedUpstream(ctx, failures, `${n} gRPC streams`);
    const grpcWaiting = await steadyReading(gateway.child.pid, inspector);
    log(`${n} gRPC streams waiting: ${describe(grpcWaiting)}`);

    let allWaiting: MemoryReading | null = null;
    if (gateway.httpOrigin !== undefined) {
      pool = createHttpPool(gateway.httpOrigin, n);
      await simulator.enqueueFaults([{ kind: 'delay-headers', ms: UPSTREAM_DELAY_MS, count: n }]);
      const body = jsonBody(urlWorkload, true);
      for (let i = 0; i < n; i++) track(waitingRestStream(pool, body, CALLER_KEY, abort.signal));
      await allReachedUpstream(ctx, failures, `${n} REST streams`);
      allWaiting = await steadyReading(gateway.child.pid, inspector);
      log(`+ ${n} REST streams waiting: ${describe(allWaiting)}`);
    }
    const simulatorWaitingFds = sampleProcess(simulator.child.pid).fds;

    abort.abort();
    await Promise.all(pending);
    if (failures.length > 0) throw failures[0];
    for (const connection of connections) connection.close();
    await pool?.close();
    const simulatorAfterFds = await settledFds(simulator.child.pid, idle.simulator);
    await settledFds(gateway.child.pid, idle.gateway);
    await sleep(1000);
    const after = await steadyReading(gateway.child.pid, inspector);
    log(`all cancelled: ${describe(after)}; simulator fds ${idle.simulator} → ${simulatorWaitingFds} → ${simulatorAfterFds}`);
    return { grpcWaiting, allWaiting, after, simulatorWaitingFds, simulatorAfterFds };
  } finally {
    abort.abort();
    for (const connection of connections) connection.close();
    await pool?.destroy();
  }
}

/** Waits until the simulator has taken every queued fault, i.e. every call is waiting upstream. */
async function allReachedUpstream(ctx: BenchContext, failures: readonly unknown[], what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (failures.length > 0) throw failures[0];
    const left = await ctx.simulator.pendingFaults();
    if (left === 0) break;
    if (Date.now() > deadline) throw new Error(`${what}: ${left} never reached the simulator within 30 s`);
    await sleep(200);
  }
  await sleep(1500); // let the last allocations land before sampling
  if (failures.length > 0) throw failures[0];
}

export function describe(reading: MemoryReading): string {
  const heap = reading.heapUsedKb === null ? '' : `, heap ${Math.round(reading.heapUsedKb)} KiB`;
  return `RSS ${reading.rssKb} KiB${heap}, ${reading.fds} fds`;
}
