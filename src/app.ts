/**
 * The composition root: `createApp(config)` wires logger, lifecycle, caller keys, the upstream (starting
 * the embedded simulator when no real upstream is configured), the core and the network servers. Tests
 * call it too, with an injected upstream and log destination. `start()` binds every server; `stop()` is
 * the graceful sequence of DESIGN §7: NOT_SERVING and /readyz 503 for the drain window (new calls
 * refused with SHUTTING_DOWN) → stop accepting → drain up to the grace → force.
 */
import type { DestinationStream } from 'pino';
import { createHostingSetup, type HostingSetup } from './assets/hosting-setup.js';
import { createKeyVerifier, type KeyVerifier } from './auth/api-keys.js';
import type { Config } from './config.js';
import { createGrpcServer, type GrpcServer } from './grpc/grpc-server.js';
import { createJobSetup, type JobSetup } from './jobs/job-setup.js';
import { createLifecycle, type Lifecycle } from './lifecycle.js';
import { createBodyBudget } from './rest/body-budget.js';
import { createRestServer } from './rest/server.js';
import { createImageGenerator, type ImageGenerator } from './service/image-generator.js';
import { createSimulator, simulatorOptionsFromConfig, type Simulator } from './simulator/index.js';
import { createGatewayTelemetry } from './telemetry/gateway-telemetry.js';
import { createLogger, type Logger } from './telemetry/logger.js';
import { startTelemetry } from './telemetry/sdk.js';
import type { ImageUpstream } from './upstream/types.js';
import { createChannels } from './channels/create-channels.js';
import { createCallerQuotas } from './limits/caller-quotas.js';
import { createStores, type Stores } from './limits/create-stores.js';
import { createPriceTable } from './models/pricing.js';
import type { ModelKey } from './models/types.js';
import { createCallAccounting } from './usage/call-accounting.js';
import type { UsageLedger } from './usage/usage-ledger.js';
import { createUsageReader } from './usage/usage-reader.js';

/** What tests (and benchmarks) may replace. */
export interface AppOverrides {
  /** Use this upstream instead of the configured one; no simulator is started. */
  readonly upstream?: ImageUpstream;
  /** Where log lines go (default stdout). */
  readonly logDestination?: DestinationStream;
  /** The reflection descriptor set (default `<package root>/dist/seedream.binpb`). */
  readonly descriptorSetPath?: string;
}

/** A network server started and stopped with the app: gRPC and the REST adapter. */
export interface AppServer {
  /** Key of its address in AppAddresses: `grpc`, `http`. */
  readonly name: string;
  /** Binds and resolves to the bound `host:port`. */
  listen(): Promise<string>;
  /** Stops accepting, drains in-flight requests for up to `graceMs`, then forces. */
  close(graceMs: number): Promise<void>;
}

/** Bound addresses by server name (`grpc`, `http`), as `host:port`. */
export type AppAddresses = Readonly<Record<string, string>>;

export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
  readonly verifier: KeyVerifier;
  readonly generator: ImageGenerator;
  readonly upstream: ImageUpstream;
  /** The usage ledger (in process or Redis, per the config file's store). */
  readonly ledger: UsageLedger;
  /** The embedded simulator, when the app runs on it. */
  readonly simulator: Simulator | undefined;
  readonly grpc: GrpcServer;
  /** Image hosting (store, core stage); undefined when IMAGE_HOSTING=off. */
  readonly hosting: HostingSetup | undefined;
  /** Durable generations: the job store, keyed calls and jobs (DESIGN §10). */
  readonly jobs: JobSetup;
  /** Listens on every server; resolves to their bound addresses. */
  start(): Promise<AppAddresses>;
  /** Graceful shutdown of every server, then of the upstream and simulator. Idempotent. */
  stop(): Promise<void>;
}

/** The gateway refuses to start as configured (not a config syntax problem: a combination). */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

/**
 * Whether callers need no key (DESIGN §4): only when none is configured, and then only with the
 * simulator — or when the operator explicitly allows it for a real upstream.
 */
export function isOpenMode(config: Pick<Config, 'auth' | 'upstream'>): boolean {
  if (config.auth.keys.length > 0) return false;
  if (config.upstream.kind === 'simulator' || config.auth.allowOpen) return true;
  // Any upstream reached with a key may bill a real account (the gateway cannot tell a standalone
  // simulator from Ark), so the message names the upstream instead of guessing what it is.
  throw new StartupError(
    `no caller keys are configured (GATEWAY_API_KEYS or GATEWAY_API_KEYS_FILE) and the upstream is the ` +
      `${config.upstream.kind} upstream at ${new URL(config.upstream.baseUrl).host}, which may bill a real account: refusing ` +
      `to accept calls from anyone. Configure caller keys, or set GATEWAY_ALLOW_OPEN=true to run open ` +
      `deliberately (for example against a standalone \`npm run simulator\`).`,
  );
}

/** Builds the app; starts the embedded simulator when needed, but binds no public port yet. */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  // Normally started by the `--import` bootstrap already (then this returns it); started here otherwise.
  startTelemetry(config.telemetry);
  const telemetry = createGatewayTelemetry({ capturePrompts: config.telemetry.capturePrompts });
  const logger = createLogger({ level: config.logLevel, ...(overrides.logDestination && { destination: overrides.logDestination }) });
  const open = isOpenMode(config);
  if (open) {
    logger.warn(
      { upstream: config.upstream.kind },
      'OPEN MODE: no caller keys configured (GATEWAY_API_KEYS); every caller is accepted without a key',
    );
  }
  const lifecycle = createLifecycle();
  const verifier = createKeyVerifier(config.auth.keys, { open });
  // Channels, caller quotas and the usage ledger (DESIGN §12), on the configured store.
  const stores = createStores(config.store, logger);
  const { upstream, simulator, models } = await upstreamFor(config, overrides, logger, stores);
  // Hosted images (DESIGN §11): the store, the core's hosting stage and, for local, the asset route.
  let hosting: HostingSetup | undefined;
  try {
    hosting = await createHostingSetup(config.hosting, { logger, ...(simulator && { simulatorUrl: simulator.url }) });
  } catch (error) {
    await upstream.close();
    await simulator?.close();
    await stores.close();
    throw error;
  }
  const prices = createPriceTable(config.pricing.currency, config.pricing.overrides);
  const callerLimits = new Map(config.auth.keys.map((k) => [k.name, k.limits]));
  const quotas = createCallerQuotas({ store: stores.limits, limitsOf: (name) => callerLimits.get(name), prices, rateWindowMs: config.routing.rateWindowMs });
  const accounting = createCallAccounting({ quotas, ledger: stores.ledger, prices, onError: (err, what) => logger.warn({ err }, `usage accounting failed: ${what}`) });
  const generator = createImageGenerator({
    upstream,
    config,
    region: config.upstream.region,
    telemetry,
    accounting,
    concurrencyOf: (name) => callerLimits.get(name)?.maxConcurrency,
    ...(models !== undefined && { servedModels: models }),
    ...(hosting && { hosting: hosting.hosting }),
  });
  // Durable generations (DESIGN §10): jobs and idempotency keys, in process or in Redis.
  let jobs: JobSetup;
  try {
    jobs = await createJobSetup(config.jobs, { generator, logger, maxCallDurationMs: config.server.maxCallDurationMs, heartbeatIntervalMs: config.heartbeatIntervalMs });
  } catch (error) {
    await upstream.close();
    await simulator?.close();
    await hosting?.close();
    await stores.close();
    throw error;
  }
  const durable = jobs.durable;
  const usage = createUsageReader({ ledger: stores.ledger, currency: config.pricing.currency });
  // The upstream keys must never reach a caller, even quoted inside an upstream message.
  const secrets = config.channels.flatMap((c) => (c.kind === 'simulator' ? [] : c.keys));
  // One budget for the bodies both edges hold at once: they share the process's memory (DESIGN §9).
  const bodyBudget = createBodyBudget(config.server.requestBodyBudgetBytes);

  let grpc: GrpcServer;
  try {
    grpc = createGrpcServer({
      generator,
      durable,
      verifier,
      lifecycle,
      logger,
      config: config.server,
      secrets,
      telemetry,
      bodyBudget,
      usage,
      ...(overrides.descriptorSetPath !== undefined && { descriptorSetPath: overrides.descriptorSetPath }),
    });
  } catch (error) {
    // E.g. no descriptor set: do not leave the embedded simulator listening behind a failed start.
    await upstream.close();
    await simulator?.close();
    await hosting?.close();
    await stores.close();
    await jobs.close();
    throw error;
  }
  const servers: AppServer[] = [
    {
      name: 'grpc',
      listen: async () => `${config.server.host}:${await grpc.listen(config.server.host, config.server.grpcPort)}`,
      close: (graceMs) => grpc.close(graceMs),
    },
  ];
  // The REST adapter shares the core, keys, lifecycle and logger; start() and stop() bind, drain and
  // close it together with gRPC.
  const rest = createRestServer({ generator, durable, keys: verifier, config, lifecycle, logger, telemetry, bodyBudget, usage, ...(hosting?.local && { assets: hosting.local }) });
  servers.push({
    name: 'http',
    listen: async () => {
      const { port } = await rest.listen(config.server.host, config.server.httpPort);
      hosting?.setBoundHttpAddress(config.server.host, port);
      return `${config.server.host}:${port}`;
    },
    close: (graceMs) => rest.close(graceMs),
  });

  let stopping: Promise<void> | undefined;
  return {
    config,
    logger,
    lifecycle,
    verifier,
    generator,
    upstream,
    ledger: stores.ledger,
    simulator,
    grpc,
    hosting,
    jobs,
    async start() {
      const addresses: Record<string, string> = {};
      for (const server of servers) addresses[server.name] = await server.listen();
      hosting?.startSweeps();
      return addresses;
    },
    stop() {
      stopping ??= (async () => {
        logger.info({ graceMs: config.server.shutdownGraceMs }, 'shutting down: health NOT_SERVING, draining calls');
        lifecycle.beginShutdown();
        // The drain window: listeners stay open so balancers see /readyz 503 and NOT_SERVING, and new
        // calls get SHUTTING_DOWN (UNAVAILABLE / 503) instead of a refused connection (DESIGN §7).
        await new Promise((resolve) => setTimeout(resolve, config.server.shutdownDrainWindowMs));
        await Promise.all(servers.map((server) => server.close(config.server.shutdownGraceMs)));
        // Jobs still running here end `interrupted` (DESIGN §7: never silently lost, never re-run).
        await jobs.close();
        await upstream.close();
        await simulator?.close();
        await hosting?.close();
        await stores.close();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}

/** The injected upstream, or the configured channels as one routed upstream (with the embedded
 *  simulator started on loopback when a channel uses it). */
async function upstreamFor(
  config: Config,
  overrides: AppOverrides,
  logger: Logger,
  stores: Stores,
): Promise<{ upstream: ImageUpstream; simulator: Simulator | undefined; models: ReadonlySet<ModelKey> | undefined }> {
  if (overrides.upstream !== undefined) return { upstream: overrides.upstream, simulator: undefined, models: undefined };
  const channelInfo = config.channels.map((c) => ({ channel: c.name, kind: c.kind, region: c.region, keys: c.keys.length, priority: c.priority, weight: c.weight }));
  let simulator: Simulator | undefined;
  let simulatorUrl: string | undefined;
  if (config.channels.some((c) => c.kind === 'simulator' && c.baseUrl === undefined)) {
    // Embedded: always loopback and a free port (SIMULATOR_HOST/PORT are for the standalone one).
    simulator = createSimulator({ ...simulatorOptionsFromConfig(config.simulator), host: '127.0.0.1', port: 0 });
    simulatorUrl = await simulator.listen();
    logger.warn(
      { simulator: simulatorUrl, latencyMs: config.simulator.latencyMs },
      'IMAGES ARE SIMULATED: no upstream key configured, using the embedded Seedream simulator (set ARK_API_KEY for real images)',
    );
  }
  if (config.upstream.kind !== 'simulator') logger.info({ upstream: config.upstream.kind, region: config.upstream.region, channels: channelInfo }, 'using the real upstream');
  else if (config.channels.length > 1) logger.info({ channels: channelInfo }, 'channels');
  const { upstream, models } = createChannels(config, {
    limits: stores.limits,
    logger,
    upstreamDeps: {
      ...(simulatorUrl !== undefined && { simulatorUrl }),
      ...(config.simulator.apiKey !== undefined && { simulatorApiKey: config.simulator.apiKey }),
    },
  });
  return { upstream, simulator, models };
}
