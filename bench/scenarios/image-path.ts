/**
 * Scenario 7, the image path (issue 15 item 4): what the gateway adds to Seedream-shaped generations —
 * 2K images of 3–6 MB of incompressible base64, one SSE `partial_succeeded` event each, after renders of
 * 20–90 s scaled down by `renderScale` — from a stand-in upstream (lib/seedream-standin.ts), against the
 * same calls made directly to the stand-in. The gateway runs with its shipped tracing and IMAGE_HOSTING
 * off: with hosting on, a base64 answer is still relayed as base64 (hosting re-hosts URL answers), and
 * the relay of large base64 frames is what this scenario measures.
 *
 * 1. One call at a time: time to the first image beyond the render (direct SSE, gateway REST SSE,
 *    gateway gRPC stream; the calls interleaved, same prompts, so same renders and images), p50/p99.
 * 2. Concurrency steps (8, 16, 32, 64 by default), each `waves` calls per worker, direct then gateway
 *    (half the workers on gRPC streams, half on REST SSE): errors, time beyond render to the whole answer
 *    (p50, max, max ÷ p50: the 8 MB tail question), and the gateway's peak RSS minus idle ÷ concurrency.
 *    Stepping stops at the first step with an error.
 */
import type { BenchContext } from '../lib/context.js';
import { stopGateway } from '../lib/context.js';
import { CALLER_KEY } from '../lib/gateway-process.js';
import { connectGrpc } from '../lib/grpc-calls.js';
import { createHttpPool } from '../lib/http-calls.js';
import { grpcImageCall, sseImageCall, type ImagePathCall } from '../lib/image-path-calls.js';
import { createLatencyRecorder, type LatencySummary } from '../lib/latency.js';
import { sleep, steadyReading } from '../lib/memory-readings.js';
import { sampleProcess } from '../lib/proc.js';
import { REAL_RENDER_MS, startStandIn, type StandIn } from '../lib/seedream-standin.js';
import { UPSTREAM_KEY } from '../lib/simulator-process.js';

export interface FirstImageRow {
  readonly target: string;
  readonly calls: number;
  /** First image received minus the render, ms. */
  readonly beyondRenderMs: LatencySummary;
  /** Over the direct row: p50 and p99 of beyond-render, ms (null on the direct row). */
  readonly addedP50Ms: number | null;
  readonly addedP99Ms: number | null;
}

export interface StepRow {
  readonly concurrency: number;
  readonly target: 'direct' | 'gateway';
  readonly calls: number;
  readonly errors: number;
  readonly firstError: string | null;
  /** Whole answer received minus the render, ms (null when nothing completed). */
  readonly beyondRenderMs: LatencySummary | null;
  readonly maxOverP50: number | null;
  readonly seconds: number;
  /** Gateway only: peak RSS during the step minus idle, KiB, and that ÷ concurrency. */
  readonly peakRssOverIdleKb: number | null;
  readonly kbPerGeneration: number | null;
}

export interface ImagePathResult {
  readonly renderScale: number;
  readonly renderMs: { readonly min: number; readonly max: number };
  readonly imageBase64Mb: string;
  readonly gatewayIdleRssKb: number;
  readonly firstImage: readonly FirstImageRow[];
  readonly steps: readonly StepRow[];
  /** The highest step the gateway held with 0 errors (null: not even the first). */
  readonly maxConcurrentWithoutErrors: number | null;
}

export async function runImagePath(ctx: BenchContext): Promise<ImagePathResult> {
  const { imageRenderScale: scale } = ctx.options;
  const standIn = await startStandIn(scale);
  const say = (line: string) => process.stdout.write(`  ${line}\n`);
  say(`stand-in ${standIn.origin}: renders ${REAL_RENDER_MS.min / scale}–${REAL_RENDER_MS.max / scale} ms (real 20–90 s ÷ ${scale}), images 3–6 MB base64`);
  const gateway = await ctx.gateway({ name: 'gateway (image path, traced)', traced: true, env: { ARK_BASE_URL: `${standIn.origin}/api/v3` } });
  const maxC = Math.max(...ctx.options.imageSteps);
  const direct = createHttpPool(standIn.origin, maxC);
  const rest = createHttpPool(gateway.httpOrigin ?? '', maxC);
  const grpc = Array.from({ length: Math.ceil(maxC / 64) }, () => connectGrpc(gateway.grpcAddress, 64 * 1024 * 1024, 16 * 1024 * 1024));
  try {
    const calls = {
      direct: sseImageCall(direct, '/api/v3/images/generations', UPSTREAM_KEY),
      rest: sseImageCall(rest, '/v1/images/generations', CALLER_KEY),
      grpc: (worker: number) => grpcImageCall((grpc[worker % grpc.length] ?? grpc[0]!).client, CALLER_KEY),
    };
    for (let i = 0; i < 3; i++) await Promise.all([call(standIn, calls.direct, `warm-up ${i}`), call(standIn, calls.rest, `warm-up ${i}`), call(standIn, calls.grpc(0), `warm-up ${i}`)]);
    await sleep(1000);
    const idle = (await steadyReading(gateway.child.pid, undefined)).rssKb;
    say(`idle gateway RSS ${(idle / 1024).toFixed(1)} MiB`);
    const firstImage = await firstImageRows(standIn, ctx.options.imageCalls, { direct: calls.direct, 'gateway REST SSE': calls.rest, 'gateway gRPC stream': calls.grpc(0) }, say);
    const steps: StepRow[] = [];
    let maxConcurrentWithoutErrors: number | null = null;
    for (const c of ctx.options.imageSteps) {
      steps.push(await step(standIn, c, 'direct', () => calls.direct, undefined, say));
      const row = await step(standIn, c, 'gateway', (w) => (w % 2 === 0 ? calls.grpc(w) : calls.rest), { pid: gateway.child.pid, idle }, say);
      steps.push(row);
      if (row.errors > 0) break;
      maxConcurrentWithoutErrors = c;
    }
    return {
      renderScale: scale,
      renderMs: { min: REAL_RENDER_MS.min / scale, max: REAL_RENDER_MS.max / scale },
      imageBase64Mb: '3.0–6.0',
      gatewayIdleRssKb: idle,
      firstImage,
      steps,
      maxConcurrentWithoutErrors,
    };
  } finally {
    for (const connection of grpc) connection.close();
    await Promise.all([direct.close(), rest.close()]);
    await stopGateway(gateway);
    await standIn.close();
  }
}

async function call(standIn: StandIn, run: ImagePathCall, prompt: string) {
  const timed = await run(prompt, standIn.imageLengthOf(prompt));
  const render = standIn.renderMsOf(prompt);
  return { firstImage: timed.firstImageMs - render, total: timed.totalMs - render };
}

/** c=1, the targets interleaved call by call (drift on a shared machine hits them alike). */
async function firstImageRows(standIn: StandIn, n: number, targets: Record<string, ImagePathCall>, say: (line: string) => void): Promise<FirstImageRow[]> {
  const names = Object.keys(targets);
  const recorders = names.map(() => createLatencyRecorder());
  for (let i = 0; i < n; i++) {
    for (const [t, name] of names.entries()) recorders[t]?.record((await call(standIn, targets[name]!, `image path c1 #${i}`)).firstImage);
  }
  const summaries = recorders.map((r) => r.summary());
  const base = summaries[0]!;
  return names.map((target, t) => {
    const s = summaries[t]!;
    say(`c=1 ${target}: first image ${s.p50.toFixed(1)} / ${s.p99.toFixed(1)} ms beyond the render (p50 / p99)`);
    return { target, calls: n, beyondRenderMs: s, addedP50Ms: t === 0 ? null : s.p50 - base.p50, addedP99Ms: t === 0 ? null : s.p99 - base.p99 };
  });
}

const WAVES = 2;

async function step(
  standIn: StandIn,
  c: number,
  target: 'direct' | 'gateway',
  callOf: (worker: number) => ImagePathCall,
  gateway: { pid: number; idle: number } | undefined,
  say: (line: string) => void,
): Promise<StepRow> {
  const latency = createLatencyRecorder();
  let errors = 0;
  let firstError: string | null = null;
  let peak = gateway === undefined ? 0 : sampleProcess(gateway.pid).rssKb;
  const sampler = gateway === undefined ? undefined : setInterval(() => (peak = Math.max(peak, sampleProcess(gateway.pid).rssKb)), 100);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: c }, async (_, worker) => {
      for (let wave = 0; wave < WAVES; wave++) {
        try {
          latency.record((await call(standIn, callOf(worker), `image path c${c} w${worker} #${wave}`)).total);
        } catch (error) {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  const s = latency.count === 0 ? null : latency.summary();
  const peakOver = gateway === undefined ? null : peak - gateway.idle;
  say(
    `c=${c} ${target}: ${c * WAVES} calls, ${errors} errors, beyond render p50 ${s?.p50.toFixed(0) ?? '–'} / max ${s?.max.toFixed(0) ?? '–'} ms` +
      (peakOver === null ? '' : `, peak RSS +${(peakOver / 1024).toFixed(0)} MiB (${(peakOver / c / 1024).toFixed(1)} MiB per generation)`) +
      ` in ${seconds.toFixed(1)} s${firstError === null ? '' : ` — first error: ${firstError}`}`,
  );
  return {
    concurrency: c,
    target,
    calls: c * WAVES,
    errors,
    firstError,
    beyondRenderMs: s,
    maxOverP50: s === null ? null : s.max / s.p50,
    seconds,
    peakRssOverIdleKb: peakOver,
    kbPerGeneration: peakOver === null ? null : peakOver / c,
  };
}
