/**
 * The simulator's HTTP server: `createSimulator(options)` builds it, `listen()` starts it and resolves
 * to its base URL. A plain node:http server (it is the benchmark floor) routing to the generation
 * endpoints, the image downloads, and the control API.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArkError, createRequestIdSource, sendArkError } from './ark-errors.js';
import { handleControl } from './control.js';
import { createFaultQueue, type FaultQueue } from './faults.js';
import { handleGeneration, type GenerationDeps } from './generation-handler.js';
import { createImageStore } from './image-store.js';
import { resolveOptions, type SimulatorOptions } from './options.js';
import { createRequestRecorder, type RequestLog } from './request-log.js';

/** A running (or ready to run) Seedream upstream simulator. */
export interface Simulator {
  /** Starts listening; resolves to the base URL, e.g. `http://127.0.0.1:41234`. */
  listen(): Promise<string>;
  /** The base URL; throws before `listen()` has resolved. */
  readonly url: string;
  /** Stops listening, aborts running generations and closes every connection. */
  close(): Promise<void>;
  /** Faults for the next generation requests. */
  readonly faults: FaultQueue;
  /** The log of generation requests received. */
  readonly requests: RequestLog;
}

/** The paths answering generation requests: Ark's, and the OpenAI-path "relay shape". */
export const GENERATION_PATHS: readonly string[] = ['/api/v3/images/generations', '/v1/images/generations'];

const downloadPath = /^\/images\/([A-Za-z0-9_-]{22})\.(jpeg|png)$/;

/** Creates a simulator; nothing listens until `listen()`. */
export function createSimulator(options: SimulatorOptions = {}): Simulator {
  const resolved = resolveOptions(options);
  const faults = createFaultQueue();
  faults.enqueue(...resolved.faults);
  const recorder = createRequestRecorder(resolved.requestLogLimit);
  const store = createImageStore({
    ttlMs: resolved.urlTtlMs,
    cacheBytes: resolved.imageCacheBytes,
    maxTokens: resolved.maxUrlTokens,
    now: resolved.now,
  });
  const nextRequestId = createRequestIdSource(resolved.now);
  let url: string | undefined;
  const running = new Set<AbortController>();
  const deps: GenerationDeps = {
    options: resolved,
    faults,
    recorder,
    store,
    nextRequestId,
    baseUrl: () => resolved.publicUrl ?? url ?? '',
    running,
  };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
    if (GENERATION_PATHS.includes(path)) {
      if (req.method === 'POST') return handleGeneration(deps, req, res);
      res.setHeader('allow', 'POST');
      return sendArkError(res, new ArkError(405, 'MethodNotAllowed', `${req.method ?? ''} is not allowed on ${path}.`), nextRequestId());
    }
    const download = downloadPath.exec(path);
    if (download !== null && (req.method === 'GET' || req.method === 'HEAD')) {
      const image = store.download(download[1] ?? '', download[2] ?? '');
      if (image === undefined) {
        // Unknown or expired (reference §2: links are deleted after 24 h).
        return sendArkError(res, new ArkError(404, 'NotFound', 'The image does not exist or its link has expired.'), nextRequestId());
      }
      res.writeHead(200, { 'content-type': image.contentType, 'content-length': image.bytes.length });
      res.end(req.method === 'HEAD' ? undefined : image.bytes);
      return;
    }
    if (path.startsWith('/_simulator/')) return handleControl({ faults, requests: recorder }, req, res, path);
    return sendArkError(res, new ArkError(404, 'NotFound', `There is nothing at ${req.method ?? ''} ${path}.`), nextRequestId());
  };

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      // A bug, not a simulated fault: answer 500 if still possible, and drop the connection otherwise.
      if (res.headersSent) res.destroy(error instanceof Error ? error : undefined);
      else sendArkError(res, new ArkError(500, 'InternalServiceError', 'The simulator failed unexpectedly.'), nextRequestId());
    });
  });
  // Generations can take minutes with latency configured; keep idle keep-alive sockets for a while.
  server.keepAliveTimeout = 60_000;

  return {
    faults,
    requests: recorder,
    get url() {
      if (url === undefined) throw new Error('the simulator is not listening yet');
      return url;
    },
    listen() {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(resolved.port, resolved.host, () => {
          server.off('error', reject);
          const { address, port } = server.address() as AddressInfo;
          const host = address.includes(':') ? `[${address}]` : address;
          url = `http://${host}:${port}`;
          resolve(url);
        });
      });
    },
    async close() {
      for (const controller of running) controller.abort();
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
