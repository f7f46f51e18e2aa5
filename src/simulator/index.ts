/**
 * The Seedream upstream simulator: a wire-faithful Ark image API on loopback, used as the gateway's
 * embedded default upstream, as the test double, and as the benchmark floor. See docs/simulator.md.
 */
export { createSimulator, GENERATION_PATHS, type Simulator } from './server.js';
export { simulatorOptionsFromConfig, type SimulatorOptions } from './options.js';
export { faultSchema, type Fault, type FaultKind, type FaultQueue } from './faults.js';
export type { RequestLog, RequestLogEntry } from './request-log.js';
