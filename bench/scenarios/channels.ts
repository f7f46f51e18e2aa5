/**
 * Scenario 4, channels, quotas and the ledger (DESIGN §12): what they add per request, in URL mode at
 * zero simulator latency like scenario 1, untraced. Three gateways:
 * - env only: one channel, no caller quotas — routing and the in-process ledger only;
 * - config file, in process: two channels (priority + weight), a channel images-per-minute budget, and
 *   every caller quota (requests and images per minute, daily and monthly budgets) on the bench key;
 * - the same on Redis: every call one reserve script for the caller, one for the channel, one refund
 *   script when something is given back, one ledger script.
 * Limits are set far above the load, so every call is served and only their cost is measured.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchContext } from '../lib/context.js';
import { CALLER_KEY } from '../lib/gateway-process.js';
import { startRedis } from '../lib/redis-process.js';
import { UPSTREAM_KEY } from '../lib/simulator-process.js';
import { urlWorkload } from '../lib/workloads.js';
import { measureChannelsInProcess, type InProcessRow } from './channels-in-process.js';
import { runThroughput, type GatewayPlan, type ThroughputResult } from './throughput.js';

const PATHS = ['grpc-unary', 'rest-json'] as const;

export interface ChannelsResult extends ThroughputResult {
  /** The same components timed inside one process (no network in the figure). */
  readonly inProcess: readonly InProcessRow[];
  readonly notRun: readonly string[];
}

export async function runChannels(ctx: BenchContext): Promise<ChannelsResult> {
  const redis = await startRedis();
  try {
    const inProcess = await measureChannelsInProcess(redis);
    const dir = mkdtempSync(join(tmpdir(), 'bench-channels-'));
    const file = (name: string, store: object) => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(configFile(ctx.simulator.url, store)));
      // The file's caller replaces the harness's GATEWAY_API_KEYS entry (same key, with quotas), and its
      // channels the harness's single upstream (blank = unset).
      return { GATEWAY_CONFIG_FILE: path, GATEWAY_API_KEYS: '', UPSTREAM_KIND: '', ARK_API_KEY: '', ARK_BASE_URL: '', BENCH_UPSTREAM_KEY: UPSTREAM_KEY };
    };
    const gateways: GatewayPlan[] = [
      { name: 'gateway (env only: one channel, no quotas)', traced: false, paths: PATHS },
      { name: 'gateway (2 channels + IPM + caller quotas, in process)', traced: false, paths: PATHS, env: file('memory.json', { kind: 'memory' }) },
    ];
    if (redis !== undefined) {
      gateways.push({ name: 'gateway (2 channels + IPM + caller quotas, Redis)', traced: false, paths: PATHS, env: file('redis.json', { kind: 'redis', url: redis.url, keyPrefix: 'bench' }) });
    }
    const result = await runThroughput(ctx, { scenario: 'channels', workload: urlWorkload, concurrency: ctx.options.urlConcurrency, directPaths: ['direct-json'], gateways });
    return { ...result, inProcess, notRun: redis === undefined ? ['channels on Redis: redis-server is not installed'] : [] };
  } finally {
    await redis?.child.stop(5000);
  }
}

function configFile(simulatorUrl: string, store: object): object {
  const channel = (name: string, priority: number, weight: number) => ({
    name,
    kind: 'ark',
    region: 'cn',
    baseUrl: `${simulatorUrl}/api/v3`,
    keys: [{ env: 'BENCH_UPSTREAM_KEY' }],
    priority,
    weight,
    imagesPerMinute: 10_000_000,
  });
  return {
    channels: [channel('primary-a', 10, 3), channel('primary-b', 10, 1), channel('fallback', 0, 1)],
    callers: [
      {
        name: 'bench',
        sha256: createHash('sha256').update(CALLER_KEY).digest('hex'),
        requestsPerMinute: 10_000_000,
        imagesPerMinute: 10_000_000,
        dailyBudget: 1_000_000_000,
        monthlyBudget: 1_000_000_000,
      },
    ],
    store,
  };
}
