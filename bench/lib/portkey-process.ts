/**
 * Portkey's open-source AI gateway (`@portkey-ai/gateway`, the closest Node peer, issue 15) as a child
 * process on loopback, forwarding OpenAI-shaped image calls to the simulator as its "openai" provider
 * with a custom host. It is installed from the npm registry into bench/peers/ (pinned by that folder's
 * package-lock.json) on first use; where the install fails the peer rows are listed under "Not run".
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { spawnNode, type Child } from './children.js';
import { UPSTREAM_KEY } from './simulator-process.js';

export const PORTKEY_VERSION = '1.15.2';

export interface PortkeyProcess {
  readonly child: Child;
  readonly origin: string;
  /** Headers that route a call through Portkey to the simulator (its provider config, the upstream key). */
  readonly headers: Readonly<Record<string, string>>;
}

/** The start script, installing bench/peers on first use; or why Portkey cannot run here. */
export function ensurePortkey(root: string): { entry: string } | { reason: string } {
  const folder = join(root, 'bench', 'peers');
  const entry = join(folder, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  if (!existsSync(entry)) {
    process.stdout.write(`  installing the peer gateways (bench/peers: @portkey-ai/gateway@${PORTKEY_VERSION}) from the npm registry …\n`);
    const install = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: folder, encoding: 'utf8', timeout: 300_000 });
    if (install.status !== 0) return { reason: `npm ci in bench/peers failed: ${(install.stderr || install.stdout || String(install.error)).trim().slice(-300)}` };
  }
  return existsSync(entry) ? { entry } : { reason: `bench/peers installed no ${entry}` };
}

export async function startPortkey(root: string, entry: string, simulatorUrl: string): Promise<PortkeyProcess> {
  const port = await freePort();
  const child = spawnNode({
    name: `portkey ${PORTKEY_VERSION}`,
    cwd: join(root, 'bench', 'peers'),
    // --headless: no log UI. NODE_ENV=production: no console log streaming routes.
    nodeArgs: [entry, `--port=${port}`, '--headless'],
    env: { NODE_ENV: 'production' },
  });
  await child.waitForLine((line) => (line.includes('Ready for connections') ? true : undefined), 30_000);
  const origin = `http://127.0.0.1:${port}`;
  return {
    child,
    origin,
    headers: {
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `${simulatorUrl}/api/v3`,
      authorization: `Bearer ${UPSTREAM_KEY}`,
    },
  };
}
