/**
 * Warms a fresh gateway up before its idle memory is sampled: a few complete streams on each transport
 * (zero latency), so modules, JIT code and pools are in place and the later ΔRSS is per-request only.
 * Its clients are closed again, so the idle reading holds no client connection.
 */
import { createContentCheck } from '../lib/content-check.js';
import { CALLER_KEY, type GatewayProcess } from '../lib/gateway-process.js';
import { connectGrpc, streamCall } from '../lib/grpc-calls.js';
import { createHttpPool, httpCall } from '../lib/http-calls.js';
import { jsonBody, urlWorkload } from '../lib/workloads.js';

const ROUNDS = 50;
const CONCURRENCY = 4;

export async function warmUpStreams(gateway: GatewayProcess): Promise<void> {
  const connection = connectGrpc(gateway.grpcAddress);
  const pool = gateway.httpOrigin === undefined ? undefined : createHttpPool(gateway.httpOrigin, CONCURRENCY);
  try {
    const grpcCall = streamCall(connection.client, urlWorkload.grpc, CALLER_KEY, createContentCheck());
    const restCall =
      pool === undefined || gateway.httpOrigin === undefined
        ? undefined
        : httpCall(pool, { origin: gateway.httpOrigin, path: '/v1/images/generations', key: CALLER_KEY, body: jsonBody(urlWorkload, true), sse: true }, createContentCheck());
    const worker = async () => {
      for (let i = 0; i < ROUNDS / CONCURRENCY; i++) {
        await grpcCall();
        await restCall?.();
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    connection.close();
    await pool?.close();
  }
}
