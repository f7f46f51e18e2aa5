/**
 * The REST adapter's HTTP server (fastify): the OpenAI-compatible `/v1` routes behind caller auth, the
 * health probes, and one error shape for everything — including fastify's own errors (body limit,
 * content type, malformed JSON), unknown routes (404) and wrong methods (405 with `Allow`).
 */
import type { AddressInfo } from 'node:net';
import { fastify, type FastifyInstance } from 'fastify';
import type { KeyVerifier } from '../auth/api-keys.js';
import type { Config } from '../config.js';
import type { Lifecycle } from '../lifecycle.js';
import { findModel, upstreamModelId } from '../models/lookup.js';
import type { DurableGenerations } from '../jobs/durable-generations.js';
import type { ImageGenerator } from '../service/image-generator.js';
import type { ModelListing } from '../service/model-listing.js';
import type { Region } from '../models/types.js';
import { createGatewayTelemetry, type GatewayTelemetry } from '../telemetry/gateway-telemetry.js';
import type { Logger } from '../telemetry/logger.js';
import { authHook } from './auth.js';
import type { MultipartLimits } from './multipart-form.js';
import { createBodyBudget, registerBodyBudget, type BodyBudget } from './body-budget.js';
import { answerClientError, answerFrameworkError } from './client-errors.js';
import { GatewayError } from '../errors.js';
import { CancelController } from '../cancel-signal.js';
import { RestRequestError } from './openai-errors.js';
import { gatewayErrorFromFastify, JSON_CONTENT_TYPE, sendError } from './reply-error.js';
import type { LocalAssetStore } from '../assets/local-asset-store.js';
import { registerAssetRoutes } from './routes/assets.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerImageEditRoutes } from './routes/image-edits.js';
import { registerImagesRoute } from './routes/images.js';
import { registerJobRoutes } from './routes/jobs.js';
import { registerModelsRoutes } from './routes/models.js';
import { registerUsageRoute } from './routes/usage.js';
import type { UsageReader } from '../usage/usage-reader.js';
import { registerTracing } from './tracing.js';

export interface RestServerDeps {
  readonly generator: ImageGenerator;
  /** Keyed calls and jobs (DESIGN §10): `Idempotency-Key`, `Prefer`, `/v1/images/jobs`. */
  readonly durable?: DurableGenerations;
  readonly keys: KeyVerifier;
  readonly config: Config;
  readonly lifecycle: Lifecycle;
  readonly logger: Logger;
  /** Clock for `created` fields; tests pin it. Default Date.now. */
  readonly now?: () => number;
  /** Tracer and instruments for server spans and request durations (default: the global providers). */
  readonly telemetry?: GatewayTelemetry;
  /** The in-flight body budget shared with the gRPC edge (default: one of REQUEST_BODY_BUDGET_BYTES). */
  readonly bodyBudget?: BodyBudget;
  /** The local image store whose signed URLs this server answers (IMAGE_HOSTING=local). */
  readonly assets?: LocalAssetStore;
  /** Serves `GET /v1/usage` when given. */
  readonly usage?: UsageReader;
}

export interface RestServer {
  /** The fastify instance (for `inject` in tests, and hooks such as tracing). */
  readonly fastify: FastifyInstance;
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(host: string, port: number): Promise<{ address: string; port: number }>;
  /** Stops accepting connections and waits for in-flight requests and streams to finish — for at most
   *  `graceMs` when given, then closes every connection (their calls are cancelled, upstream too). */
  close(graceMs?: number): Promise<void>;
}

/** Paths the adapter serves and the methods each allows, for 405 answers. */
const knownPaths: ReadonlyArray<readonly [RegExp, string]> = [
  [/^\/v1\/images\/(generations|edits|variations)$/, 'POST'],
  [/^\/v1\/models(\/[^/]+)?$/, 'GET, HEAD'],
  [/^\/v1\/images\/jobs(\/[^/]+(\/events)?)?$/, 'GET, HEAD'],
  [/^\/v1\/images\/jobs\/[^/]+\/cancel$/, 'POST'],
  [/^\/v1\/usage$/, 'GET, HEAD'],
  [/^\/(healthz|readyz)$/, 'GET, HEAD'],
];

/** Creates the REST adapter; nothing listens until `listen`. */
export function createRestServer(deps: RestServerDeps): RestServer {
  const { config, logger } = deps;
  const bodyLimit = config.server.httpBodyLimitBytes;
  // Our own pino logger logs one line per call; fastify's per-request logging would double the cost.
  // fastify's own 503-while-closing body is not the OpenAI envelope; the hook below answers instead.
  const server = config.server;
  const app = fastify({
    logger: false,
    bodyLimit,
    return503OnClosing: false,
    // Slow or stalled requests (DESIGN §9): the whole request must arrive within the timeout; Node
    // checks every second instead of every 30 s. An idle keep-alive connection closes after its own.
    requestTimeout: server.httpRequestTimeoutMs,
    keepAliveTimeout: server.httpKeepAliveTimeoutMs,
    http: {
      requestTimeout: server.httpRequestTimeoutMs,
      headersTimeout: Math.min(60_000, server.httpRequestTimeoutMs),
      connectionsCheckingInterval: Math.min(1000, server.httpRequestTimeoutMs),
    },
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, _request, reply) => answerFrameworkError(error, reply),
  });
  app.server.maxConnections = server.httpMaxConnections;
  const telemetry = deps.telemetry ?? createGatewayTelemetry();
  registerTracing(app, telemetry);
  // Aborted when the grace period runs out: calls still running end with SHUTTING_DOWN — an envelope,
  // or an SSE error event once the stream started — instead of a bare connection reset.
  // A CancelController: every running call adds and removes a listener here (cheap on a plain array).
  const shutdown = new CancelController();
  let closing = false;
  app.addHook('onRequest', (request, reply, done) => {
    // The drain window (shutdown began, listeners open): probes still answer — /readyz says 503 so
    // balancers stop sending — and calls are refused so the client retries on another instance
    // (DESIGN §7). Once the listeners close, a request on a kept-alive connection is refused too.
    const draining = !deps.lifecycle.serving && !probePaths.has(request.url.split('?', 1)[0] ?? '');
    if (!closing && !draining) return done();
    void sendError(reply.header('connection', 'close'), shuttingDown());
  });

  // Only JSON is accepted: without fastify's text/plain parser any other type is a 400 (issue: wrong
  // content type). JSON.parse runs once over the body; secure-json-parse's extra scan for `__proto__`
  // is not needed because every object in the schema is strict and rejects unknown keys.
  app.removeAllContentTypeParsers();
  registerBodyBudget(app, deps.bodyBudget ?? createBodyBudget(server.requestBodyBudgetBytes));
  // As one buffer, decoded once: a string body would be built by concatenation and flattened again.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, JSON.parse(typeof body === 'string' ? body : body.toString('utf8')));
    } catch {
      done(new RestRequestError('invalid_json', 'the request body is not valid JSON'), undefined);
    }
  });

  app.setErrorHandler((error, _request, reply) => {
    const gatewayError = gatewayErrorFromFastify(error, bodyLimit);
    if (gatewayError.reason === 'INTERNAL') logger.error({ err: gatewayError.cause ?? error }, 'rest: unexpected error');
    return sendError(reply, gatewayError);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '';
    const allow = knownPaths.find(([pattern]) => pattern.test(path))?.[1];
    if (allow === undefined) {
      return reply.code(404).type(JSON_CONTENT_TYPE).send(envelope(`no route for ${request.method} ${path}`, 'invalid_request_error', 'not_found'));
    }
    return reply
      .code(405)
      .header('allow', allow)
      .type(JSON_CONTENT_TYPE)
      .send(envelope(`${request.method} is not allowed on ${path}; use ${allow}`, 'invalid_request_error', 'method_not_allowed'));
  });

  app.decorateRequest('caller', null);
  registerHealthRoutes(app, deps.lifecycle);
  if (deps.assets !== undefined) registerAssetRoutes(app, deps.assets);
  const listing = deps.generator.listModels();
  const upstreamIds = upstreamIdsByName(listing, config.upstream.region);
  void app.register(async (v1) => {
    v1.addHook('onRequest', authHook(deps.keys));
    const imagesDeps = {
      generator: deps.generator,
      ...(deps.durable && { durable: deps.durable }),
      shutdownSignal: shutdown.signal,
      maxCallDurationMs: server.maxCallDurationMs,
      logger,
      upstreamIdOf: (name: string) => upstreamIds.get(name.trim().toLowerCase()) ?? name,
      now: deps.now ?? Date.now,
      overheadHistogram: telemetry.metrics.overheadDuration,
    };
    registerImagesRoute(v1, imagesDeps);
    registerImageEditRoutes(v1, imagesDeps, multipartLimits(config));
    registerModelsRoutes(v1, listing);
    if (deps.durable !== undefined) registerJobRoutes(v1, deps.durable, logger);
    if (deps.usage !== undefined) registerUsageRoute(v1, deps.usage);
  });

  return {
    fastify: app,
    async listen(host, port) {
      await app.listen({ host, port });
      const address = app.server.address() as AddressInfo;
      return { address: address.address, port: address.port };
    },
    async close(graceMs) {
      closing = true;
      const closed = app.close();
      if (graceMs === undefined) return closed;
      // Past the grace, end the calls still running with SHUTTING_DOWN (each answers or writes its
      // error event at once), then cut whatever connection is left.
      let cut: NodeJS.Timeout | undefined;
      const force = setTimeout(() => {
        shutdown.abort(shuttingDown());
        cut = setTimeout(() => app.server.closeAllConnections(), FORCE_ANSWER_MS);
      }, graceMs);
      try {
        await closed;
      } finally {
        clearTimeout(force);
        clearTimeout(cut);
      }
    },
  };
}

/** Multipart bounds from config: the JSON body limit for the whole form, the reference-image limit per
 *  file, 16 files (OpenAI's maximum; the model's own limit is checked by the core, naming `image`), and
 *  text fields up to a data URI of a file at the limit. */
function multipartLimits(config: Config): MultipartLimits {
  const fileBytes = config.limits.maxReferenceImageBytes;
  return {
    totalBytes: config.server.httpBodyLimitBytes,
    fileBytes,
    fieldBytes: Math.ceil((fileBytes * 4) / 3) + 1024,
    maxFiles: 16,
    maxFields: 64,
  };
}

/** Probes answer during shutdown: /readyz says 503 itself, /healthz stays 200 while the process runs. */
const probePaths: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

/** How long calls ended by the shutdown get to write their answer before connections are cut. */
const FORCE_ANSWER_MS = 1000;

function shuttingDown(): GatewayError {
  return new GatewayError('SHUTTING_DOWN', 'the gateway is shutting down; retry on another instance', { retryAfterMs: 1000 });
}

function envelope(message: string, type: string, code: string): string {
  return JSON.stringify({ error: { message, type, param: null, code } });
}

/** Every accepted model name → the id the upstream of `region` gets for it. */
function upstreamIdsByName(listing: readonly ModelListing[], region: Region): Map<string, string> {
  const ids = new Map<string, string>();
  for (const model of listing) {
    for (const alias of model.aliases) {
      const resolved = findModel(alias);
      if (resolved !== undefined) ids.set(alias.toLowerCase(), upstreamModelId(resolved.snapshot, region));
    }
  }
  return ids;
}
