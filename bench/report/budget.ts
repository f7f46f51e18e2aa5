/**
 * DESIGN §8 as checks on the figures. The budget is "ten times tighter" than a popular TypeScript
 * gateway measured at ~1 ms CPU per small request and ~17 ms per MB of base64: ≤ 0.1 ms per URL-mode
 * request with tracing on, and so ≤ 1.7 ms per MB relayed; a waiting request costs kilobytes.
 */
import type { SlowStreamsResult } from '../scenarios/slow-streams.js';
import type { ThroughputResult } from '../scenarios/throughput.js';

export const URL_BUDGET_US = 100;
export const BASE64_BUDGET_MS_PER_MB = 1.7;
/** "Kilobytes, not megabytes". */
export const WAITING_BUDGET_KB = 1024;
/** Live heap (after a full GC) gained per cancelled request, round over round, that counts as a leak. */
export const LEAK_KB_PER_REQUEST = 1;

export interface BudgetLine {
  readonly line: string;
  /** null: could not be measured in this run. */
  readonly met: boolean | null;
  readonly detail: string;
}

export function urlBudget(result: ThroughputResult | undefined): BudgetLine {
  const line = `≤ ${URL_BUDGET_US / 1000} ms gateway CPU per URL-mode request, tracing on`;
  const traced = result?.phases.filter((p) => p.server === 'gateway' && p.tracing === 'on') ?? [];
  if (traced.length === 0) return { line, met: null, detail: 'not measured' };
  const detail = traced.map((p) => `${p.path} ${fmt(p.gatewayCpuUsPerRequest)} µs`).join(', ');
  return { line, met: traced.every((p) => (p.gatewayCpuUsPerRequest ?? Infinity) <= URL_BUDGET_US), detail };
}

export function base64Budget(result: ThroughputResult | undefined): BudgetLine {
  const line = `payloads handled once: ≤ ${BASE64_BUDGET_MS_PER_MB} ms gateway CPU per MB of base64 relayed`;
  const relayed = result?.phases.filter((p) => p.server === 'gateway' && p.gatewayCpuMsPerMb !== null) ?? [];
  if (relayed.length === 0) return { line, met: null, detail: 'not measured' };
  const detail = relayed.map((p) => `${p.path} ${p.gatewayCpuMsPerMb?.toFixed(2) ?? '–'} ms/MB`).join(', ');
  return { line, met: relayed.every((p) => (p.gatewayCpuMsPerMb ?? Infinity) <= BASE64_BUDGET_MS_PER_MB), detail };
}

export function memoryBudget(result: SlowStreamsResult | undefined): BudgetLine {
  const line = `a waiting request costs kilobytes (< ${WAITING_BUDGET_KB} KiB), and cancelling releases everything`;
  if (result === undefined) return { line, met: null, detail: 'not measured' };
  const perStream = [result.kbPerWaitingGrpcStream, ...(result.kbPerWaitingRestStream === null ? [] : [result.kbPerWaitingRestStream])];
  const growth = result.heapGrowthPerRequestKb;
  const released = result.fdsLeftAfter <= 2 && result.simulatorFdsLeftAfter <= 2 && (growth === null || growth < LEAK_KB_PER_REQUEST);
  const rest = result.kbPerWaitingRestStream === null ? 'REST not run' : `REST ${result.kbPerWaitingRestStream.toFixed(1)} KiB`;
  const detail =
    `gRPC ${result.kbPerWaitingGrpcStream.toFixed(1)} KiB, ${rest} RSS per waiting stream; after cancelling: fds left gateway ${result.fdsLeftAfter}, ` +
    `simulator ${result.simulatorFdsLeftAfter}; live heap growth from round 1 to 2 ${growth === null ? '–' : growth.toFixed(2)} KiB per request`;
  return { line, met: perStream.every((kb) => kb < WAITING_BUDGET_KB) && released, detail };
}

function fmt(value: number | null): string {
  return value === null ? '–' : value.toFixed(0);
}
