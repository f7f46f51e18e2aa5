/**
 * A throughput scenario: the direct-to-simulator baselines first, then the same workload through one or
 * more gateway processes (traced or not), each path a closed-loop phase. Ratios compare every gateway
 * path with its baseline measured in the same run, so a noisy machine shifts both sides alike.
 */
import type { BenchContext } from '../lib/context.js';
import { stopGateway } from '../lib/context.js';
import { warmUp } from '../lib/closed-loop.js';
import type { GatewayProcess } from '../lib/gateway-process.js';
import type { OtlpTotals } from '../lib/otlp-sink.js';
import { measurePhase, type PhaseFigures } from '../lib/phase.js';
import type { AnswerContent } from '../lib/response-content.js';
import type { Workload } from '../lib/workloads.js';
import { baselineOf, pathLabels, preparePath, unavailable, type PathKind } from './paths.js';

export interface GatewayPlan {
  readonly name: string;
  readonly traced: boolean;
  readonly paths: readonly PathKind[];
  /** The floor (bench/floor/) instead of the gateway. */
  readonly floor?: boolean;
  /** Extra configuration of the gateway. */
  readonly env?: Readonly<Record<string, string>>;
  /** The shipped defaults (tracing on, IMAGE_HOSTING=local): the gateway the budget lines judge. */
  readonly shipped?: boolean;
  /** Runs with IMAGE_HOSTING=local (the shipped gateway, and the floor that hosts like it). */
  readonly hosted?: boolean;
}

/** Built entry of the floor server. */
const FLOOR_ENTRY = 'dist/bench/floor/main.js';

/** What served a path: nothing (direct), the gateway, or the floor. */
export type Server = 'direct' | 'gateway' | 'floor';

export interface ThroughputPlan {
  readonly scenario: string;
  readonly workload: Workload;
  readonly concurrency: number;
  readonly directPaths: readonly PathKind[];
  readonly gateways: readonly GatewayPlan[];
}

export type Tracing = 'on' | 'off' | null;

export interface PathResult extends PhaseFigures {
  readonly path: PathKind;
  readonly server: Server;
  readonly tracing: Tracing;
  readonly baseline: PathKind | null;
  /** The gateway plan's name (null for direct paths). */
  readonly gateway: string | null;
  /** Served by the gateway with its shipped defaults. */
  readonly shipped: boolean;
  /** Served with IMAGE_HOSTING=local: every URL answer downloaded and stored (gateway or floor). */
  readonly hosted: boolean;
  /** Requests/s of this path ÷ requests/s of its direct baseline. */
  readonly throughputRatio: number | null;
  /** Gateway CPU per request ÷ simulator CPU per request in the same phase. */
  readonly cpuRatio: number | null;
  /** Images and base64 bytes (gRPC: base64-equivalent) each answer delivered. */
  readonly imagesPerRequest: number;
  readonly base64BytesPerRequest: number;
  /** CPU ms per 1,000,000 bytes of base64 relayed (null without inline images). */
  readonly gatewayCpuMsPerMb: number | null;
  readonly simulatorCpuMsPerMb: number | null;
}

export interface SkippedPath {
  readonly path: PathKind;
  readonly server: Server;
  readonly name: string;
  readonly tracing: Tracing;
  readonly reason: string;
}

/** Proof that a traced gateway exported while measured. */
export interface TracingProof {
  readonly gateway: string;
  /** Calls sent to it, warm-ups included. */
  readonly requests: number;
  readonly spans: number;
  readonly spansPerRequest: number;
  readonly traceExports: number;
  readonly metricExports: number;
  readonly exportedBytes: number;
  readonly spansByName: Readonly<Record<string, number>>;
}

export interface ThroughputResult {
  readonly scenario: string;
  readonly request: Readonly<Record<string, unknown>>;
  readonly concurrency: number;
  readonly phases: readonly PathResult[];
  readonly skipped: readonly SkippedPath[];
  readonly tracing: readonly TracingProof[];
}

export async function runThroughput(ctx: BenchContext, plan: ThroughputPlan): Promise<ThroughputResult> {
  const { options, simulator } = ctx;
  const measured: Measured[] = [];
  const skipped: SkippedPath[] = [];
  const tracing: TracingProof[] = [];
  let expected: AnswerContent | undefined;

  const run = async (kind: PathKind, server: Server, tracingMode: Tracing, gateway: GatewayProcess | undefined, gatewayName: string | null = null, shipped = false, hosted = false) => {
    const who = server === 'floor' ? ' · FLOOR' : '';
    const name = `${plan.scenario} · ${pathLabels[kind]}${who}${tracingMode === null ? '' : ` · tracing ${tracingMode}`}`;
    const reason = unavailable(kind, gateway);
    if (reason !== undefined) {
      process.stdout.write(`  ${name}: NOT RUN — ${reason}\n`);
      skipped.push({ path: kind, server, name, tracing: tracingMode, reason });
      return 0;
    }
    const path = preparePath(kind, plan.workload, plan.concurrency, simulator.url, gateway, expected);
    try {
      const figures = await measurePhase({
        name,
        call: path.call,
        concurrency: plan.concurrency,
        warmupMs: options.warmupMs,
        measureMs: options.measureMs,
        simulatorPid: simulator.child.pid,
        gatewayPid: gateway?.child.pid,
      });
      measured.push({ kind, server, tracing: tracingMode, figures, content: path.content.first, gateway: gatewayName, shipped, hosted });
      // Every later path must deliver exactly what the first direct answer did (same images, same bytes).
      expected ??= path.content.first;
      return path.calls();
    } finally {
      await path.close();
    }
  };

  /**
   * A fresh process is not yet in its steady state after one phase's warm-up: its first measured phase
   * read 20–50 % more CPU per request than the same path measured after another phase (V8 tiering, the
   * heap and young generation still growing, first page faults). A gateway runs for days, so every
   * gateway and floor process first serves all its paths in turn for BENCH_PROCESS_WARMUP_MS, unmeasured.
   * Returns the calls made (the tracing proof counts them).
   */
  const warmProcess = async (kinds: readonly PathKind[], gateway: GatewayProcess): Promise<number> => {
    let calls = 0;
    for (const kind of kinds) {
      if (unavailable(kind, gateway) !== undefined) continue;
      const path = preparePath(kind, plan.workload, plan.concurrency, simulator.url, gateway, expected);
      try {
        await warmUp(path.call, plan.concurrency, options.processWarmupMs / kinds.length);
        calls += path.calls();
      } finally {
        await path.close();
      }
    }
    return calls;
  };

  for (const kind of plan.directPaths) await run(kind, 'direct', null, undefined);
  for (const gatewayPlan of plan.gateways) {
    if (options.paths !== undefined && !gatewayPlan.paths.some((kind) => options.paths?.has(kind) === true)) continue;
    if (options.gateways !== undefined && !options.gateways.some((part) => gatewayPlan.name.includes(part))) continue;
    const server: Server = gatewayPlan.floor === true ? 'floor' : 'gateway';
    const gateway = await ctx.gateway({
      name: gatewayPlan.name,
      traced: gatewayPlan.traced,
      ...(server === 'floor' && { entry: FLOOR_ENTRY }),
      ...(gatewayPlan.env !== undefined && { env: gatewayPlan.env }),
    });
    const before = ctx.sink.totals();
    let calls = await warmProcess(gatewayPlan.paths.filter((kind) => options.paths === undefined || options.paths.has(kind)), gateway);
    for (const kind of gatewayPlan.paths) {
      if (options.paths === undefined || options.paths.has(kind)) calls += await run(kind, server, gatewayPlan.traced ? 'on' : 'off', gateway, gatewayPlan.name, gatewayPlan.shipped === true, gatewayPlan.hosted === true);
    }
    if (gatewayPlan.traced) {
      // The batch span processor exports every 5 s: wait for its last batch before counting.
      await ctx.sink.settle(6000, 12_000);
      tracing.push(tracingProof(gatewayPlan.name, calls, before, ctx.sink.totals()));
    }
    await stopGateway(gateway);
  }
  return { scenario: plan.scenario, request: plan.workload.json, concurrency: plan.concurrency, phases: withRatios(measured), skipped, tracing };
}

interface Measured {
  readonly kind: PathKind;
  readonly server: Server;
  readonly tracing: Tracing;
  readonly figures: PhaseFigures;
  readonly content: AnswerContent;
  readonly gateway: string | null;
  readonly shipped: boolean;
  readonly hosted: boolean;
}

function withRatios(measured: readonly Measured[]): PathResult[] {
  return measured.map(({ kind, server, tracing, figures, content, gateway, shipped, hosted }) => {
    const baseline = baselineOf[kind];
    const base = measured.find((m) => m.kind === baseline)?.figures;
    const mb = content.base64Bytes / 1e6;
    const gatewayUs = figures.gatewayCpuUsPerRequest;
    return {
      ...figures,
      path: kind,
      server,
      tracing,
      baseline,
      gateway,
      shipped,
      hosted,
      throughputRatio: base === undefined ? null : figures.requestsPerSecond / base.requestsPerSecond,
      cpuRatio: gatewayUs === null ? null : gatewayUs / figures.simulatorCpuUsPerRequest,
      imagesPerRequest: content.images,
      base64BytesPerRequest: content.base64Bytes,
      gatewayCpuMsPerMb: gatewayUs === null || mb === 0 ? null : gatewayUs / 1000 / mb,
      simulatorCpuMsPerMb: mb === 0 ? null : figures.simulatorCpuUsPerRequest / 1000 / mb,
    };
  });
}

function tracingProof(gateway: string, requests: number, before: OtlpTotals, after: OtlpTotals): TracingProof {
  const spans = after.spans - before.spans;
  const spansByName: Record<string, number> = {};
  for (const [name, count] of Object.entries(after.spansByName)) {
    const delta = count - (before.spansByName[name] ?? 0);
    if (delta > 0) spansByName[name] = delta;
  }
  if (spans === 0) throw new Error(`${gateway}: tracing was on, but the OTLP sink received no span (is the telemetry bootstrap loaded?)`);
  return {
    gateway,
    requests,
    spans,
    spansPerRequest: requests === 0 ? 0 : spans / requests,
    traceExports: after.traceExports - before.traceExports,
    metricExports: after.metricExports - before.metricExports,
    exportedBytes: after.bytes - before.bytes,
    spansByName,
  };
}
