/**
 * Memory readings of a process: live JS heap after a forced full GC (through the inspector), then RSS
 * and open fds (median of three /proc readings); and a wait for its fds to settle.
 */
import type { InspectorClient } from './inspector-client.js';
import { sampleProcess, type ProcSample } from './proc.js';

export interface MemoryReading {
  readonly rssKb: number;
  readonly fds: number;
  /** Live JS heap after a full GC, KiB (null without an inspector). */
  readonly heapUsedKb: number | null;
}

export async function steadyReading(pid: number, inspector: InspectorClient | undefined): Promise<MemoryReading> {
  const heap = inspector === undefined ? undefined : await inspector.gcAndHeapUsage();
  const samples: ProcSample[] = [];
  for (let i = 0; i < 3; i++) {
    if (i > 0) await sleep(300);
    samples.push(sampleProcess(pid));
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[1] ?? Number.NaN;
  return { rssKb: median(samples.map((s) => s.rssKb)), fds: median(samples.map((s) => s.fds)), heapUsedKb: heap === undefined ? null : heap.usedKb };
}

/** Polls until `pid` has no more fds than `target` (or 10 s passed); returns the last count. */
export async function settledFds(pid: number, target: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  let fds = sampleProcess(pid).fds;
  while (fds > target && Date.now() < deadline) {
    await sleep(200);
    fds = sampleProcess(pid).fds;
  }
  return fds;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
