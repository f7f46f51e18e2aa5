/**
 * Run options: defaults sized so the whole `npm run bench` stays under ~4 minutes on a 2-core machine;
 * environment variables override them for quick iterations or deeper runs.
 */
import { fileURLToPath } from 'node:url';

export type ScenarioName = 'url' | 'latency' | 'b64' | 'streams' | 'hosting' | 'channels' | 'jobs' | 'image-path' | 'peers' | 'upload';

export interface BenchOptions {
  /** Repository root (the harness runs from dist/bench/). */
  readonly root: string;
  /** Gateway entry relative to the root. */
  readonly gatewayEntry: string;
  readonly scenarios: ReadonlySet<ScenarioName>;
  /** Only these gateway paths (e.g. `grpc-unary`), for profiling one path; undefined = all. */
  readonly paths: ReadonlySet<string> | undefined;
  /** Only the gateways of scenarios 1/1b whose name contains one of these (e.g. `traced, hosting off`,
   *  `floor`), for profiling or A/B of one gateway; undefined = all. */
  readonly gateways: readonly string[] | undefined;
  readonly warmupMs: number;
  /** Unmeasured load every fresh gateway or floor process of scenarios 1, 1b and 2 serves first, over all its paths. */
  readonly processWarmupMs: number;
  readonly measureMs: number;
  /** Closed-loop concurrency of URL-mode phases. */
  readonly urlConcurrency: number;
  /** Closed-loop concurrency of the peers scenario (issue 15 compares gateways at 64). */
  readonly peerConcurrency: number;
  /** Closed-loop concurrency of base64 phases (answers are ≈ 1.6 MB each). */
  readonly base64Concurrency: number;
  /** Images per base64 answer (4K JPEGs of ≈ 0.41 MB of base64 each). */
  readonly base64Images: number;
  /** Slow streams opened per transport (gRPC, then REST). */
  readonly slowStreams: number;
  /** Image path (scenario 7): real 20–90 s renders are divided by this (100 → 0.2–0.9 s). */
  readonly imageRenderScale: number;
  /** Image path: calls per target at c=1. */
  readonly imageCalls: number;
  /** Image path: concurrency steps, ascending; stepping stops at the first step with an error. */
  readonly imageSteps: readonly number[];
  /** Upload (scenario 9): size of the reference image, bytes. */
  readonly uploadBytes: number;
  /** Upload: the round trip the delaying proxy adds, ms. */
  readonly uploadRoundTripMs: number;
  /** Upload: measured calls per target, one at a time. */
  readonly uploadCalls: number;
  /** Directory for gateway CPU profiles (`node --cpu-prof`), one per gateway process; unset = none. */
  readonly cpuProfileDir: string | undefined;
  /** Extra node options for every gateway process (e.g. V8 heap flags to A/B), before the entry. */
  readonly gatewayNodeArgs: readonly string[];
  /** Where latest.json and README.md live. */
  readonly benchDir: string;
}

/** Every scenario, in run order; a run of all of them rewrites bench/README.md's figures. */
export const ALL_SCENARIOS: readonly ScenarioName[] = ['url', 'latency', 'b64', 'streams', 'hosting', 'channels', 'jobs', 'image-path', 'peers', 'upload'];

export function benchOptionsFromEnv(env: NodeJS.ProcessEnv): BenchOptions {
  const root = fileURLToPath(new URL('../../..', import.meta.url));
  const scenarios = (env.BENCH_SCENARIOS ?? ALL_SCENARIOS.join(',')).split(',').map((name) => {
    const scenario = ALL_SCENARIOS.find((known) => known === name.trim());
    if (scenario === undefined) throw new Error(`BENCH_SCENARIOS: unknown scenario ${JSON.stringify(name)} (known: ${ALL_SCENARIOS.join(', ')})`);
    return scenario;
  });
  return {
    root,
    gatewayEntry: env.BENCH_GATEWAY_ENTRY ?? 'dist/src/main.js',
    scenarios: new Set(scenarios),
    paths: env.BENCH_PATHS === undefined || env.BENCH_PATHS === '' ? undefined : new Set(env.BENCH_PATHS.split(',').map((p) => p.trim())),
    gateways: env.BENCH_GATEWAYS === undefined || env.BENCH_GATEWAYS === '' ? undefined : env.BENCH_GATEWAYS.split('|').map((g) => g.trim()),
    warmupMs: positive(env, 'BENCH_WARMUP_MS', 1500),
    processWarmupMs: positive(env, 'BENCH_PROCESS_WARMUP_MS', 6000),
    measureMs: positive(env, 'BENCH_MEASURE_MS', 6000),
    urlConcurrency: positive(env, 'BENCH_URL_CONCURRENCY', 32),
    peerConcurrency: positive(env, 'BENCH_PEER_CONCURRENCY', 64),
    base64Concurrency: positive(env, 'BENCH_B64_CONCURRENCY', 8),
    base64Images: positive(env, 'BENCH_B64_IMAGES', 4),
    slowStreams: positive(env, 'BENCH_STREAMS', 500),
    imageRenderScale: positive(env, 'BENCH_IMAGE_RENDER_SCALE', 100),
    imageCalls: positive(env, 'BENCH_IMAGE_CALLS', 12),
    imageSteps: steps(env, 'BENCH_IMAGE_STEPS', [8, 16, 32, 64]),
    uploadBytes: positive(env, 'BENCH_UPLOAD_BYTES', 8_000_000),
    uploadRoundTripMs: positive(env, 'BENCH_UPLOAD_RTT_MS', 20),
    uploadCalls: positive(env, 'BENCH_UPLOAD_CALLS', 4),
    cpuProfileDir: env.BENCH_CPU_PROF === undefined || env.BENCH_CPU_PROF === '' ? undefined : env.BENCH_CPU_PROF,
    gatewayNodeArgs: (env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
    benchDir: `${root}bench`,
  };
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, not ${JSON.stringify(raw)}`);
  return value;
}

/** A comma-separated list of positive integers, sorted ascending. */
function steps(env: NodeJS.ProcessEnv, name: string, fallback: readonly number[]): readonly number[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return raw.split(',').map((part) => {
    const value = Number(part.trim());
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must list positive integers, not ${JSON.stringify(raw)}`);
    return value;
  }).sort((a, b) => a - b);
}
