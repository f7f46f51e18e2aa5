/**
 * Measures one closed-loop phase: samples the gateway's and the simulator's /proc counters at the edges
 * of the measured window and turns them into per-request costs.
 */
import { runClosedLoop, type LoadCall } from './closed-loop.js';
import type { LatencySummary } from './latency.js';
import { cpuBetween, machineBusyMicros, sampleProcess, type ProcSample } from './proc.js';
import { waitForQuietMachine } from './quiet-gate.js';

export interface PhaseSpec {
  /** e.g. `url · gRPC StreamImages` */
  readonly name: string;
  readonly call: LoadCall;
  readonly concurrency: number;
  readonly warmupMs: number;
  readonly measureMs: number;
  readonly simulatorPid: number;
  /** Absent for the direct-to-simulator baseline. */
  readonly gatewayPid: number | undefined;
}

/** Figures of one phase. CPU per request is process CPU in the window ÷ requests completed in it. */
export interface PhaseFigures {
  readonly name: string;
  readonly concurrency: number;
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly latencyMs: LatencySummary;
  /** null for the direct baseline (no gateway in the path). */
  readonly gatewayCpuUsPerRequest: number | null;
  readonly simulatorCpuUsPerRequest: number;
  /** Busy share of one core in the window. */
  readonly gatewayCpuPct: number | null;
  readonly simulatorCpuPct: number;
  readonly loadGeneratorCpuPct: number;
  /** CPU used by everything else on the machine in the window (other engineers' runs…), % of one core:
   *  high values mean the figures were taken on a busy machine. */
  readonly otherCpuPct: number;
  /** Gateway RSS at the end of the window, KiB. */
  readonly gatewayRssKb: number | null;
}

export async function measurePhase(spec: PhaseSpec): Promise<PhaseFigures> {
  await waitForQuietMachine(spec.gatewayPid === undefined ? [spec.simulatorPid] : [spec.simulatorPid, spec.gatewayPid]);
  process.stdout.write(`  ${spec.name} (${spec.concurrency} concurrent, ${spec.warmupMs / 1000}+${spec.measureMs / 1000} s) … `);
  let simulatorBefore: ProcSample | undefined;
  let simulatorAfter: ProcSample | undefined;
  let gatewayBefore: ProcSample | undefined;
  let gatewayAfter: ProcSample | undefined;
  let machineBefore = 0;
  let machineAfter = 0;
  const loop = await runClosedLoop(spec.call, {
    concurrency: spec.concurrency,
    warmupMs: spec.warmupMs,
    measureMs: spec.measureMs,
    onWindowStart: () => {
      machineBefore = machineBusyMicros();
      simulatorBefore = sampleProcess(spec.simulatorPid);
      if (spec.gatewayPid !== undefined) gatewayBefore = sampleProcess(spec.gatewayPid);
    },
    onWindowEnd: () => {
      simulatorAfter = sampleProcess(spec.simulatorPid);
      if (spec.gatewayPid !== undefined) gatewayAfter = sampleProcess(spec.gatewayPid);
      machineAfter = machineBusyMicros();
    },
  });
  if (simulatorBefore === undefined || simulatorAfter === undefined) throw new Error(`${spec.name}: the window was never sampled`);
  if (loop.requests === 0) throw new Error(`${spec.name}: no request completed in the measured window`);
  const seconds = loop.elapsedMs / 1000;
  const simulatorCpu = cpuBetween(simulatorBefore, simulatorAfter);
  const gatewayCpu = gatewayBefore !== undefined && gatewayAfter !== undefined ? cpuBetween(gatewayBefore, gatewayAfter) : undefined;
  const figures: PhaseFigures = {
    name: spec.name,
    concurrency: spec.concurrency,
    requests: loop.requests,
    seconds,
    requestsPerSecond: loop.requests / seconds,
    latencyMs: loop.latency,
    gatewayCpuUsPerRequest: gatewayCpu === undefined ? null : gatewayCpu / loop.requests,
    simulatorCpuUsPerRequest: simulatorCpu / loop.requests,
    gatewayCpuPct: gatewayCpu === undefined ? null : gatewayCpu / 1e4 / seconds,
    simulatorCpuPct: simulatorCpu / 1e4 / seconds,
    loadGeneratorCpuPct: loop.loadGeneratorCpuPct,
    otherCpuPct: Math.max(0, (machineAfter - machineBefore - simulatorCpu - (gatewayCpu ?? 0)) / 1e4 / seconds - loop.loadGeneratorCpuPct),
    gatewayRssKb: gatewayAfter?.rssKb ?? null,
  };
  process.stdout.write(
    `${figures.requestsPerSecond.toFixed(0)} req/s, p50 ${figures.latencyMs.p50.toFixed(2)} ms, p99 ${figures.latencyMs.p99.toFixed(2)} ms, max ${figures.latencyMs.max.toFixed(0)} ms, ` +
      `gateway ${figures.gatewayCpuUsPerRequest?.toFixed(0) ?? '–'} µs/req, simulator ${figures.simulatorCpuUsPerRequest.toFixed(0)} µs/req, ` +
      `other load ${figures.otherCpuPct.toFixed(0)}%\n`,
  );
  return figures;
}
