/**
 * Scenario 4, in process: the CPU that routing, caller quotas and the usage ledger add to one call of
 * the core, without network or other processes in the figure — the core driven directly over an upstream
 * that answers at once. Rows: the core over the bare upstream (no channels, no accounting); through one
 * env-style channel with the in-process ledger; with three channels, a channel IPM budget and every
 * caller quota in process; the same on Redis (whose own CPU is read from /proc and shown apart).
 */
import { Redis } from 'ioredis';
import { createChannelSet } from '../../src/channels/channel-set.js';
import { createChannelMetrics } from '../../src/channels/channel-metrics.js';
import { createRoutedUpstream } from '../../src/channels/routed-upstream.js';
import { defaultRouting, type ChannelConfig } from '../../src/channels/types.js';
import { loadConfig } from '../../src/config.js';
import { createCallerQuotas } from '../../src/limits/caller-quotas.js';
import type { LimitStore } from '../../src/limits/limit-store.js';
import { createMemoryLimitStore } from '../../src/limits/memory-limit-store.js';
import { createRedisLimitStore } from '../../src/limits/redis-limit-store.js';
import type { CallerLimits } from '../../src/limits/types.js';
import { createPriceTable } from '../../src/models/pricing.js';
import { createImageGenerator } from '../../src/service/image-generator.js';
import type { GenerationSpec } from '../../src/service/types.js';
import { createLogger } from '../../src/telemetry/logger.js';
import type { ImageUpstream, UpstreamEvent } from '../../src/upstream/types.js';
import { createCallAccounting } from '../../src/usage/call-accounting.js';
import { createMemoryUsageLedger } from '../../src/usage/memory-usage-ledger.js';
import { createRedisUsageLedger } from '../../src/usage/redis-usage-ledger.js';
import type { UsageLedger } from '../../src/usage/usage-ledger.js';
import { sampleProcess } from '../lib/proc.js';
import type { RedisProcess } from '../lib/redis-process.js';

export interface InProcessRow {
  readonly name: string;
  readonly calls: number;
  /** This process's CPU per call (user + system). */
  readonly cpuUsPerCall: number;
  readonly wallUsPerCall: number;
  /** redis-server's CPU per call, for the Redis row. */
  readonly redisCpuUsPerCall: number | null;
}

const CALLS = 4000;
const CONCURRENCY = 16;
const spec: GenerationSpec = { model: 'seedream_4_5', prompt: 'a lighthouse', referenceImages: [], responseFormat: 'url', n: 1 };
const caller = { keyName: 'bench' };
const quotas: CallerLimits = { requestsPerMinute: 1e9, imagesPerMinute: 1e9, dailyBudgetMicros: 1e15, monthlyBudgetMicros: 1e15 };

/** An upstream that answers one image at once. */
const instant: ImageUpstream = {
  provider: 'bench',
  server: { address: '127.0.0.1', port: 1 },
  async *generate(): AsyncGenerator<UpstreamEvent> {
    yield { type: 'image', index: 0, url: 'http://127.0.0.1:1/i.jpeg', width: 2048, height: 2048 };
    yield { type: 'completed', model: 'doubao-seedream-4-5-251128', generatedImages: 1, outputTokens: 16384, webSearches: 0 };
  },
  close: async () => {},
};

export async function measureChannelsInProcess(redis: RedisProcess | undefined): Promise<InProcessRow[]> {
  const config = loadConfig({ LOG_LEVEL: 'silent', HEARTBEAT_INTERVAL_MS: '0', OTEL_SDK_DISABLED: 'true' });
  const prices = createPriceTable('USD');
  const logger = createLogger({ level: 'silent' });
  const channel = (name: string, priority: number, imagesPerMinute?: number): ChannelConfig => ({
    name, kind: 'ark', region: 'cn', baseUrl: 'http://127.0.0.1:1/api/v3', keys: ['k'], models: undefined, priority, weight: 1, maxConcurrency: undefined, imagesPerMinute,
  });
  const routed = (channels: ChannelConfig[], limits: LimitStore) =>
    createRoutedUpstream({ set: createChannelSet(channels, { routing: defaultRouting, upstreamFor: () => instant }), limits, routing: defaultRouting, logger, metrics: createChannelMetrics() });
  const accounting = (store: LimitStore, ledger: UsageLedger, limits: CallerLimits | undefined) =>
    createCallAccounting({ quotas: createCallerQuotas({ store, limitsOf: () => limits, prices, rateWindowMs: 60_000 }), ledger, prices, onError: (e) => { throw e; } });

  const rows: InProcessRow[] = [];
  const measure = async (name: string, upstream: ImageUpstream, withAccounting: ReturnType<typeof accounting> | undefined, redisPid?: number) => {
    const generator = createImageGenerator({ upstream, config, region: 'cn', ...(withAccounting !== undefined && { accounting: withAccounting }) });
    const call = async () => {
      for await (const event of generator.generate(spec, { signal: new AbortController().signal, caller })) if (event.type === 'completed') return;
    };
    for (let i = 0; i < 500; i += 1) await call(); // warm-up
    const redisBefore = redisPid === undefined ? undefined : sampleProcess(redisPid).cpuMicros;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => { while (next++ < CALLS) await call(); }));
    const wall = (performance.now() - started) * 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const redisCpu = redisPid === undefined || redisBefore === undefined ? null : (sampleProcess(redisPid).cpuMicros - redisBefore) / CALLS;
    rows.push({ name, calls: CALLS, cpuUsPerCall: (cpu.user + cpu.system) / CALLS, wallUsPerCall: wall / CALLS, redisCpuUsPerCall: redisCpu });
    process.stdout.write(`  in process · ${name}: ${((cpu.user + cpu.system) / CALLS).toFixed(1)} µs CPU/call${redisCpu === null ? '' : `, redis-server ${redisCpu.toFixed(1)} µs/call`}\n`);
  };

  const memory = createMemoryLimitStore();
  await measure('core over the bare upstream (no channels, no accounting)', instant, undefined);
  await measure('one channel + in-process ledger, no quotas (the env-only configuration)', routed([channel('default', 0)], memory), accounting(memory, createMemoryUsageLedger(), undefined));
  const three = [channel('a', 10, 1e9), channel('b', 10, 1e9), channel('c', 0, 1e9)];
  await measure('3 channels + IPM + every caller quota + ledger, in process', routed(three, memory), accounting(memory, createMemoryUsageLedger(), quotas));
  if (redis !== undefined) {
    const client = new Redis(redis.url);
    try {
      const store = createRedisLimitStore(client, 'bench-in-process');
      await measure('3 channels + IPM + every caller quota + ledger, Redis', routed(three, store), accounting(store, createRedisUsageLedger(client, 'bench-in-process'), quotas), redis.child.pid);
    } finally {
      client.disconnect();
    }
  }
  return rows;
}
