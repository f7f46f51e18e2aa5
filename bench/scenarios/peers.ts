/**
 * Scenario 8, peers (issue 15): the same URL-mode REST call at 64 concurrent straight to the simulator,
 * through the shipped gateway (tracing on, hosting local), through the gateway with hosting off, and
 * through Portkey's gateway (`@portkey-ai/gateway`, the closest Node peer, forwarding to the simulator as
 * an OpenAI-compatible custom host). Portkey passes the upstream's URL through; the shipped gateway
 * downloads and hosts every image, so the hosting-off row is the like-for-like one. Budget (issue 15):
 * the shipped gateway's REST req/s ≥ 5× Portkey's in the same run.
 */
import type { BenchContext } from '../lib/context.js';
import { stopGateway } from '../lib/context.js';
import { createContentCheck } from '../lib/content-check.js';
import { CALLER_KEY } from '../lib/gateway-process.js';
import { createHttpPool, httpCall, type HttpTarget } from '../lib/http-calls.js';
import { measurePhase, type PhaseFigures } from '../lib/phase.js';
import { ensurePortkey, PORTKEY_VERSION, startPortkey } from '../lib/portkey-process.js';
import { shippedHosting } from '../lib/shipped-defaults.js';
import { UPSTREAM_KEY } from '../lib/simulator-process.js';
import { jsonBody, urlWorkload } from '../lib/workloads.js';

export type PeerTarget = 'direct' | 'gateway-shipped' | 'gateway-hosting-off' | 'portkey';

export interface PeerPhase extends PhaseFigures {
  readonly target: PeerTarget;
  /** Requests/s ÷ Portkey's requests/s in this run (null without Portkey). */
  readonly overPortkey: number | null;
}

export interface PeersResult {
  readonly concurrency: number;
  readonly portkeyVersion: string;
  readonly phases: readonly PeerPhase[];
  /** Why Portkey did not run, if it did not. */
  readonly notRun: string | null;
}

const labels: Readonly<Record<PeerTarget, string>> = {
  direct: 'direct → simulator (Ark JSON)',
  'gateway-shipped': 'seedream-gateway, shipped (traced, hosting local)',
  'gateway-hosting-off': 'seedream-gateway, traced, hosting off',
  portkey: `Portkey ${PORTKEY_VERSION} (openai provider, custom host)`,
};

export async function runPeers(ctx: BenchContext): Promise<PeersResult> {
  const { options, simulator } = ctx;
  const concurrency = options.peerConcurrency;
  const body = jsonBody(urlWorkload, false);
  const measured: { target: PeerTarget; figures: PhaseFigures }[] = [];
  const measure = async (target: PeerTarget, origin: string, path: string, key: string, pid: number | undefined, headers?: Record<string, string>) => {
    const pool = createHttpPool(origin, concurrency);
    const http: HttpTarget = { origin, path, key, body, sse: false, ...(headers !== undefined && { headers }) };
    try {
      const figures = await measurePhase({
        name: `peers · ${labels[target]}`,
        call: httpCall(pool, http, createContentCheck()),
        concurrency,
        warmupMs: options.warmupMs,
        measureMs: options.measureMs,
        simulatorPid: simulator.child.pid,
        gatewayPid: pid,
      });
      measured.push({ target, figures });
    } finally {
      await pool.close();
    }
  };

  await measure('direct', simulator.url, '/api/v3/images/generations', UPSTREAM_KEY, undefined);
  const hosting = shippedHosting(simulator.url);
  try {
    for (const [target, env] of [['gateway-shipped', hosting.env], ['gateway-hosting-off', {}]] as const) {
      const gateway = await ctx.gateway({ name: labels[target], traced: true, env });
      try {
        if (gateway.httpOrigin === undefined) throw new Error(`${labels[target]}: no REST adapter`);
        await measure(target, gateway.httpOrigin, '/v1/images/generations', CALLER_KEY, gateway.child.pid);
      } finally {
        await stopGateway(gateway);
      }
    }
  } finally {
    hosting.dispose();
  }

  const install = ensurePortkey(options.root);
  let notRun: string | null = null;
  if ('reason' in install) {
    notRun = install.reason;
    process.stdout.write(`  peers · Portkey: NOT RUN — ${notRun}\n`);
  } else {
    const portkey = await startPortkey(options.root, install.entry, simulator.url);
    try {
      await measure('portkey', portkey.origin, '/v1/images/generations', UPSTREAM_KEY, portkey.child.pid, { ...portkey.headers });
    } finally {
      await portkey.child.stop(5000);
    }
  }
  const portkeyRate = measured.find((m) => m.target === 'portkey')?.figures.requestsPerSecond;
  return {
    concurrency,
    portkeyVersion: PORTKEY_VERSION,
    notRun,
    phases: measured.map(({ target, figures }) => ({
      ...figures,
      target,
      overPortkey: portkeyRate === undefined || portkeyRate === 0 ? null : figures.requestsPerSecond / portkeyRate,
    })),
  };
}

export const peerLabels = labels;
