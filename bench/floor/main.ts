/**
 * The floor: the gateway's wire path with none of its logic — nice-grpc on grpc-js and node:http in,
 * one undici SSE request to the Ark upstream out, no validation, auth, limits, retries, telemetry or
 * logs. Run by scenario 1 next to the gateway, it shows what the transports alone cost on this machine,
 * so the gateway's own share (gateway − floor) and the reachability of the budget can be read off.
 * Configured like the gateway (HOST, ARK_BASE_URL, ARK_API_KEY, and IMAGE_HOSTING=local with DATA_DIR and
 * IMAGE_SIGNING_KEY to host every image as the shipped gateway does); logs `{"addresses": {…}}` the same way.
 */
import type { AddressInfo } from 'node:net';
import { createFloorGrpcServer } from './grpc-service.js';
import { createFloorRestServer } from './rest-server.js';
import { createFloorImageHost } from './image-host.js';
import { createUpstreamRelay, hostedRelay, type UpstreamRelay } from './upstream-relay.js';

async function main(): Promise<void> {
  const host = process.env.HOST ?? '127.0.0.1';
  let relay: UpstreamRelay = createUpstreamRelay(process.env.ARK_BASE_URL ?? 'http://127.0.0.1:18080/api/v3', process.env.ARK_API_KEY ?? 'floor');
  // With the shipped gateway's hosting environment, the floor hosts every image too (image-host.ts).
  let publicBase = '';
  const dataDir = process.env.DATA_DIR;
  if (process.env.IMAGE_HOSTING === 'local' && dataDir !== undefined) {
    relay = hostedRelay(relay, createFloorImageHost(dataDir, process.env.IMAGE_SIGNING_KEY ?? 'floor', () => publicBase));
  }
  const grpc = createFloorGrpcServer(relay);
  const grpcPort = await grpc.listen(`${host}:0`);
  const rest = createFloorRestServer(relay);
  await new Promise<void>((resolve) => rest.listen(0, host, resolve));
  const httpPort = (rest.address() as AddressInfo).port;
  publicBase = `http://${host}:${httpPort}`;
  process.stdout.write(`${JSON.stringify({ addresses: { grpc: `${host}:${grpcPort}`, http: `${host}:${httpPort}` }, msg: 'floor listening' })}\n`);
  const stop = () => {
    rest.closeAllConnections();
    rest.close();
    grpc.forceShutdown();
    void relay.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`floor failed to start: ${String(error)}\n`);
  process.exit(1);
});
