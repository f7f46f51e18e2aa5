/**
 * Configuration: the only place that reads the environment. `loadConfig(env)` validates every key once
 * at boot, reports every problem at once, and returns a frozen Config. Each key below carries its env
 * name, default and meaning; README's configuration table lists the same keys (a test keeps them equal).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { buildHosting } from './config-hosting.js';
import { buildJobs } from './config-jobs.js';
import { buildUpstream, trimSlash, upstreamEnvKeys } from './config-upstream.js';
import { envSchemaKeys, type EnvKeys } from './config-keys.js';
import type { ApiKeyEntry, Config } from './config-types.js';
import { modelCatalog } from './models/catalog.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_SSE_FRAME_BYTES } from './upstream/answer-size.js';
import { loadConfigFile } from './config-file/load-config-file.js';
import { channelFromUpstream, upstreamFromChannels } from './config-file/channels-from-env.js';
import { defaultRouting } from './channels/types.js';

export { configKeyDocs } from './config-keys.js';
export type { ApiKeyEntry, AssetStoreConfig, Config, ImageHostingConfig, LogLevel, SimulatorConfig, TelemetryConfig, UpstreamConfig } from './config-types.js';

/** Thrown by loadConfig with every problem found, one line each, naming the env variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

export interface LoadConfigOptions {
  /** Reads key files (`*_FILE` variables); injectable for tests. */
  readonly readFile?: (path: string) => string;
}

/** Validates the environment into a frozen Config, or throws ConfigError listing every problem. */
export function loadConfig(env: Env, options: LoadConfigOptions = {}): Config {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const problems: string[] = [];
  const e = parseKeys(env, problems);

  const file = e.GATEWAY_CONFIG_FILE === undefined ? undefined : loadConfigFile(e.GATEWAY_CONFIG_FILE, env, readFile, problems);
  const keys = [...e.GATEWAY_API_KEYS, ...readKeysFile(e.GATEWAY_API_KEYS_FILE, readFile, problems), ...(file?.callers ?? [])];
  const names = new Set<string>();
  for (const key of keys) {
    if (names.has(key.name)) problems.push(`GATEWAY_API_KEYS: key name "${key.name}" is used twice`);
    names.add(key.name);
  }

  // Channels from the file replace the env-configured upstream; without them, that upstream is the one channel.
  const fileChannels = file?.channels;
  const upstream = fileChannels === undefined ? buildUpstream(e, readFile, problems) : upstreamFromChannels(fileChannels);
  if (fileChannels !== undefined) {
    // Both would be ambiguous: refuse instead of silently ignoring the environment's upstream.
    const ignored = upstreamEnvKeys.filter((name) => env[name] !== undefined && env[name]?.trim() !== '');
    if (ignored.length > 0) problems.push(`GATEWAY_CONFIG_FILE: the file configures channels, so ${ignored.join(', ')} would be ignored; remove ${ignored.length > 1 ? 'them' : 'it'} (or the file's channels)`);
  }
  // Every channel (the env's upstream as the one channel when there is no file).
  const channels = fileChannels ?? (upstream === undefined ? [] : [channelFromUpstream(upstream)]);
  const hosting = buildHosting(e, upstream === undefined ? undefined : channels, problems);
  // One Redis for everything: the config file's store serves jobs too unless REDIS_URL names another.
  const jobs = buildJobs(e, problems, file?.store?.kind === 'redis' ? file.store.url : undefined);
  const maxRef = e.MAX_REFERENCE_IMAGE_BYTES;
  // The largest legal request: the most reference images any model takes (14), each at the size
  // limit; as base64 data URIs in JSON on REST (4/3 larger). 1 MiB covers the prompt and the rest.
  const maxRefs = Math.max(...modelCatalog.map((entry) => entry.maxReferenceImages));
  const httpBodyLimit = e.HTTP_BODY_LIMIT_BYTES ?? Math.ceil((maxRefs * maxRef * 4) / 3) + 1024 * 1024;
  if (e.REQUEST_BODY_BUDGET_BYTES !== undefined && e.REQUEST_BODY_BUDGET_BYTES < httpBodyLimit) {
    problems.push(`REQUEST_BODY_BUDGET_BYTES (${e.REQUEST_BODY_BUDGET_BYTES}) must be at least HTTP_BODY_LIMIT_BYTES (${httpBodyLimit})`);
  }
  if (e.MAX_IMAGES_PER_REQUEST < e.MAX_N) {
    problems.push(`MAX_IMAGES_PER_REQUEST (${e.MAX_IMAGES_PER_REQUEST}) must be at least MAX_N (${e.MAX_N})`);
  }
  if (e.RETRY_MAX_DELAY_MS < e.RETRY_BASE_DELAY_MS) {
    problems.push('RETRY_MAX_DELAY_MS must be at least RETRY_BASE_DELAY_MS');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (upstream === undefined) throw new ConfigError(['UPSTREAM_KIND: no upstream could be configured']);
  if (hosting === undefined) throw new ConfigError(['IMAGE_HOSTING: no image store could be configured']);

    const traces = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? joinOtlp(e.OTEL_EXPORTER_OTLP_ENDPOINT, 'v1/traces');
  const metrics = e.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT ?? joinOtlp(e.OTEL_EXPORTER_OTLP_ENDPOINT, 'v1/metrics');

  const config: Config = {
    server: {
      host: e.HOST,
      grpcPort: e.GRPC_PORT,
      httpPort: e.HTTP_PORT,
      shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
      // Sized for the largest legal request: 14 reference images at the size limit, plus 1 MiB.
      grpcMaxReceiveMessageBytes: e.GRPC_MAX_RECEIVE_MESSAGE_BYTES ?? maxRefs * maxRef + 1024 * 1024,
      grpcKeepaliveTimeMs: e.GRPC_KEEPALIVE_TIME_MS,
      grpcKeepaliveTimeoutMs: e.GRPC_KEEPALIVE_TIMEOUT_MS,
      grpcMaxConcurrentStreams: e.GRPC_MAX_CONCURRENT_STREAMS,
      grpcMaxConnectionAgeMs: e.GRPC_MAX_CONNECTION_AGE_MS,
      grpcReceiveWindowBytes: e.GRPC_RECEIVE_WINDOW_BYTES,
      httpBodyLimitBytes: httpBodyLimit,
      // Room for two of the largest legal bodies at once, any number of small ones (DESIGN §9).
      requestBodyBudgetBytes: e.REQUEST_BODY_BUDGET_BYTES ?? 2 * httpBodyLimit,
      httpRequestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      httpKeepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      httpMaxConnections: e.HTTP_MAX_CONNECTIONS,
      grpcMaxConnections: e.GRPC_MAX_CONNECTIONS,
      grpcMessageTimeoutMs: e.GRPC_MESSAGE_TIMEOUT_MS,
      grpcMaxConnectionIdleMs: e.GRPC_MAX_CONNECTION_IDLE_MS,
      maxCallDurationMs: e.MAX_CALL_DURATION_MS,
      shutdownDrainWindowMs: e.SHUTDOWN_DRAIN_WINDOW_MS,
    },
    auth: { keys, allowOpen: e.GATEWAY_ALLOW_OPEN },
    upstream,
    upstreamHttp: {
      timeoutMs: e.UPSTREAM_TIMEOUT_MS,
      connectTimeoutMs: e.UPSTREAM_CONNECT_TIMEOUT_MS,
      maxConnections: e.UPSTREAM_MAX_CONNECTIONS,
      deadlineMarginMs: e.DEADLINE_MARGIN_MS,
      preferStreaming: e.UPSTREAM_PREFER_STREAMING,
      maxResponseBytes: e.UPSTREAM_MAX_RESPONSE_BYTES ?? DEFAULT_MAX_RESPONSE_BYTES,
      maxSseFrameBytes: e.UPSTREAM_MAX_SSE_FRAME_BYTES ?? DEFAULT_MAX_SSE_FRAME_BYTES,
    },
    retry: { maxAttempts: e.RETRY_MAX_ATTEMPTS, baseDelayMs: e.RETRY_BASE_DELAY_MS, maxDelayMs: e.RETRY_MAX_DELAY_MS },
    limits: {
      maxN: e.MAX_N,
      maxImagesPerRequest: e.MAX_IMAGES_PER_REQUEST,
      promptMaxChars: e.PROMPT_MAX_CHARS,
      maxReferenceImageBytes: maxRef,
      fanoutConcurrency: e.FANOUT_CONCURRENCY,
      maxConcurrentGenerations: e.MAX_CONCURRENT_GENERATIONS,
      maxConcurrentGenerationsPerKey: e.MAX_CONCURRENT_GENERATIONS_PER_KEY,
    },
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    pricing: {
      // Catalog prices exist in CNY for the China region and USD for the rest; the simulator quotes USD.
      currency: e.PRICE_CURRENCY ?? (upstream.kind !== 'simulator' && upstream.region === 'cn' ? 'CNY' : 'USD'),
      overrides: e.MODEL_PRICES,
    },
    simulator: {
      host: e.SIMULATOR_HOST,
      port: e.SIMULATOR_PORT,
      apiKey: e.SIMULATOR_API_KEY,
      latencyMs: e.SIMULATOR_LATENCY_MS,
      urlTtlMs: e.SIMULATOR_URL_TTL_MS,
      fixedSeed: e.SIMULATOR_FIXED_SEED,
    },
    hosting,
    jobs,
    telemetry: {
      serviceName: e.OTEL_SERVICE_NAME,
      disabled: e.OTEL_SDK_DISABLED,
      tracesEndpoint: traces,
      metricsEndpoint: metrics,
      protocol: e.OTEL_EXPORTER_OTLP_PROTOCOL,
      headers: e.OTEL_EXPORTER_OTLP_HEADERS,
      metricExportIntervalMs: e.OTEL_METRIC_EXPORT_INTERVAL,
      prometheusPort: e.PROMETHEUS_PORT,
      capturePrompts: e.TELEMETRY_CAPTURE_PROMPTS,
    },
    logLevel: e.LOG_LEVEL,
    channels,
    routing: file?.routing ?? defaultRouting,
    store: file?.store ?? { kind: 'memory' },
  };
  return deepFreeze(config);
}

const keyFileSchema = z.array(
  z.object({ name: z.string().min(1).max(64), sha256: z.string().regex(/^[0-9a-fA-F]{64}$/) }).strict(),
);

function readKeysFile(path: string | undefined, readFile: (p: string) => string, problems: string[]): ApiKeyEntry[] {
  if (path === undefined) return [];
  let text: string;
  try {
    text = readFile(path);
  } catch {
    problems.push(`GATEWAY_API_KEYS_FILE: cannot read ${path}`);
    return [];
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    problems.push(`GATEWAY_API_KEYS_FILE: ${path} is not JSON`);
    return [];
  }
  const result = keyFileSchema.safeParse(json);
  if (!result.success) {
    problems.push(`GATEWAY_API_KEYS_FILE: ${path} must be a JSON array of {"name", "sha256"} (64 hex digits)`);
    return [];
  }
  return result.data.map((k) => ({ name: k.name, sha256: Buffer.from(k.sha256, 'hex') }));
}

function joinOtlp(base: string | undefined, path: string): string | undefined {
  if (base === undefined) return undefined;
  return `${trimSlash(base)}/${path}`;
}

/** Parses every key on its own, so that all problems are found in one pass (and cross-key checks can
 *  still run on the keys that did parse). */
function parseKeys(env: Env, problems: string[]): EnvKeys {
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(envSchemaKeys.shape)) {
    const result = (schema as z.ZodType).safeParse(env[name]);
    if (result.success) {
      values[name] = result.data;
      continue;
    }
    problems.push(...result.error.issues.map((issue) => `${name}: ${issue.message}`));
    // Continue with the key's default so cross-key checks still run; the problem above makes
    // loadConfig throw before any of these values is used.
    const fallback = (schema as z.ZodType).safeParse(undefined);
    values[name] = fallback.success ? fallback.data : undefined;
  }
  return values as EnvKeys;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value) && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Settings of the command-line client (src/cli/), which is a separate program from the gateway. */
export interface ClientEnv {
  /** Gateway key to send as `authorization: Bearer …` (SEEDREAM_API_KEY). */
  readonly apiKey: string | undefined;
  /** Gateway gRPC address host:port (SEEDREAM_GATEWAY_ADDRESS). */
  readonly address: string | undefined;
}

/** Reads the client's environment; the client passes `process.env` in, as the gateway's main does. */
export function loadClientEnv(env: Env): ClientEnv {
  const clean = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());
  return { apiKey: clean(env.SEEDREAM_API_KEY), address: clean(env.SEEDREAM_GATEWAY_ADDRESS) };
}
