/**
 * Runs built entry points (`dist/src/main.js`, `dist/src/cli/client.js`) as child processes, building
 * `dist/` first when it is missing or older than the sources (`npm test` builds before vitest; a test
 * file run alone builds here). Concurrent test files share one build through a lock directory.
 *
 * ```ts
 * const gateway = spawnEntry('dist/src/main.js', { GRPC_PORT: '0' });
 * const line = await gateway.waitForJson((l) => l.addresses !== undefined);
 * gateway.kill('SIGTERM');
 * expect((await gateway.exited).code).toBe(0);
 * ```
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Builds dist/ unless `entry` (relative to the root) exists and was built after every change to src/ and gen/. */
export function ensureBuilt(entry: string): void {
  if (isFresh(entry)) return;
  const lock = join(ROOT, 'dist', '.build-lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Another test file is building; a lock older than the deadline is left over from a crash.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 180_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another build of dist/');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (isFresh(entry)) return;
    const path = `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;
    try {
      execFileSync('bash', ['scripts/build.sh'], { cwd: ROOT, env: { ...process.env, PATH: path }, stdio: 'pipe' });
    } catch (error) {
      // tsc still emits when other files have type errors; only a missing entry is fatal here.
      if (!existsSync(join(ROOT, entry))) throw error;
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Built, and built after the last source change. tsc rewrites only changed outputs, so the entry's own
 *  time says little; its build-info file is written on every build that changed anything. */
function isFresh(entry: string): boolean {
  if (!existsSync(join(ROOT, entry))) return false;
  const info = statSync(join(ROOT, 'dist', '.tsbuildinfo-build'), { throwIfNoEntry: false });
  if (info === undefined) return false;
  return Math.max(newestSource(join(ROOT, 'src')), newestSource(join(ROOT, 'gen'))) <= info.mtimeMs;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export interface SpawnedEntry {
  readonly pid: number | undefined;
  /** Everything written so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the first JSON line on stdout that satisfies `match`. */
  waitForJson(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  kill(signal: NodeJS.Signals): void;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Builds if needed, then runs `node ...nodeArgs <entry> ...args` from the repository root with `env` added. */
export function spawnEntry(entry: string, env: Readonly<Record<string, string>>, args: readonly string[] = [], nodeArgs: readonly string[] = []): SpawnedEntry {
  ensureBuilt(entry);
  // Hosted images (on by default) go to a temporary directory unless the test names one, not ./data.
  const dataDir = { DATA_DIR: mkdtempSync(join(tmpdir(), 'seedream-spawned-')) };
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, entry), ...args], { cwd: ROOT, env: { ...process.env, ...dataDir, ...env }, stdio: 'pipe' });
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const waiter of waiters) waiter();
  });
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      for (const waiter of waiters) waiter();
      resolve({ code, signal });
    }),
  );
  return {
    pid: child.pid,
    stdout: () => out,
    stderr: () => err,
    kill: (signal) => void child.kill(signal),
    exited,
    waitForJson(match, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching line in time; stdout:\n${out}\nstderr:\n${err}`)), timeoutMs);
        const check = () => {
          // Complete lines only: a chunk may end in the middle of one.
          for (const line of out.split('\n').slice(0, -1)) {
            const parsed = parseJsonLine(line);
            if (parsed !== undefined && match(parsed)) {
              clearTimeout(timer);
              resolve(parsed);
              return;
            }
          }
          if (child.exitCode !== null) {
            clearTimeout(timer);
            reject(new Error(`exited with ${child.exitCode}; stdout:\n${out}\nstderr:\n${err}`));
          }
        };
        waiters.push(check);
        check();
      });
    },
  };
}

function parseJsonLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
