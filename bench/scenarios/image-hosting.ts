/**
 * Scenario 4, image hosting (DESIGN §8, §11): what re-hosting a 4K URL image adds, for IMAGE_HOSTING=off
 * (the baseline: the upstream URL is passed through), local (DATA_DIR on this disk) and s3 (s3rver in
 * the harness process, on loopback). Per store, through REST JSON:
 * - c=1, sequential: gateway CPU per request and per MB stored (over the baseline), and the added
 *   delivery time (p50/p99 over the baseline) — the download from the simulator plus the store's write;
 * - 100 concurrent re-hosts of 4K images: the gateway's peak RSS over its idle RSS, per re-host, against
 *   the size of one image. Streams, not buffers: the growth per re-host stays far below an image.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startS3Server, type TestS3Server } from '../lib/s3-server.js';
import type { BenchContext } from '../lib/context.js';
import { stopGateway } from '../lib/context.js';
import { CALLER_KEY, type GatewayProcess } from '../lib/gateway-process.js';
import { createLatencyRecorder, type LatencySummary } from '../lib/latency.js';
import { sampleProcess } from '../lib/proc.js';
import { MODEL } from '../lib/workloads.js';

export type HostingStore = 'off' | 'local' | 's3';

export interface HostingFigures {
  readonly store: HostingStore;
  readonly requests: number;
  /** Bytes stored per request (0 for off). */
  readonly bytesPerImage: number;
  readonly cpuMsPerRequest: number;
  /** (CPU per request − baseline CPU per request) / MB stored per request; null for off. */
  readonly addedCpuMsPerMb: number | null;
  readonly latency: LatencySummary;
  readonly addedP50Ms: number | null;
  readonly addedP99Ms: number | null;
  readonly concurrent: number;
  readonly idleRssKb: number;
  readonly peakRssKb: number;
  /** (peak − idle) RSS / concurrent re-hosts, KiB. */
  readonly rssPerRehostKb: number;
}

export interface HostingResult {
  readonly stores: readonly HostingFigures[];
}

const SEQUENTIAL = 60;
const CONCURRENT = 100;
/** One 4K image by URL: the gateway downloads and stores the simulator's 4K JPEG. */
const BODY = JSON.stringify({ model: MODEL, prompt: 'a lighthouse at dusk', size: '4K', response_format: 'url' });

export async function runImageHosting(ctx: BenchContext): Promise<HostingResult> {
  const s3 = await startS3Server('seedream-bench');
  const dataDir = mkdtempSync(join(tmpdir(), 'seedream-bench-data-'));
  const stores: HostingFigures[] = [];
  try {
    for (const store of ['off', 'local', 's3'] as const) {
      const baseline = stores[0];
      stores.push(await measureStore(ctx, store, envFor(store, ctx, dataDir, s3), baseline));
    }
  } finally {
    await s3.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { stores };
}

function envFor(store: HostingStore, ctx: BenchContext, dataDir: string, s3: TestS3Server): Record<string, string> {
  const common = {
    IMAGE_FETCH_ALLOWED_HOSTS: new URL(ctx.simulator.url).host,
    // 100 concurrent calls from one caller key (the default allows 64).
    MAX_CONCURRENT_GENERATIONS_PER_KEY: String(CONCURRENT * 2),
  };
  if (store === 'off') return { ...common, IMAGE_HOSTING: 'off' };
  if (store === 'local') return { ...common, IMAGE_HOSTING: 'local', DATA_DIR: dataDir, IMAGE_SIGNING_KEY: 'bench-signing-key-bench-signing-key-0001' };
  return { ...common, ...s3.env };
}

async function measureStore(ctx: BenchContext, store: HostingStore, env: Record<string, string>, baseline: HostingFigures | undefined): Promise<HostingFigures> {
  const gateway = await ctx.gateway({ name: `gateway (hosting ${store})`, traced: false, env });
  try {
    const origin = gateway.httpOrigin ?? '';
    for (let i = 0; i < 5; i++) await generate(origin, store); // warm-up: pools, JIT, the simulator's render cache
    const latency = createLatencyRecorder();
    const before = sampleProcess(gateway.child.pid);
    let bytes = 0;
    for (let i = 0; i < SEQUENTIAL; i++) {
      const started = performance.now();
      bytes += await generate(origin, store);
      latency.record(performance.now() - started);
    }
    const cpuMsPerRequest = (sampleProcess(gateway.child.pid).cpuMicros - before.cpuMicros) / 1000 / SEQUENTIAL;
    const bytesPerImage = bytes / SEQUENTIAL;
    const summary = latency.summary();
    const memory = await concurrentRehosts(gateway, origin, store);
    const figures: HostingFigures = {
      store,
      requests: SEQUENTIAL,
      bytesPerImage,
      cpuMsPerRequest,
      addedCpuMsPerMb: baseline === undefined || bytesPerImage === 0 ? null : (cpuMsPerRequest - baseline.cpuMsPerRequest) / (bytesPerImage / 1e6),
      latency: summary,
      addedP50Ms: baseline === undefined ? null : summary.p50 - baseline.latency.p50,
      addedP99Ms: baseline === undefined ? null : summary.p99 - baseline.latency.p99,
      concurrent: CONCURRENT,
      ...memory,
    };
    process.stdout.write(
      `  ${store}: ${cpuMsPerRequest.toFixed(2)} ms CPU/request, ${(bytesPerImage / 1e6).toFixed(2)} MB/image, p50 ${summary.p50.toFixed(1)} ms, ` +
        `peak RSS +${((memory.peakRssKb - memory.idleRssKb) / 1024).toFixed(1)} MiB under ${CONCURRENT} concurrent\n`,
    );
    return figures;
  } finally {
    await stopGateway(gateway);
  }
}

/** One call; checks that the image came back hosted (or passed through, for off); returns bytes stored. */
async function generate(origin: string, store: HostingStore): Promise<number> {
  const response = await request(`${origin}/v1/images/generations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${CALLER_KEY}`, 'content-type': 'application/json' },
    body: BODY,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`hosting bench: HTTP ${response.statusCode}: ${text.slice(0, 300)}`);
  const item = (JSON.parse(text) as { data: { url: string; byte_size?: number; warning?: string }[] }).data[0];
  if (item === undefined || item.warning !== undefined) throw new Error(`hosting bench: the image was not hosted: ${text.slice(0, 300)}`);
  if (store !== 'off' && item.byte_size === undefined) throw new Error(`hosting bench: no byte_size with IMAGE_HOSTING=${store}`);
  if (store === 'local' && !item.url.startsWith(`${origin}/v1/assets/`)) throw new Error(`hosting bench: not a gateway URL: ${item.url}`);
  return item.byte_size ?? 0;
}

/** Idle RSS, then the peak RSS (polled every 20 ms) while CONCURRENT re-hosts run at once. */
async function concurrentRehosts(gateway: GatewayProcess, origin: string, store: HostingStore): Promise<{ idleRssKb: number; peakRssKb: number; rssPerRehostKb: number }> {
  const idleRssKb = sampleProcess(gateway.child.pid).rssKb;
  let peakRssKb = idleRssKb;
  const poll = setInterval(() => (peakRssKb = Math.max(peakRssKb, sampleProcess(gateway.child.pid).rssKb)), 20);
  try {
    await Promise.all(Array.from({ length: CONCURRENT }, () => generate(origin, store)));
  } finally {
    clearInterval(poll);
  }
  peakRssKb = Math.max(peakRssKb, sampleProcess(gateway.child.pid).rssKb);
  return { idleRssKb, peakRssKb, rssPerRehostKb: (peakRssKb - idleRssKb) / CONCURRENT };
}

/** The scenario's figures as a markdown table. */
export function hostingMarkdown(result: HostingResult): string {
  const rows = result.stores.map((s) => {
    const added = (v: number | null, digits = 1) => (v === null ? '—' : `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`);
    return (
      `| ${s.store} | ${(s.bytesPerImage / 1e6).toFixed(2)} | ${s.cpuMsPerRequest.toFixed(2)} | ${added(s.addedCpuMsPerMb)} | ` +
      `${s.latency.p50.toFixed(1)} / ${s.latency.p99.toFixed(1)} | ${added(s.addedP50Ms)} / ${added(s.addedP99Ms)} | ` +
      `${(s.idleRssKb / 1024).toFixed(0)} → ${(s.peakRssKb / 1024).toFixed(0)} | ${s.rssPerRehostKb.toFixed(0)} |`
    );
  });
  return [
    '### Image hosting (4K URL images, REST JSON)',
    '',
    `c=1 for ${result.stores[0]?.requests ?? 0} requests per store, then ${result.stores[0]?.concurrent ?? 0} concurrent re-hosts; added = over IMAGE_HOSTING=off.`,
    '',
    '| store | MB/image | CPU ms/request | added CPU ms/MB stored | latency p50 / p99 ms | added p50 / p99 ms | RSS idle → peak MiB (100 concurrent) | RSS per concurrent re-host KiB |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
