/**
 * The ways a request can travel in a throughput scenario, each set up as a checked load call: straight
 * to the simulator (the baseline), through the gateway's REST adapter, or through its gRPC service.
 */
import type { LoadCall } from '../lib/closed-loop.js';
import { createContentCheck, type ContentCheck } from '../lib/content-check.js';
import { CALLER_KEY, type GatewayProcess } from '../lib/gateway-process.js';
import { connectGrpc, streamCall, unaryCall } from '../lib/grpc-calls.js';
import { createHttpPool, httpCall } from '../lib/http-calls.js';
import type { AnswerContent } from '../lib/response-content.js';
import { UPSTREAM_KEY } from '../lib/simulator-process.js';
import { jsonBody, type Workload } from '../lib/workloads.js';

export type PathKind = 'direct-json' | 'direct-sse' | 'rest-json' | 'rest-sse' | 'grpc-unary' | 'grpc-stream';

export const pathLabels: Readonly<Record<PathKind, string>> = {
  'direct-json': 'direct → simulator (Ark JSON)',
  'direct-sse': 'direct → simulator (Ark SSE)',
  'rest-json': 'REST POST /v1/images/generations',
  'rest-sse': 'REST stream: true (SSE)',
  'grpc-unary': 'gRPC GenerateImages',
  'grpc-stream': 'gRPC StreamImages',
};

/** The direct baseline each gateway path is compared with: JSON answers with JSON, streams with SSE. */
export const baselineOf: Readonly<Record<PathKind, PathKind | null>> = {
  'direct-json': null,
  'direct-sse': null,
  'rest-json': 'direct-json',
  'rest-sse': 'direct-sse',
  'grpc-unary': 'direct-json',
  'grpc-stream': 'direct-sse',
};

export interface PreparedPath {
  readonly call: LoadCall;
  readonly content: ContentCheck;
  /** Calls made so far, warm-up included (for spans per request). */
  calls(): number;
  close(): Promise<void>;
}

/** Why a gateway path cannot run, or undefined when it can. */
export function unavailable(kind: PathKind, gateway: GatewayProcess | undefined): string | undefined {
  if (kind.startsWith('rest') && gateway !== undefined && gateway.httpOrigin === undefined) {
    return 'the gateway logged no `http` address: its REST adapter is not running';
  }
  return undefined;
}

/**
 * Sets up `kind` for `workload`. `gateway` is required except for the direct paths; `expected` is the
 * content every answer must deliver (the direct baseline's), when known.
 */
export function preparePath(
  kind: PathKind,
  workload: Workload,
  concurrency: number,
  simulatorUrl: string,
  gateway: GatewayProcess | undefined,
  expected: AnswerContent | undefined,
): PreparedPath {
  const content = createContentCheck(expected);
  let calls = 0;
  const counted = (call: LoadCall): LoadCall => () => {
    calls += 1;
    return call();
  };
  const sse = kind.endsWith('sse');
  if (kind === 'direct-json' || kind === 'direct-sse' || kind === 'rest-json' || kind === 'rest-sse') {
    const direct = kind.startsWith('direct');
    const origin = direct ? simulatorUrl : gateway?.httpOrigin;
    if (origin === undefined) throw new Error(`${kind}: no gateway HTTP origin`);
    const pool = createHttpPool(origin, concurrency);
    const target = {
      origin,
      path: direct ? '/api/v3/images/generations' : '/v1/images/generations',
      key: direct ? UPSTREAM_KEY : CALLER_KEY,
      body: jsonBody(workload, sse),
      sse,
    };
    return { call: counted(httpCall(pool, target, content)), content, calls: () => calls, close: () => pool.close() };
  }
  if (gateway === undefined) throw new Error(`${kind}: no gateway`);
  // One HTTP/2 connection, as a typical gRPC client (concurrency stays below GRPC_MAX_CONCURRENT_STREAMS),
  // set up for image bytes as docs/grpc.md advises when the workload carries them.
  const connection = connectGrpc(gateway.grpcAddress, undefined, workload.grpcFlowControlWindowBytes);
  const call = kind === 'grpc-unary' ? unaryCall(connection.client, workload.grpc, CALLER_KEY, content) : streamCall(connection.client, workload.grpc, CALLER_KEY, content);
  return {
    call: counted(call),
    content,
    calls: () => calls,
    close: async () => connection.close(),
  };
}
