/**
 * Writes a gateway config file (GATEWAY_CONFIG_FILE) into a temporary directory for a test, and channel
 * entries pointing at test simulators.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestSimulator } from './simulator.js';

/** Writes `content` as JSON (YAML is a superset) and returns the path. */
export function writeConfigFile(content: unknown, name = 'gateway.json'): string {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-config-'));
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/** An ark channel on a test simulator, its key read from the env variable `keyEnv`. */
export function simulatorChannel(name: string, sim: TestSimulator, fields: Record<string, unknown> = {}, keyEnv = 'SIM_KEY'): Record<string, unknown> {
  return { name, kind: 'ark', region: 'cn', baseUrl: sim.arkBaseUrl, keys: [{ env: keyEnv }], ...fields };
}

/** Queues faults through the simulator's control API (as for a simulator in another process). */
export async function queueFaults(sim: TestSimulator, faults: unknown): Promise<void> {
  const response = await fetch(`${sim.url}/_simulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  if (!response.ok) throw new Error(`queueing faults failed: ${response.status} ${await response.text()}`);
}

export async function clearFaults(sim: TestSimulator): Promise<void> {
  await fetch(`${sim.url}/_simulator/faults`, { method: 'DELETE' });
}
