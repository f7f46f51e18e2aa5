/**
 * Starts a real `redis-server` (Debian's package) on a free loopback port for a test file, with no
 * persistence, and stops it afterwards.
 *
 * ```ts
 * const redisGate = redisTestGate();            // skip locally when redis-server is missing
 * describe.runIf(redisGate.run)('…', () => {
 *   let server: TestRedisServer;
 *   beforeAll(async () => { server = await startRedisServer(); });
 *   afterAll(() => server.stop());
 *   // new Redis(server.url)
 * });
 * ```
 *
 * CI installs redis-server and sets REQUIRE_REDIS=1 (.ci/run): there the tests always run, and fail if
 * the binary is missing instead of being skipped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const binary = process.env.REDIS_SERVER_BIN ?? 'redis-server';

export interface TestRedisServer {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Whether Redis tests run here, and why not if they do not (said once per file on stderr). */
export function redisTestGate(): { readonly run: boolean } {
  if (process.env.REQUIRE_REDIS === '1') return { run: true };
  const found = spawnSync(binary, ['--version']).status === 0;
  if (!found) {
    console.warn(`SKIPPED: ${binary} is not installed here, so the Redis tests of this file are skipped ` +
      '(apt-get install redis-server to run them; CI installs it and sets REQUIRE_REDIS=1).');
  }
  return { run: found };
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function waitUntilReady(child: ChildProcess, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start within 15 s:\n${log()}`)), 15_000);
    child.stdout?.on('data', () => {
      if (log().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code} before it was ready:\n${log()}`));
    });
  });
}

/** Starts redis-server on a free 127.0.0.1 port (retrying if another process takes the port first). */
export async function startRedisServer(): Promise<TestRedisServer> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    const dir = mkdtempSync(join(tmpdir(), 'redis-test-'));
    const child = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'notice'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitUntilReady(child, () => output);
    } catch (error) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      if (attempt < 3 && output.includes('Address already in use')) continue;
      throw error;
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      async stop() {
        child.kill('SIGTERM');
        await exited;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
