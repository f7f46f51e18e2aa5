/**
 * What the fault suite asserts about the process while hostile input is handled (DESIGN §9): the
 * event loop keeps answering `/healthz` within a bound, and RSS stays bounded. Bounds are generous —
 * the machine is shared and loaded — and far from the failures they guard against (an 8.5 s freeze,
 * a 4.6 GB heap and a crash).
 */

export interface ProcessWatch {
  /** Stops watching: the slowest health answer and the highest RSS seen meanwhile. */
  stop(): Promise<{ slowestHealthMs: number; probes: number; peakRssBytes: number; baselineRssBytes: number }>;
}

/** Probes `${origin}/healthz` every 100 ms (each probe waits for the previous one) and samples RSS. */
export function watchProcess(origin: string): ProcessWatch {
  const baselineRssBytes = process.memoryUsage().rss;
  let peakRssBytes = baselineRssBytes;
  let slowestHealthMs = 0;
  let probes = 0;
  let running = true;
  const sampler = setInterval(() => (peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss)), 50);
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const res = await fetch(`${origin}/healthz`);
      await res.text();
      if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
      slowestHealthMs = Math.max(slowestHealthMs, performance.now() - started);
      probes++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      clearInterval(sampler);
      return { slowestHealthMs, probes, peakRssBytes, baselineRssBytes };
    },
  };
}

/** Slowest acceptable health answer under hostile load on a shared 2-core machine. */
export const HEALTH_BOUND_MS = 2000;

/** Most RSS a hostile scenario may add to the process (the unfixed gateway reached 4.6 GB and died). */
export const RSS_GROWTH_BOUND_BYTES = 1024 * 1024 * 1024;
