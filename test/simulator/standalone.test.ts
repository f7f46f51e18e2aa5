import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// Built by the global setup (scripts/build.sh), as `npm run simulator` runs it.
const entry = fileURLToPath(new URL('../../dist/src/simulator/main.js', import.meta.url));
let child: ChildProcess | undefined;
afterEach(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
});

/** Starts the standalone simulator and resolves with its URL from the `listening on` line. */
async function startStandalone(env: Record<string, string>): Promise<{ url: string; output: () => string }> {
  const proc = spawn(process.execPath, [entry], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let output = '';
  proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL in time; output: ${output}`)), 10_000);
    proc.stdout.on('data', () => {
      const match = /Seedream simulator listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    proc.on('exit', (code) => reject(new Error(`exited with ${String(code)}: ${output}`)));
  });
  return { url, output: () => output };
}

describe('standalone simulator (npm run simulator)', () => {
  it('listens on SIMULATOR_PORT, requires SIMULATOR_API_KEY, generates, and stops on SIGTERM', async () => {
    const { url, output } = await startStandalone({ SIMULATOR_PORT: '0', SIMULATOR_API_KEY: 'standalone-key', SIMULATOR_LATENCY_MS: '0' });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const post = (key: string) =>
      fetch(`${url}/api/v3/images/generations`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'doubao-seedream-4-5-251128', prompt: 'a fox', size: '2K' }),
      });
    expect((await post('other')).status).toBe(401);
    const answer = await post('standalone-key');
    expect(answer.status).toBe(200);
    const { data } = (await answer.json()) as { data: { url: string }[] };
    expect(data[0]?.url.startsWith(`${url}/images/`)).toBe(true);
    expect((await fetch(data[0]?.url ?? '')).headers.get('content-type')).toBe('image/jpeg');

    child?.kill('SIGTERM');
    const [code] = (await once(child as ChildProcess, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(output()).toContain('received SIGTERM, stopping');
  });

  it('applies SIMULATOR_LATENCY_MS per image', async () => {
    const { url } = await startStandalone({ SIMULATOR_PORT: '0', SIMULATOR_LATENCY_MS: '300' });
    const started = Date.now();
    const answer = await fetch(`${url}/api/v3/images/generations`, {
      method: 'POST',
      headers: { authorization: 'Bearer any-key-works', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'doubao-seedream-4-0-250828', prompt: 'a fox', size: '1K' }),
    });
    expect(answer.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('exits with the configuration problem when a SIMULATOR_* value is invalid', async () => {
    const proc = spawn(process.execPath, [entry], { env: { ...process.env, SIMULATOR_PORT: 'eighty' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const [code] = (await once(proc, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toContain('SIMULATOR_PORT');
  });
});
