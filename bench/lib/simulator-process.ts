/**
 * The standalone simulator (`dist/src/simulator/main.js`) as a child process on loopback, plus the two
 * control-API calls the harness needs (docs/simulator.md "Control API").
 */
import { request } from 'undici';
import { spawnNode, type Child } from './children.js';

/** The only key the simulator accepts; the gateway sends it as its upstream (Ark) key. */
export const UPSTREAM_KEY = 'bench-upstream-key';

export interface SimulatorProcess {
  readonly child: Child;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Queues faults for the next generation requests. */
  enqueueFaults(faults: readonly object[]): Promise<void>;
  /** Faults not yet taken by a request (sum of their remaining counts). */
  pendingFaults(): Promise<number>;
}

export async function startSimulator(root: string, fixedSeed: number): Promise<SimulatorProcess> {
  const child = spawnNode({
    name: 'simulator',
    cwd: root,
    nodeArgs: ['dist/src/simulator/main.js'],
    env: {
      SIMULATOR_HOST: '127.0.0.1',
      SIMULATOR_PORT: '0',
      SIMULATOR_LATENCY_MS: '0',
      // Seedless requests get this seed, so identical requests are served from the image cache.
      SIMULATOR_FIXED_SEED: String(fixedSeed),
      SIMULATOR_API_KEY: UPSTREAM_KEY,
    },
  });
  const url = await child.waitForLine((line) => /^Seedream simulator listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1], 20_000);
  return {
    child,
    url,
    async enqueueFaults(faults) {
      const response = await request(`${url}/_simulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`simulator refused the faults: ${response.statusCode} ${text}`);
    },
    async pendingFaults() {
      const response = await request(`${url}/_simulator/faults`);
      const body = (await response.body.json()) as { faults?: { count?: number }[] };
      if (response.statusCode !== 200 || body.faults === undefined) throw new Error(`simulator fault queue unreadable: ${response.statusCode}`);
      return body.faults.reduce((sum, fault) => sum + (fault.count ?? 1), 0);
    },
  };
}
