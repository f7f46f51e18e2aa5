/**
 * What every scenario shares: the options, the running simulator and OTLP sink, and a way to start a
 * gateway in front of them (stopped by the scenario, or killed with the harness).
 */
import { SHIPPED_NODE_ARGS, startGateway, type GatewayProcess } from './gateway-process.js';
import type { BenchOptions } from './options.js';
import type { OtlpSink } from './otlp-sink.js';
import type { SimulatorProcess } from './simulator-process.js';

export interface BenchContext {
  readonly options: BenchOptions;
  readonly simulator: SimulatorProcess;
  readonly sink: OtlpSink;
  /** Starts a gateway (or the floor), traced (exporting to the sink) or with OTEL_SDK_DISABLED. */
  gateway(start: GatewayStart): Promise<GatewayProcess>;
}

export interface GatewayStart {
  readonly name: string;
  readonly traced: boolean;
  /** Extra configuration. */
  readonly env?: Readonly<Record<string, string>>;
  /** Entry file relative to the root; default the gateway's (options.gatewayEntry). */
  readonly entry?: string;
  /** Open the inspector on loopback (GC and heap readings). */
  readonly inspect?: boolean;
}

export function createBenchContext(options: BenchOptions, simulator: SimulatorProcess, sink: OtlpSink): BenchContext {
  return {
    options,
    simulator,
    sink,
    gateway: (start) =>
      startGateway({
        name: start.name,
        root: options.root,
        entry: start.entry ?? options.gatewayEntry,
        simulatorUrl: simulator.url,
        otlpEndpoint: start.traced ? sink.endpoint : undefined,
        cpuProfileDir: options.cpuProfileDir,
        // The gateway starts as `npm start` starts it; BENCH_GATEWAY_NODE_ARGS come last and win.
        nodeArgs: [...(start.entry === undefined ? SHIPPED_NODE_ARGS : []), ...options.gatewayNodeArgs],
        ...(start.env !== undefined && { env: start.env }),
        ...(start.inspect === true && { inspect: true }),
      }),
  };
}

/** Stops a gateway gracefully (so a CPU profile gets written) and fails if it did not exit cleanly. */
export async function stopGateway(gateway: GatewayProcess): Promise<void> {
  const exit = await gateway.child.stop(15_000);
  if (exit.code !== 0) {
    throw new Error(`${gateway.child.name} exited with code ${String(exit.code)} / ${String(exit.signal)}; output:\n${gateway.child.output()}`);
  }
}
