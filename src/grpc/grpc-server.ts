/**
 * The gRPC server: nice-grpc on grpc-js with ImageService (behind auth), health and reflection (open),
 * one error mapping for all of them, limits and keepalive from config, and graceful shutdown
 * (conventions E): NOT_SERVING → stop accepting → drain in-flight calls up to the grace → force.
 */
import type { ChannelOptions } from '@grpc/grpc-js';
import { createServer } from 'nice-grpc';
import { errorDetailsServerMiddleware } from 'nice-grpc-error-details';
import type { KeyVerifier } from '../auth/api-keys.js';
import type { Config } from '../config.js';
import type { Lifecycle } from '../lifecycle.js';
import { GatewayError } from '../errors.js';
import { CancelController } from '../cancel-signal.js';
import { createBodyBudget, type BodyBudget } from '../rest/body-budget.js';
import type { ImageGenerator } from '../service/image-generator.js';
import { createGatewayTelemetry, type GatewayTelemetry } from '../telemetry/gateway-telemetry.js';
import type { Logger } from '../telemetry/logger.js';
import { createDeadlineInterceptor } from './call-deadline.js';
import { CONNECTION_CAP_OPTION, RECEIVE_WINDOW_OPTION } from './grpc-listener-tuning.js';
import { createErrorMiddleware } from './error-middleware.js';
import { createGrpcHealth, type GrpcHealth } from './health.js';
import { createImageCallMiddleware } from './image-call-middleware.js';
import type { DurableGenerations } from '../jobs/durable-generations.js';
import { createImageService, imageServiceDefinition } from './image-service.js';
import { createReflectionServices, defaultDescriptorSetPath } from './reflection.js';
import { createTracingMiddleware } from './tracing-middleware.js';
import { createUsageService, UsageServiceDefinition } from './usage-service.js';
import type { UsageReader } from '../usage/usage-reader.js';

export interface GrpcServerDeps {
  readonly generator: ImageGenerator;
  /** Keyed calls and jobs (DESIGN §10). */
  readonly durable: DurableGenerations;
  readonly verifier: KeyVerifier;
  readonly lifecycle: Lifecycle;
  readonly logger: Logger;
  readonly config: Config['server'];
  /** The buf-built descriptor set served by reflection; default `<package root>/dist/seedream.binpb`. */
  readonly descriptorSetPath?: string;
  /** Strings never to send to a caller (the upstream key), see the error middleware. */
  readonly secrets?: readonly string[];
  /** Tracer and instruments for server spans and call durations (default: the global providers). */
  readonly telemetry?: GatewayTelemetry;
  /** The in-flight body budget shared with REST (default: one of REQUEST_BODY_BUDGET_BYTES). */
  readonly bodyBudget?: BodyBudget;
  /** Serves UsageService (behind auth) when given. */
  readonly usage?: UsageReader;
}

export interface GrpcServer {
  /** Binds `host:port` (port 0 = any free port) and resolves to the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** Graceful shutdown: begins the lifecycle's shutdown (health NOT_SERVING), stops accepting, lets
   *  in-flight calls finish for up to `graceMs`, then cancels what is left. Resolves when closed. */
  close(graceMs: number): Promise<void>;
  readonly health: GrpcHealth;
}

/** How long calls ended by the shutdown get to send their status before connections are cut. */
const FORCE_ANSWER_MS = 1000;

/** grpc-js server options from config. */
export function grpcServerOptions(server: Config['server']): ChannelOptions {
  return {
    // Sized for 14 reference images at the size limit; above it grpc-js answers RESOURCE_EXHAUSTED.
    'grpc.max_receive_message_length': server.grpcMaxReceiveMessageBytes,
    // Inline images of a 4K set can be large; responses are bounded by the core's image limits instead.
    'grpc.max_send_message_length': -1,
    'grpc.keepalive_time_ms': server.grpcKeepaliveTimeMs,
    'grpc.keepalive_timeout_ms': server.grpcKeepaliveTimeoutMs,
    'grpc.max_concurrent_streams': server.grpcMaxConcurrentStreams,
    // Connection age rebalances clients across replicas; in-flight renders keep the default unlimited
    // age grace, so an aged connection is never cut under a running call.
    ...(server.grpcMaxConnectionAgeMs !== undefined && { 'grpc.max_connection_age_ms': server.grpcMaxConnectionAgeMs }),
    // Connections that carry no call are closed after a while (DESIGN §9: nothing is held forever).
    'grpc.max_connection_idle_ms': server.grpcMaxConnectionIdleMs,
    [CONNECTION_CAP_OPTION]: server.grpcMaxConnections,
    // Uploads of reference images are not held to 64 KiB per round trip (src/grpc/grpc-listener-tuning.ts).
    [RECEIVE_WINDOW_OPTION]: server.grpcReceiveWindowBytes,
    interceptors: [createDeadlineInterceptor({ maxCallDurationMs: server.maxCallDurationMs, messageTimeoutMs: server.grpcMessageTimeoutMs })],
  };
}

/** Creates the gRPC server; nothing listens until `listen()`. */
export function createGrpcServer(deps: GrpcServerDeps): GrpcServer {
  const { lifecycle, logger } = deps;
  const health = createGrpcHealth(lifecycle);
  const reflection = createReflectionServices(deps.descriptorSetPath ?? defaultDescriptorSetPath());

  const telemetry = deps.telemetry ?? createGatewayTelemetry();
  // Aborted when the shutdown grace runs out: running calls end with SHUTTING_DOWN (UNAVAILABLE).
  // A CancelController: every running call adds and removes a listener here (cheap on a plain array).
  const shutdown = new CancelController();
  // First attached = outermost: details are encoded into the trailer after the error is mapped.
  const server = createServer(grpcServerOptions(deps.config))
    .use(errorDetailsServerMiddleware)
    .use(createErrorMiddleware({ logger, ...(deps.secrets && { secrets: deps.secrets }) }));
  // Tracing outside auth, so refused calls are traced too; probes below are not traced (noise). Auth,
  // the call log and the request checks are one middleware (image-call-middleware.ts: a layer each
  // cost ≈ 11 µs per call).
  const authenticated = server.with(createTracingMiddleware(telemetry)).with(
    createImageCallMiddleware({
      verifier: deps.verifier,
      logger,
      checks: {
        budget: deps.bodyBudget ?? createBodyBudget(deps.config.requestBodyBudgetBytes),
        lifecycle,
        shutdownSignal: shutdown.signal,
      },
    }),
  );
  authenticated.add(imageServiceDefinition, createImageService({ generator: deps.generator, durable: deps.durable, overheadHistogram: telemetry.metrics.overheadDuration }));
  if (deps.usage !== undefined) authenticated.add(UsageServiceDefinition, createUsageService(deps.usage));
  // Probes and tooling must work without a key (load balancers hold none).
  server.with(health.watchMiddleware).add(health.definition, health.implementation);
  for (const service of reflection) server.add(service.definition, service.implementation);

  let closing: Promise<void> | undefined;
  return {
    health,
    listen: (host, port) => server.listen(`${host.includes(':') ? `[${host}]` : host}:${port}`),
    close(graceMs) {
      closing ??= (async () => {
        lifecycle.beginShutdown();
        // One macrotask, so Watch streams write their NOT_SERVING update before they are ended.
        await new Promise((resolve) => setImmediate(resolve));
        health.endWatches();
        let timer: NodeJS.Timeout | undefined;
        const drained = server.shutdown().then(
          () => true,
          () => false,
        );
        const after = (ms: number) => new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
        const graceful = await Promise.race([drained, after(graceMs)]);
        clearTimeout(timer);
        if (!graceful) {
          logger.warn({ graceMs }, 'in-flight gRPC calls outlived the shutdown grace period; cancelling them');
          // Each running call ends with SHUTTING_DOWN, so its caller gets UNAVAILABLE (retry elsewhere)
          // rather than a cancel; what has not ended after a moment is cut.
          shutdown.abort(new GatewayError('SHUTTING_DOWN', 'the gateway shut down before the call finished; retry on another instance', { retryAfterMs: 1000 }));
          const answered = await Promise.race([drained, after(FORCE_ANSWER_MS)]);
          clearTimeout(timer);
          if (!answered) server.forceShutdown();
        }
      })();
      return closing;
    },
  };
}
