/**
 * Child processes the harness starts (simulator, gateways): spawned by pid, their stdout scanned line by
 * line until they announce readiness, and always killed — on a normal stop, on an error, on SIGINT and
 * on exit. Nothing else is ever signalled: only pids this module spawned.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

/** How a child ended. */
export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface Child {
  readonly name: string;
  readonly pid: number;
  /** The last ~64 KB of stdout and stderr, for error messages. */
  output(): string;
  /** Resolves with the first stdout or stderr line `match` maps to a value; rejects on timeout or exit. */
  waitForLine<T>(match: (line: string) => T | undefined, timeoutMs: number): Promise<T>;
  /** Whether it has exited (expectedly or not). */
  exited(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`. Resolves when it has exited. */
  stop(graceMs?: number): Promise<ExitInfo>;
}

export interface SpawnOptions {
  readonly name: string;
  /** Arguments to `node` (flags, then the entry file), or to `command`. */
  readonly nodeArgs: readonly string[];
  /** Another program than the harness's node (redis-server). */
  readonly command?: string;
  /** The child's whole environment besides PATH and HOME: nothing leaks in from the harness's shell
   *  (a stray GATEWAY_API_KEYS or OTEL_* there would change what is measured). */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

const TAIL_BYTES = 64 * 1024;
const alive = new Map<number, string>();

/** Starts `node ...nodeArgs` (the harness's own node binary) with `env`. */
export function spawnNode(options: SpawnOptions): Child {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(options.command ?? process.execPath, [...options.nodeArgs], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: could not be spawned`);
  alive.set(pid, options.name);

  let tail = '';
  const matchers = new Set<(line: string) => void>();
  let exit: ExitInfo | undefined;
  const exitWaiters: ((info: ExitInfo) => void)[] = [];
  const keep = (text: string) => {
    tail = (tail + text).slice(-TAIL_BYTES);
  };
  // Lines of both streams are offered to the matchers (the inspector announces itself on stderr).
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (text: string) => {
      keep(text);
      if (matchers.size === 0) return; // after start-up the output is only drained, not parsed
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) for (const matcher of [...matchers]) matcher(line);
    });
  }
  child.once('exit', (code, signal) => {
    alive.delete(pid);
    exit = { code, signal };
    for (const waiter of exitWaiters.splice(0)) waiter(exit);
  });
  const onExit = () =>
    new Promise<ExitInfo>((resolve) => {
      if (exit !== undefined) resolve(exit);
      else exitWaiters.push(resolve);
    });

  return {
    name: options.name,
    pid,
    output: () => tail,
    exited: () => exit !== undefined,
    waitForLine<T>(match: (line: string) => T | undefined, timeoutMs: number): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const settle = () => {
          clearTimeout(timer);
          matchers.delete(matcher);
        };
        const fail = (message: string) => {
          settle();
          reject(new Error(`${options.name} (pid ${pid}) ${message}; output:\n${tail}`));
        };
        const matcher = (line: string) => {
          const value = match(line);
          if (value === undefined) return;
          settle();
          resolve(value);
        };
        const timer = setTimeout(() => fail(`did not become ready within ${timeoutMs} ms`), timeoutMs);
        matchers.add(matcher);
        void onExit().then((info) => fail(`exited (code ${String(info.code)}, signal ${String(info.signal)}) before it was ready`));
      });
    },
    async stop(graceMs = 10_000) {
      if (exit !== undefined) return exit;
      signal(pid, 'SIGTERM');
      const timer = setTimeout(() => signal(pid, 'SIGKILL'), graceMs);
      const info = await onExit();
      clearTimeout(timer);
      return info;
    },
  };
}

/** SIGKILLs every child still running; synchronous, so it is safe in an `exit` handler. */
export function killAllChildren(): void {
  for (const pid of alive.keys()) signal(pid, 'SIGKILL');
}

/** Kills the children when the harness ends in any way, and turns SIGINT/SIGTERM into that end. */
export function installChildCleanup(): void {
  process.on('exit', killAllChildren);
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    process.on(name, () => {
      process.stderr.write(`\nbench: ${name} received, killing ${alive.size} child process(es)\n`);
      killAllChildren();
      process.exit(name === 'SIGINT' ? 130 : 143);
    });
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
