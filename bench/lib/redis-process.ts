/**
 * A `redis-server` (the Debian package) as a child process on a free loopback port, with no persistence,
 * for the scenario that measures the Redis engines. Undefined when redis-server is not installed.
 */
import { spawnSync } from 'node:child_process';
import { freePort } from './free-port.js';
import { spawnNode, type Child } from './children.js';

export interface RedisProcess {
  readonly child: Child;
  readonly url: string;
}

export async function startRedis(): Promise<RedisProcess | undefined> {
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined;
  const port = await freePort();
  const child = spawnNode({
    name: 'redis-server',
    command: 'redis-server',
    nodeArgs: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    env: {},
    cwd: '/',
  });
  await child.waitForLine((line) => (/Ready to accept connections/.test(line) ? true : undefined), 10_000);
  return { child, url: `redis://127.0.0.1:${port}` };
}
