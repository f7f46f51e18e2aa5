/**
 * Latency samples of one measured window and their percentiles (nearest rank). A window holds at most a
 * few hundred thousand samples, so keeping them all is cheaper and exact compared with a histogram.
 */

/** Percentiles of a window, ms. */
export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

export interface LatencyRecorder {
  record(ms: number): void;
  readonly count: number;
  summary(): LatencySummary;
}

export function createLatencyRecorder(): LatencyRecorder {
  const samples: number[] = [];
  return {
    record: (ms) => void samples.push(ms),
    get count() {
      return samples.length;
    },
    summary() {
      if (samples.length === 0) throw new Error('no latency samples: nothing completed in the measured window');
      const sorted = Float64Array.from(samples).sort();
      const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
      let sum = 0;
      for (const value of sorted) sum += value;
      return { p50: rank(0.5), p99: rank(0.99), max: sorted[sorted.length - 1] ?? Number.NaN, mean: sum / sorted.length };
    },
  };
}
