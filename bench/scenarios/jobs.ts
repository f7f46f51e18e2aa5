/**
 * Scenario 6, durable generations (DESIGN §10): what an idempotency key and a job add over a plain call,
 * and the memory of 1,000 waiting jobs — in process, the core driven directly over an upstream that
 * answers at once (no network in the figure), on the in-process job store and on Redis:
 * - plain: `generator.generate` (the path every call without a key keeps);
 * - keyed: `durable.start` with a key (fingerprint + atomic create), run detached, the caller's events
 *   read back from the job's log (`follow`);
 * - job: the same without a key (what `Prefer: respond-async` + a watch costs).
 * CPU per call at 16 concurrent calls; latency (p50, p99) of sequential calls. Then 1,000 jobs are held
 * in the upstream, each with one waiting watcher, and the heap they add (after GC) is read — next to
 * 1,000 plain calls held the same way.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config.js';
import { createDurableGenerations, type DurableGenerations } from '../../src/jobs/durable-generations.js';
import { createJobWebhooks } from '../../src/jobs/job-webhooks.js';
import type { JobStore } from '../../src/jobs/job-store.js';
import { createMemoryJobStore } from '../../src/jobs/memory-job-store.js';
import { createRedisJobStore } from '../../src/jobs/redis-job-store.js';
import { createImageGenerator, type ImageGenerator } from '../../src/service/image-generator.js';
import type { GenerationSpec } from '../../src/service/types.js';
import { createLogger } from '../../src/telemetry/logger.js';
import type { ImageUpstream, UpstreamEvent } from '../../src/upstream/types.js';
import { sampleProcess } from '../lib/proc.js';
import { startRedis, type RedisProcess } from '../lib/redis-process.js';

export interface JobsCallRow {
  readonly store: 'none' | 'memory' | 'redis';
  readonly mode: 'plain' | 'keyed' | 'job';
  readonly cpuUsPerCall: number;
  readonly p50Us: number;
  readonly p99Us: number;
  /** redis-server's CPU per call (Redis rows). */
  readonly redisCpuUsPerCall: number | null;
}

export interface WaitingJobsRow {
  /** `none`: plain calls held the same way, the baseline. */
  readonly store: 'none' | 'memory' | 'redis';
  readonly jobs: number;
  readonly heapBytesPerJob: number;
}

export interface JobsBenchResult {
  readonly calls: readonly JobsCallRow[];
  readonly waiting: readonly WaitingJobsRow[];
  readonly notRun: readonly string[];
}

const CALLS = 2000;
const LATENCY_CALLS = 500;
const CONCURRENCY = 16;
const WAITING_JOBS = 1000;
const spec: GenerationSpec = { model: 'seedream_4_5', prompt: 'a lighthouse', referenceImages: [], responseFormat: 'url', n: 1 };
const caller = { keyName: 'bench' };

/** An upstream answering one image at once — or, while `held`, only once released. */
function benchUpstream() {
  let release: () => void = () => {};
  let held: Promise<void> | undefined;
  const upstream: ImageUpstream = {
    provider: 'bench',
    server: { address: '127.0.0.1', port: 1 },
    async *generate(): AsyncGenerator<UpstreamEvent> {
      if (held !== undefined) await held;
      yield { type: 'image', index: 0, url: 'http://127.0.0.1:1/i.jpeg', width: 2048, height: 2048 };
      yield { type: 'completed', model: 'doubao-seedream-4-5-251128', generatedImages: 1, outputTokens: 16384, webSearches: 0 };
    },
    close: async () => {},
  };
  return {
    upstream,
    hold: () => (held = new Promise((resolve) => (release = resolve))),
    release: () => {
      held = undefined;
      release();
    },
  };
}

function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

async function drain(events: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of events);
}

export async function runJobsBench(): Promise<JobsBenchResult> {
  const config = loadConfig({ LOG_LEVEL: 'silent', HEARTBEAT_INTERVAL_MS: '0', OTEL_SDK_DISABLED: 'true', MAX_CONCURRENT_GENERATIONS: '100000', MAX_CONCURRENT_GENERATIONS_PER_KEY: '100000' });
  const logger = createLogger({ level: 'silent' });
  const bench = benchUpstream();
  const generator = createImageGenerator({ upstream: bench.upstream, config, region: 'cn' });
  const durableOn = (store: JobStore) =>
    createDurableGenerations({ generator, store, replicaId: 'bench', leaseMs: 30_000, maxCallDurationMs: 900_000, webhooks: createJobWebhooks(config.jobs.webhooks, store, logger), logger });
  const calls: JobsCallRow[] = [];
  const waiting: WaitingJobsRow[] = [];
  const gc = collectGarbage();

  let serial = 0;
  const callOf = (mode: JobsCallRow['mode'], durable: DurableGenerations | undefined, gen: ImageGenerator) => async () => {
    const signal = new AbortController().signal;
    if (durable === undefined) return drain(gen.generate(spec, { signal, caller }));
    const { job } = await durable.start(spec, { signal, caller }, mode === 'keyed' ? { key: `bench-${serial++}` } : {});
    return drain(durable.follow(job.id, signal));
  };

  const measure = async (store: JobsCallRow['store'], mode: JobsCallRow['mode'], call: () => Promise<void>, redisPid?: number) => {
    for (let i = 0; i < 300; i += 1) await call(); // warm-up
    const redisBefore = redisPid === undefined ? undefined : sampleProcess(redisPid).cpuMicros;
    const cpuBefore = process.cpuUsage();
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < CALLS) await call();
    }));
    const cpu = process.cpuUsage(cpuBefore);
    const redisCpu = redisPid === undefined || redisBefore === undefined ? null : (sampleProcess(redisPid).cpuMicros - redisBefore) / CALLS;
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_CALLS; i += 1) {
      const started = performance.now();
      await call();
      latencies.push((performance.now() - started) * 1000);
    }
    latencies.sort((a, b) => a - b);
    const row = { store, mode, cpuUsPerCall: (cpu.user + cpu.system) / CALLS, p50Us: latencies[Math.floor(LATENCY_CALLS * 0.5)] ?? 0, p99Us: latencies[Math.floor(LATENCY_CALLS * 0.99)] ?? 0, redisCpuUsPerCall: redisCpu };
    calls.push(row);
    process.stdout.write(`  ${mode} (${store}): ${row.cpuUsPerCall.toFixed(1)} µs CPU/call, p50 ${row.p50Us.toFixed(0)} µs, p99 ${row.p99Us.toFixed(0)} µs${redisCpu === null ? '' : `, redis-server ${redisCpu.toFixed(1)} µs/call`}\n`);
  };

  const measureWaiting = async (storeName: WaitingJobsRow['store'], durable: DurableGenerations | undefined) => {
    bench.hold();
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const watchers: Promise<void>[] = [];
    for (let i = 0; i < WAITING_JOBS; i += 1) {
      const signal = new AbortController().signal;
      if (durable === undefined) {
        watchers.push(drain(generator.generate(spec, { signal, caller })));
        continue;
      }
      const { job } = await durable.start(spec, { signal, caller }, { key: `waiting-${storeName}-${i}` });
      watchers.push(drain(durable.follow(job.id, signal)));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    gc();
    // Heap only: RSS inside this long-lived process mostly reuses what earlier phases freed.
    const row = { store: storeName, jobs: WAITING_JOBS, heapBytesPerJob: (process.memoryUsage().heapUsed - heapBefore) / WAITING_JOBS };
    waiting.push(row);
    process.stdout.write(`  ${WAITING_JOBS} waiting generations (${storeName}): ${(row.heapBytesPerJob / 1024).toFixed(1)} KiB heap each\n`);
    bench.release();
    await Promise.all(watchers);
  };

  await measure('none', 'plain', callOf('plain', undefined, generator));
  await measureWaiting('none', undefined);
  const memoryStore = createMemoryJobStore({ retentionMs: 3_600_000 });
  const memory = durableOn(memoryStore);
  await measure('memory', 'keyed', callOf('keyed', memory, generator));
  await measure('memory', 'job', callOf('job', memory, generator));
  await measureWaiting('memory', memory);
  await memory.close();
  await memoryStore.close();

  const redis: RedisProcess | undefined = await startRedis();
  if (redis === undefined) return { calls, waiting, notRun: ['jobs on Redis: redis-server is not installed'] };
  const client = new Redis(redis.url);
  try {
    const redisStore = createRedisJobStore({ redis: client, retentionMs: 3_600_000, keyPrefix: 'bench-jobs:' });
    const onRedis = durableOn(redisStore);
    await measure('redis', 'keyed', callOf('keyed', onRedis, generator), redis.child.pid);
    await measure('redis', 'job', callOf('job', onRedis, generator), redis.child.pid);
    await measureWaiting('redis', onRedis);
    await onRedis.close();
    await redisStore.close();
  } finally {
    client.disconnect();
    await redis.child.stop(5000);
  }
  return { calls, waiting, notRun: [] };
}

export function jobsMarkdown(result: JobsBenchResult): string[] {
  const plain = result.calls.find((r) => r.mode === 'plain');
  const delta = (value: number, base: number | undefined) => (base === undefined ? '–' : `${value - base >= 0 ? '+' : ''}${(value - base).toFixed(1)}`);
  return [
    `**6. Durable generations: idempotency keys and jobs** (in process, the core over an upstream that answers at once; CPU at ${CONCURRENCY} concurrent, latency of sequential calls)`,
    '',
    '| call | job store | CPU µs/call | Δ CPU vs plain | p50 µs | p99 µs | Δ p50 vs plain | redis-server CPU µs/call |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...result.calls.map(
      (r) =>
        `| ${r.mode} | ${r.store} | ${r.cpuUsPerCall.toFixed(1)} | ${r === plain ? '–' : delta(r.cpuUsPerCall, plain?.cpuUsPerCall)} | ${r.p50Us.toFixed(0)} | ${r.p99Us.toFixed(0)} | ${r === plain ? '–' : delta(r.p50Us, plain?.p50Us)} | ${r.redisCpuUsPerCall === null ? '–' : r.redisCpuUsPerCall.toFixed(1)} |`,
    ),
    '',
    `${WAITING_JOBS} generations held in the upstream (after GC): plain calls, then jobs with one waiting watcher each:`,
    '',
    '| job store | heap KiB/generation | Δ heap vs plain |',
    '|---|---:|---:|',
    ...result.waiting.map((w) => {
      const base = result.waiting.find((row) => row.store === 'none');
      const d = base === undefined || base === w ? '–' : `${w.heapBytesPerJob >= base.heapBytesPerJob ? '+' : ''}${((w.heapBytesPerJob - base.heapBytesPerJob) / 1024).toFixed(1)}`;
      return `| ${w.store === 'none' ? 'none (plain calls)' : w.store} | ${(w.heapBytesPerJob / 1024).toFixed(1)} | ${d} |`;
    }),
    '',
  ];
}
