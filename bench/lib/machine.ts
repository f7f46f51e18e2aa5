/**
 * Where and on what a run happened: date, Node version, CPU model and count, and the commit measured
 * (other engineers share the checkout, so whether the worktree had uncommitted changes too).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface MachineInfo {
  readonly date: string;
  readonly node: string;
  readonly cpuModel: string;
  readonly cpus: number;
  /** `git rev-parse --short HEAD`, or "unknown". */
  readonly commit: string;
  /** Uncommitted changes outside bench/ in the worktree: the measured code is not exactly `commit` (null when git could not tell). */
  readonly dirty: boolean | null;
}

export function machineInfo(root: string): MachineInfo {
  return {
    date: new Date().toISOString(),
    node: process.version,
    cpuModel: cpuModel(),
    cpus: cpus().length,
    commit: git(root, ['rev-parse', '--short', 'HEAD']) ?? 'unknown',
    dirty: ((status) => (status === undefined ? null : status.length > 0))(git(root, ['status', '--porcelain', '--', '.', ':!bench'])),
  };
}

function cpuModel(): string {
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    return cpus()[0]?.model ?? 'unknown';
  }
}

function git(root: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync('git', [...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}
