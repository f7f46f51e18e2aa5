/**
 * Waits, before a measured phase, until the rest of the machine is quiet: the checkout is shared, and a
 * colleague's test run on one of the two cores inflates every figure. Waits at most a few seconds per
 * phase and a bounded total per run, then goes on anyway — the phase's `otherCpuPct` tells the reader.
 */
import { machineBusyMicros, sampleProcess } from './proc.js';

/** Other processes may use this much of one core and the machine still counts as quiet. */
const QUIET_PCT = 25;
const PROBE_MS = 500;
const MAX_WAIT_PER_PHASE_MS = 10_000;
const MAX_WAIT_PER_RUN_MS = 30_000;

let waitedInRun = 0;

/** Resolves once others use < QUIET_PCT of a core over one probe, or when the waiting budget is spent. */
export async function waitForQuietMachine(ownPids: readonly number[]): Promise<void> {
  const started = performance.now();
  for (;;) {
    const other = await otherCpuPct(ownPids);
    const waited = performance.now() - started;
    if (other < QUIET_PCT) break;
    if (waited >= MAX_WAIT_PER_PHASE_MS || waitedInRun + waited >= MAX_WAIT_PER_RUN_MS) {
      process.stdout.write(`  (machine still busy: other processes use ${other.toFixed(0)}% of a core; measuring anyway)\n`);
      break;
    }
  }
  waitedInRun += performance.now() - started;
}

/** CPU used by processes other than `ownPids` and the harness over one probe, % of one core. */
async function otherCpuPct(ownPids: readonly number[]): Promise<number> {
  const own = () => ownPids.reduce((sum, pid) => sum + sampleProcess(pid).cpuMicros, 0);
  const cpu = process.cpuUsage();
  const machine = machineBusyMicros();
  const ours = own();
  await new Promise((resolve) => setTimeout(resolve, PROBE_MS));
  const harness = process.cpuUsage(cpu);
  const used = machineBusyMicros() - machine - (own() - ours) - harness.user - harness.system;
  return Math.max(0, used / 1e4 / (PROBE_MS / 1000));
}
