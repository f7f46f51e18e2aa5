/**
 * The built gateway (`dist/src/main.js`) as a child process on loopback, in front of the standalone
 * simulator as its Ark upstream, with a caller key (so auth is part of every measured request) and,
 * when traced, the OTel bootstrap preloaded and exporting to the harness's OTLP sink.
 */
import { createHash } from 'node:crypto';
import { spawnNode, type Child } from './children.js';
import { inspectorUrlOf } from './inspector-client.js';
import { UPSTREAM_KEY } from './simulator-process.js';

/** The node options `npm start` gives the gateway (package.json): V8's young generation sized for
 *  images in flight (README, "Memory and the young generation"). The floor runs without them. */
export const SHIPPED_NODE_ARGS: readonly string[] = ['--max-semi-space-size=64'];

/** The key the load generator presents (`authorization: Bearer …`). */
export const CALLER_KEY = 'sk-bench-caller-key-0001';

export interface GatewayOptions {
  readonly name: string;
  readonly root: string;
  /** The entry file, relative to `root` (default dist/src/main.js). */
  readonly entry: string;
  readonly simulatorUrl: string;
  /** OTLP/HTTP endpoint to export to; undefined = tracing and metrics off (OTEL_SDK_DISABLED). */
  readonly otlpEndpoint: string | undefined;
  /** Write a V8 CPU profile of the whole run into this directory (`node --cpu-prof`). */
  readonly cpuProfileDir: string | undefined;
  /** Extra node options (BENCH_GATEWAY_NODE_ARGS), placed before the entry. */
  readonly nodeArgs?: readonly string[];
  /** Extra configuration (limits for the slow-stream scenario). */
  readonly env?: Readonly<Record<string, string>>;
  /** Open the inspector on a free loopback port (to force GC and read the heap). */
  readonly inspect?: boolean;
}

export interface GatewayProcess {
  readonly child: Child;
  /** `127.0.0.1:<port>` of the gRPC server. */
  readonly grpcAddress: string;
  /** `http://127.0.0.1:<port>` of the REST adapter; undefined when the gateway logs no `http` address. */
  readonly httpOrigin: string | undefined;
  /** The inspector's WebSocket URL, when started with `inspect`. */
  readonly inspectorUrl: string | undefined;
}

interface ListeningLine {
  readonly addresses: Readonly<Record<string, string>>;
}

export async function startGateway(options: GatewayOptions): Promise<GatewayProcess> {
  const telemetry: Record<string, string> =
    options.otlpEndpoint === undefined
      ? { OTEL_SDK_DISABLED: 'true' }
      : // A short metric interval so metrics are exported (and paid for) during every phase.
        { OTEL_EXPORTER_OTLP_ENDPOINT: options.otlpEndpoint, OTEL_METRIC_EXPORT_INTERVAL: '1000' };
  const child = spawnNode({
    name: options.name,
    cwd: options.root,
    nodeArgs: [
      // The telemetry bootstrap must load before the app (src/telemetry/register.ts); main.ts does not start it.
      '--import',
      './dist/src/telemetry/register.js',
      ...(options.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`]),
      ...(options.inspect === true ? ['--inspect=127.0.0.1:0'] : []),
      ...(options.nodeArgs ?? []),
      options.entry,
    ],
    env: {
      HOST: '127.0.0.1',
      GRPC_PORT: '0',
      HTTP_PORT: '0',
      LOG_LEVEL: 'info',
      SHUTDOWN_GRACE_MS: '2000',
      UPSTREAM_KIND: 'ark',
      ARK_API_KEY: UPSTREAM_KEY,
      ARK_BASE_URL: `${options.simulatorUrl}/api/v3`,
      GATEWAY_API_KEYS: `bench=${createHash('sha256').update(CALLER_KEY).digest('hex')}`,
      // Scenarios 1–3 measure the relay itself; scenario 4 turns hosting on and measures what it adds.
      IMAGE_HOSTING: 'off',
      ...telemetry,
      ...options.env,
    },
  });
  const inspector = options.inspect === true ? child.waitForLine(inspectorUrlOf, 30_000) : Promise.resolve(undefined);
  const line = await child.waitForLine(listeningLine, 30_000);
  const inspectorUrl = await inspector;
  const grpc = line.addresses.grpc;
  if (grpc === undefined) throw new Error(`${options.name} logged no gRPC address: ${JSON.stringify(line)}`);
  const http = line.addresses.http;
  return { child, grpcAddress: loopback(grpc), httpOrigin: http === undefined ? undefined : `http://${loopback(http)}`, inspectorUrl };
}

/** The `seedream-gateway listening` JSON line (src/main.ts). */
function listeningLine(line: string): ListeningLine | undefined {
  if (!line.startsWith('{') || !line.includes('"addresses"')) return undefined;
  try {
    const parsed = JSON.parse(line) as Partial<ListeningLine>;
    return typeof parsed.addresses === 'object' && parsed.addresses !== null ? { addresses: parsed.addresses } : undefined;
  } catch {
    return undefined;
  }
}

/** `host:port` → `127.0.0.1:port`; refuses anything not bound to loopback (HOST=127.0.0.1 was asked for). */
function loopback(address: string): string {
  const port = address.slice(address.lastIndexOf(':') + 1);
  const host = address.slice(0, address.lastIndexOf(':'));
  if (host !== '127.0.0.1') throw new Error(`the gateway bound ${address}, not loopback`);
  return `127.0.0.1:${port}`;
}
