/**
 * The machine-readable result of a run (`bench/results/latest.json`): where it ran, with which
 * settings, every scenario's figures, and the budget verdicts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineInfo } from '../lib/machine.js';
import type { BenchOptions } from '../lib/options.js';
import type { HostingResult } from '../scenarios/image-hosting.js';
import type { SlowStreamsResult } from '../scenarios/slow-streams.js';
import type { ThroughputResult } from '../scenarios/throughput.js';
import type { ChannelsResult } from '../scenarios/channels.js';
import type { JobsBenchResult } from '../scenarios/jobs.js';
import type { ImagePathResult } from '../scenarios/image-path.js';
import type { PeersResult } from '../scenarios/peers.js';
import type { UploadResult } from '../scenarios/upload.js';
import type { BudgetLine } from './budget.js';

export interface BenchResults {
  readonly machine: MachineInfo;
  readonly settings: {
    readonly warmupMs: number;
    readonly processWarmupMs: number;
    readonly measureMs: number;
    readonly urlConcurrency: number;
    readonly base64Concurrency: number;
    readonly slowStreamsPerTransport: number;
    readonly gatewayEntry: string;
  };
  readonly url?: ThroughputResult;
  /** Scenario 1b: one call at a time (added latency). */
  readonly latency?: ThroughputResult;
  readonly b64?: ThroughputResult;
  readonly streams?: SlowStreamsResult;
  readonly hosting?: HostingResult;
  /** Scenario 4: channels, caller quotas and the usage ledger, in process and on Redis. */
  readonly channels?: ChannelsResult;
  /** Scenario 6: what idempotency keys and jobs add, and the memory of waiting jobs. */
  readonly jobs?: JobsBenchResult;
  /** Scenario 7: Seedream-shaped answers through the gateway (first image, RSS per generation, steps). */
  readonly imagePath?: ImagePathResult;
  /** Scenario 8: REST at 64 concurrent through the gateway and through Portkey. */
  readonly peers?: PeersResult;
  /** Scenario 9: a large reference image uploaded over a network with a round trip. */
  readonly upload?: UploadResult;
  readonly budget: readonly BudgetLine[];
  /** Scenarios or paths that could not run, and why. */
  readonly notRun: readonly string[];
  readonly wallSeconds: number;
}

export function settingsOf(options: BenchOptions): BenchResults['settings'] {
  return {
    warmupMs: options.warmupMs,
    processWarmupMs: options.processWarmupMs,
    measureMs: options.measureMs,
    urlConcurrency: options.urlConcurrency,
    base64Concurrency: options.base64Concurrency,
    slowStreamsPerTransport: options.slowStreams,
    gatewayEntry: options.gatewayEntry,
  };
}

/** Writes `results/<name>.json` under `benchDir` (`latest` for a full run); returns its path. */
export function writeResults(benchDir: string, results: BenchResults, name: string): string {
  const dir = join(benchDir, 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.json`);
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  return path;
}
