/**
 * Per-process CPU, memory and handle counts from /proc (Linux), so the gateway's and the simulator's
 * costs are read separately from the load generator's: utime+stime of every thread (GC and libuv
 * threads included) from /proc/<pid>/stat, VmRSS from /proc/<pid>/status, open fds from /proc/<pid>/fd.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** One reading of a process. */
export interface ProcSample {
  /** User + system CPU since the process started, µs (resolution: one clock tick, usually 10 ms). */
  readonly cpuMicros: number;
  /** Resident set size, KiB. */
  readonly rssKb: number;
  /** Open file descriptors (sockets included). */
  readonly fds: number;
}

const clockTicks = readClockTicks();

/** Reads `pid` now; throws when the process is gone (a dead child must fail the run, not read as zero). */
export function sampleProcess(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces); field 3 (state) is index 0, so
  // utime (field 14) is index 11 and stime (field 15) index 12 — proc(5).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (!Number.isFinite(ticks) || rss === undefined) throw new Error(`cannot read /proc/${pid}: unexpected format`);
  return { cpuMicros: (ticks * 1e6) / clockTicks, rssKb: Number(rss), fds: readdirSync(`/proc/${pid}/fd`).length };
}

/**
 * CPU µs all processes of the machine have used (all cores, /proc/stat: user + nice + system). Interrupt
 * time (the loopback network's softirqs among it) is left out: it is charged to no process.
 */
export function machineBusyMicros(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]?.trim().split(/\s+/) ?? [];
  const [user, nice, system] = cpu.slice(1).map(Number);
  const ticks = (user ?? 0) + (nice ?? 0) + (system ?? 0);
  return (ticks * 1e6) / clockTicks;
}

/** CPU µs spent between two samples. */
export function cpuBetween(before: ProcSample, after: ProcSample): number {
  return after.cpuMicros - before.cpuMicros;
}

function readClockTicks(): number {
  try {
    const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100; // USER_HZ on every mainstream Linux build
  }
}
