/**
 * Scenario 9, upload (issue 15 follow-up): one large reference image sent to the gateway over a network
 * with a real round trip (a delaying proxy on loopback, no bandwidth limit), one call at a time. On such
 * a network an HTTP/2 upload moves at most one receive window per round trip: Node grants 64 KiB unless
 * told, so the gateway's gRPC port grants GRPC_RECEIVE_WINDOW_BYTES (16 MiB by default). Targets: the
 * same REST call straight to the simulator (the baseline: HTTP/1.1, only TCP's window), REST through
 * the gateway, gRPC GenerateImages through the gateway with a 64 KiB window (Node's default) and with the
 * shipped window. Every call must answer one image.
 */
import type { BenchContext } from '../lib/context.js';
import { stopGateway } from '../lib/context.js';
import { startDelayProxy } from '../lib/delay-proxy.js';
import { CALLER_KEY } from '../lib/gateway-process.js';
import { bearer, connectGrpc } from '../lib/grpc-calls.js';
import { createHttpPool } from '../lib/http-calls.js';
import { paddedPng } from '../lib/large-reference.js';
import { createLatencyRecorder, type LatencySummary } from '../lib/latency.js';
import { UPSTREAM_KEY } from '../lib/simulator-process.js';
import { MODEL, urlWorkload } from '../lib/workloads.js';

export type UploadTarget = 'direct-rest' | 'gateway-rest' | 'gateway-grpc-64k' | 'gateway-grpc-shipped';

export interface UploadPhase {
  readonly target: UploadTarget;
  readonly p50Ms: number;
  readonly maxMs: number;
  /** p50 over the direct REST upload's p50 in the same run. */
  readonly overDirect: number;
}

export interface UploadResult {
  readonly roundTripMs: number;
  readonly referenceBytes: number;
  readonly calls: number;
  readonly phases: readonly UploadPhase[];
}

export const uploadLabels: Readonly<Record<UploadTarget, string>> = {
  'direct-rest': 'direct → simulator, REST (HTTP/1.1)',
  'gateway-rest': 'gateway, REST (HTTP/1.1)',
  'gateway-grpc-64k': 'gateway, gRPC, GRPC_RECEIVE_WINDOW_BYTES=65535 (Node’s default)',
  'gateway-grpc-shipped': 'gateway, gRPC, shipped window (16 MiB)',
};

export async function runUpload(ctx: BenchContext): Promise<UploadResult> {
  const { options, simulator } = ctx;
  const png = paddedPng(options.uploadBytes);
  const restBody = JSON.stringify({ ...urlWorkload.json, model: MODEL, image: `data:image/png;base64,${png.toString('base64')}` });
  const grpcRequest = { ...urlWorkload.grpc, spec: { ...urlWorkload.grpc.spec!, referenceImages: [{ source: { $case: 'data' as const, value: png }, mimeType: 'image/png' }] } };
  const delayMs = options.uploadRoundTripMs / 2;
  const timings = new Map<UploadTarget, LatencySummary>();

  /** A warm-up call (connection, TLS-free handshake, JIT), then `calls` measured ones, one at a time. */
  const measure = async (target: UploadTarget, call: () => Promise<void>) => {
    process.stdout.write(`  upload · ${uploadLabels[target]} … `);
    await call();
    const durations = createLatencyRecorder();
    for (let i = 0; i < options.uploadCalls; i++) {
      const started = performance.now();
      await call();
      durations.record(performance.now() - started);
    }
    const summary = durations.summary();
    timings.set(target, summary);
    process.stdout.write(`p50 ${summary.p50.toFixed(0)} ms\n`);
  };
  const rest = async (target: UploadTarget, port: number, path: string, key: string) => {
    const proxy = await startDelayProxy(port, delayMs);
    const pool = createHttpPool(`http://${proxy.address}`, 1);
    try {
      await measure(target, async () => {
        const response = await pool.request({ path, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: restBody });
        const text = await response.body.text();
        if (response.statusCode !== 200 || !text.includes('"url"')) throw new Error(`${uploadLabels[target]}: ${response.statusCode} ${text.slice(0, 300)}`);
      });
    } finally {
      await pool.close();
      await proxy.close();
    }
  };

  await rest('direct-rest', portOf(simulator.url), '/api/v3/images/generations', UPSTREAM_KEY);
  for (const [target, env] of [['gateway-grpc-64k', { GRPC_RECEIVE_WINDOW_BYTES: '65535' }], ['gateway-grpc-shipped', {}]] as const) {
    const gateway = await ctx.gateway({ name: uploadLabels[target], traced: false, env });
    try {
      if (target === 'gateway-grpc-shipped' && gateway.httpOrigin !== undefined) await rest('gateway-rest', portOf(gateway.httpOrigin), '/v1/images/generations', CALLER_KEY);
      const proxy = await startDelayProxy(portOf(`http://${gateway.grpcAddress}`), delayMs);
      const connection = connectGrpc(proxy.address);
      try {
        const metadata = bearer(CALLER_KEY);
        await measure(target, async () => {
          const response = await connection.client.generateImages(grpcRequest, { metadata });
          if (response.images.length !== 1) throw new Error(`${uploadLabels[target]}: ${response.images.length} images, failures ${JSON.stringify(response.failures)}`);
        });
      } finally {
        connection.close();
        await proxy.close();
      }
    } finally {
      await stopGateway(gateway);
    }
  }

  const direct = timings.get('direct-rest')?.p50 ?? Number.NaN;
  const order: readonly UploadTarget[] = ['direct-rest', 'gateway-rest', 'gateway-grpc-64k', 'gateway-grpc-shipped'];
  return {
    roundTripMs: options.uploadRoundTripMs,
    referenceBytes: png.length,
    calls: options.uploadCalls,
    phases: order.flatMap((target) => {
      const summary = timings.get(target);
      return summary === undefined ? [] : [{ target, p50Ms: summary.p50, maxMs: summary.max, overDirect: summary.p50 / direct }];
    }),
  };
}

function portOf(origin: string): number {
  return Number(new URL(origin).port);
}
